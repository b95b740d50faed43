"""What other domains check before the catalog retires a resource or removes some of its items, so that
the catalog imports none of them (it sits below sharing; see [tool.importlinter] in pyproject.toml).

- `in_use_check(target)`: `target(session, resource, removed_keys) -> list[str]` names what still uses the
  resource ("2 项有效授权"); `removed_keys` are the items being removed, empty when the whole resource
  is retired. The catalog refuses the change while any check names something.

Targets are "module:attribute" strings, imported on first use; domains register them in their
`register(platform)` (tongban/registry.py), and `blocking_use` runs the discovery first, so the checks are
in place in every process (the app, the CLI's import, jobs). This module imports nothing heavy on purpose.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tongban.catalog.models import InformationResource

_in_use_checks: list[str] = []


def in_use_check(target: str) -> None:
    if target not in _in_use_checks:
        _in_use_checks.append(target)


def blocking_use(session: Session, resource: InformationResource, removed_keys: set[str]) -> list[str]:
    """What every registered check names as still using the resource (or the removed items), in order."""
    from tongban.registry import platform, resolve

    platform()  # the domains' register() calls fill the list above (once per process)
    problems: list[str] = []
    for name in _in_use_checks:
        problems.extend(resolve(name)(session, resource, removed_keys))
    return problems
