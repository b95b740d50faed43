"""The allowed dependencies between domains (docs/architecture.md, Layers; [tool.importlinter] in pyproject.toml).

`make lint` runs lint-imports; the suite checks the same contracts so that a test run also says when a
new import climbs a layer, and checks in a fresh process what the shared request edge loads.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# The request edge every domain's pages and API import: it rests on org (the actor) and audit, nothing else.
EDGE_MAY_LOAD = {"audit", "authz", "clock", "config", "db", "deps", "errors", "identifiers", "loop_reads", "org",
                 "registry", "schema_types", "threads", "transactions", "versioned", "web"}


def test_the_import_contracts_are_kept() -> None:
    pytest.importorskip("importlinter")
    proc = subprocess.run([sys.executable, "-c", "from importlinter.cli import lint_imports; "
                           "raise SystemExit(lint_imports(config_filename='pyproject.toml', no_cache=True))"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]


def test_the_shared_page_layer_loads_no_other_domain() -> None:
    # web.templating used to import web.object_names, which knows every domain's tables, so every page of
    # every domain depended on all the others; the app (the top layer) imports it now.
    probe = ("import sys, json\nimport tongban.web.templating, tongban.web.forms, tongban.deps\n"
             "print(json.dumps(sorted({m.split('.')[1] for m in sys.modules if m.startswith('tongban.')})))")
    proc = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          check=True)
    loaded = set(json.loads(proc.stdout.strip().splitlines()[-1]))
    assert loaded - EDGE_MAY_LOAD == set()
