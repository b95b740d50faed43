"""Page handlers get their data from read models (issue 12 §6, docs/architecture.md "Flow of a request").

Checked on the source of every page module (src/tongban/*/pages.py and *_pages.py):

- no page module queries the database itself: no `session.execute/scalar/scalars/get/query(...)` on a
  session (a parameter annotated DbSession/Session, or a name `session`/`db`) — the read models in the
  domain's queries.py do that;
- no route handler calls more than one function of a `tongban.<domain>.service` module, counting the
  module's own helper functions it calls (transitively): a GET renders one read model, a POST calls one
  use-case (and, on failure, re-renders with the read model).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "tongban"
QUERY_METHODS = {"execute", "scalar", "scalars", "get", "query"}
SESSION_TYPES = {"DbSession", "Session"}
SESSION_NAMES = {"session", "db"}
ROUTE_METHODS = {"get", "post", "put", "patch", "delete", "api_route"}



def page_modules() -> list[Path]:
    return sorted({*SRC.glob("*/pages.py"), *SRC.glob("*/*_pages.py")})


def _service_aliases(tree: ast.Module) -> tuple[set[str], set[str]]:
    """Names bound to a `tongban.<domain>.service` module, and names of functions imported from one."""
    modules: set[str] = set()
    functions: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            parts = node.module.split(".")
            for alias in node.names:
                if parts[0] == "tongban" and len(parts) == 2 and alias.name == "service":
                    modules.add(alias.asname or alias.name)  # from tongban.org import service [as org]
                elif parts[0] == "tongban" and parts[-1] == "service":
                    functions.add(alias.asname or alias.name)  # from tongban.org.service import get_user
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("tongban.") and alias.name.endswith(".service") and alias.asname:
                    modules.add(alias.asname)
    return modules, functions


def _is_route(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr in ROUTE_METHODS
               for d in fn.decorator_list)


def _session_names(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    names = set(SESSION_NAMES)
    for arg in [*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs]:
        if arg.annotation is not None and any((isinstance(n, ast.Name) and n.id in SESSION_TYPES)
                                              or (isinstance(n, ast.Attribute) and n.attr in SESSION_TYPES)
                                              for n in ast.walk(arg.annotation)):
            names.add(arg.arg)
    return names


def _calls(fn: ast.AST) -> Iterator[ast.Call]:
    return (node for node in ast.walk(fn) if isinstance(node, ast.Call))


def offences(path: Path, root: Path = SRC) -> dict[str, list[str]]:
    """What each function of a page module does against the rule ("<module>::<function>" → offences)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    module = str(path.relative_to(root))
    service_modules, service_functions = _service_aliases(tree)
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
    found: dict[str, list[str]] = {}

    for name, fn in functions.items():
        sessions = _session_names(fn)
        for call in _calls(fn):
            f = call.func
            if (isinstance(f, ast.Attribute) and f.attr in QUERY_METHODS and isinstance(f.value, ast.Name)
                    and f.value.id in sessions):
                found.setdefault(f"{module}::{name}", []).append(f"line {call.lineno}: {f.value.id}.{f.attr}()")

    def service_calls(fn: ast.AST, seen: set[str]) -> set[str]:
        out: set[str] = set()
        for call in _calls(fn):
            f = call.func
            if (isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id in service_modules
                    and not f.attr[:1].isupper()):  # a class (an input schema) is not a use-case
                out.add(f"{f.value.id}.{f.attr}")
            elif isinstance(f, ast.Name) and f.id in service_functions:
                out.add(f.id)
            elif isinstance(f, ast.Name) and f.id in functions and f.id not in seen:
                out |= service_calls(functions[f.id], seen | {f.id})
        return out

    for name, fn in functions.items():
        if not _is_route(fn):
            continue
        called = service_calls(fn, {name})
        if len(called) > 1:
            found.setdefault(f"{module}::{name}", []).append(
                "calls several service functions: " + ", ".join(sorted(called)))
    return found


def test_page_modules_are_found() -> None:
    names = {str(p.relative_to(SRC)) for p in page_modules()}
    assert {"org/pages.py", "jobs/pages.py", "notifications/pages.py"} <= names


def test_page_handlers_read_through_read_models() -> None:
    found: dict[str, list[str]] = {}
    for path in page_modules():
        found.update(offences(path))
    offenders = found
    assert offenders == {}, "page handlers that query or call several service functions (use the domain's " \
        "queries.py read model): " + "; ".join(f"{k} — {', '.join(v)}" for k, v in sorted(offenders.items()))


def test_the_check_sees_both_kinds_of_offence(tmp_path: Path) -> None:
    """The checker itself: a page module that queries and a handler with two use-cases are both reported."""
    source = '''
from tongban.deps import DbSession, secure_router
from tongban.org import service as org
from tongban.sharing.service import submit

router = secure_router()


def _helper(s):
    return org.get_user(session=s, actor=None, user_id=1)


@router.get("/x")
def page(db_session: DbSession):
    rows = db_session.execute("select 1")
    return rows


@router.post("/x")
def submit_page(session: DbSession):
    submit(session=session)
    return _helper(session)


@router.post("/y")
def fine(session: DbSession):
    return org.create_client(session=session)
'''
    path = tmp_path / "tongban" / "example" / "pages.py"
    path.parent.mkdir(parents=True)
    path.write_text(source, encoding="utf-8")
    found = offences(path, tmp_path / "tongban")
    assert set(found) == {"example/pages.py::page", "example/pages.py::submit_page"}
    assert "db_session.execute()" in found["example/pages.py::page"][0]
    assert "org.get_user, submit" in found["example/pages.py::submit_page"][0]
