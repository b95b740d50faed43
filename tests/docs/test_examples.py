"""Every documented example runs: the shell examples of README.md and docs/api.md, against the demo city.

Each ```sh block that calls `curl` or `tongban` is an example (the README's command reference, which
lists every command with its options, is the one block that is not). A block runs whole in bash
(`set -euo pipefail`) in a scratch directory, against a live server on loopback with the demo loaded,
with the printed demo key in place of `tbk_…` and a `curl` that fails on any HTTP error status — so an
example that answers 4xx fails here just as it would for a reader. A block that says
`# demo answers: 503 provider_not_registered` must end in exactly that answer.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tongban.demo.loader import DemoSummary

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", ROOT / "docs" / "api.md"]
BIN = Path(sys.executable).parent
DOC_SERVER = "http://127.0.0.1:8000"
COMMAND_REFERENCE = "tongban db upgrade"  # the README's list of commands: a reference, not an example

# curl as a reader uses it, but an HTTP error status fails the example (curl itself exits 0 on a 404).
PRELUDE = r"""set -euo pipefail
curl() {
  local out status
  out=$(command curl -sS -w '\n%{http_code}' "$@") || return 1
  status=${out##*$'\n'}
  printf '%s\n' "${out%$'\n'*}"
  if [ "$status" -ge 400 ]; then echo "HTTP $status from: curl $*" >&2; return 1; fi
}
"""


def _examples() -> Iterator[tuple[str, str]]:
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for n, match in enumerate(re.finditer(r"```sh\n(.*?)```", text, re.S), start=1):
            block = match.group(1)
            if re.search(r"\bcurl\b|\btongban\b", block) and COMMAND_REFERENCE not in block:
                line = text[: match.start()].count("\n") + 1
                yield f"{doc.relative_to(ROOT)}:{line}", block


EXAMPLES = list(_examples())


def test_the_docs_have_examples() -> None:
    names = {name.split(":")[0] for name, _ in EXAMPLES}
    assert names == {"README.md", "docs/api.md"} and len(EXAMPLES) >= 8


def _png() -> bytes:
    """A 1×1 white PNG, the smallest evidence photo."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", (1).to_bytes(4, "big") * 2 + b"\x08\x02\x00\x00\x00")
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff")) + chunk(b"IEND", b""))


def _pdf(path: Path) -> None:
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path))
    c.drawString(72, 720, "evidence")
    c.save()


@pytest.fixture
def demo_key(demo: DemoSummary) -> str:
    return demo.demo_api_key


@pytest.mark.parametrize(("where", "block"), EXAMPLES, ids=[name for name, _ in EXAMPLES])
def test_documented_example_runs(where: str, block: str, demo_key: str, live_server: str,
                                 database_url: str, tmp_path: Path) -> None:
    # The evidence files the disputes example attaches, as a reader would have them at hand.
    (tmp_path / "户口簿.png").write_bytes(_png())
    _pdf(tmp_path / "迁移证明.pdf")
    script = (block.replace(DOC_SERVER, live_server).replace("tbk_…", demo_key)
              .replace(".venv/bin/", f"{BIN}/").replace("python3 ", f"{sys.executable} "))
    env = {**os.environ, "KEY": demo_key, "TONGBAN_DATABASE_URL": database_url}
    run = subprocess.run(["bash", "-c", PRELUDE + script], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=300)
    report = f"{where}\n--- script\n{script}\n--- stdout\n{run.stdout[-3000:]}\n--- stderr\n{run.stderr[-3000:]}"
    expected = re.search(r"# demo answers: (\d{3}) (\w+)", block)
    if expected:  # the docs say what the demo city answers (e.g. no provider system registered)
        status, code = expected.groups()
        assert run.returncode != 0 and f"HTTP {status} from" in run.stderr and f'"code":"{code}"' in run.stdout, report
    else:
        assert run.returncode == 0, "the example fails: " + report
