"""python -m tongban"""

from tongban.cli import app

app()
