"""The `tongban` command: every domain's commands are found without a central list, and starting it stays light.

`tongban --help` imports every domain's cli.py; the heavy libraries are imported inside the commands, so
a top-level import of one of them in a CLI module or a domain `__init__.py` fails here (a real process,
checking sys.modules — no timing).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import typer
from typer.testing import CliRunner

import tongban
from tongban.cli import app, domain_cli_modules

HEAVY = ("sqlalchemy.orm", "fastapi", "starlette", "reportlab", "pyhanko", "cryptography", "pandas", "pyarrow",
         "alembic", "uvicorn", "jinja2", "openpyxl")

# Every command named in README.md, docs/operations.md and the tests: its path must stay as it is.
COMMANDS = [
    ("db", "upgrade"), ("db", "current"), ("demo",), ("serve",), ("run",), ("worker",), ("ingest",),
    ("audit", "verify"), ("admin", "create"), ("calendar", "import"),
    ("demo-catalog",), ("catalog", "export"), ("catalog", "import"),
    ("disputes", "check-deadlines"), ("sharing", "check-deadlines"), ("exchange", "seal"),
    ("exchange", "verify"), ("log", "checkpoint"), ("log", "verify"), ("monitoring", "rebuild"),
    ("licence", "verify"), ("licence", "expire"), ("keystore", "reseal"),
    ("jobs", "list"), ("jobs", "runs"), ("jobs", "retry"),
]


def _loaded_after(code: str) -> dict[str, bool]:
    probe = f"import sys\n{code}\nimport json; print(json.dumps({{m: m in sys.modules for m in {HEAVY!r}}}))"
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    loaded: dict[str, bool] = json.loads(proc.stdout.strip().splitlines()[-1])
    return loaded


def test_importing_the_cli_imports_no_heavy_library() -> None:
    loaded = _loaded_after("import tongban.cli")
    assert not [m for m, yes in loaded.items() if yes]


def test_help_of_the_root_and_of_a_command_imports_no_heavy_library() -> None:
    for args in ([], ["exchange", "seal"], ["licence", "verify"], ["ingest"]):
        code = f"import sys; sys.argv = ['tongban', *{args!r}, '--help']\nfrom tongban.cli import app\n" \
               "try:\n    app()\nexcept SystemExit:\n    pass"
        loaded = _loaded_after(code)
        assert not [m for m, yes in loaded.items() if yes], args


def test_every_package_with_a_cli_module_is_registered() -> None:
    root = Path(tongban.__file__).parent
    expected = sorted(f"tongban.{p.parent.name}.cli" for p in root.glob("*/cli.py"))
    assert domain_cli_modules() == expected
    assert {"tongban.licences.cli", "tongban.jobs.cli", "tongban.exchange.cli"} <= set(expected)


def test_documented_command_paths_are_unchanged() -> None:
    group = typer.main.get_command(app)
    runner = CliRunner()
    for path in COMMANDS:
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
    names = set(group.commands)  # type: ignore[attr-defined]
    assert {p[0] for p in COMMANDS} <= names


def test_python_m_tongban_cli_runs_the_same_commands() -> None:
    proc = subprocess.run([sys.executable, "-m", "tongban.cli", "monitoring", "--help"], capture_output=True,
                          text=True, timeout=60, check=False)
    assert proc.returncode == 0 and "rebuild" in proc.stdout, proc.stderr
