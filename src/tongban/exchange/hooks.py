"""What other domains attach to the exchange, so that the exchange imports none of them.

- `on_sealed(target)`: called as `target(session, sealed_entries)` inside the transaction that seals a
  batch of exchange-log entries (monitoring rolls the batch up: each entry counted once, with its seal).
- `annotate_records(target)`: called as `target(session, resource_id, keys)` on every exchange call
  that returns records; returns record key → list of notes (disputes flags records under an open
  data-quality dispute). The answers of all annotators are merged per key.
- `overdue_at_providers(target)`: called as `target(session, provider_ids)` (None: every department) by the
  exchange monitoring page and API; returns rows {provider_id, name, overdue, oldest_due_on} of the provider
  departments behind on answering (disputes reports its overdue data-quality disputes). Monitoring and
  disputes are independent domains: neither imports the other.
- `end_user_cases(target)`: called as `target(session, end_user, case_number)` when a system acting for end
  users (settings.exchange_end_user_systems, e.g. 一网通办平台) calls the exchange; True when the case is that
  end user's own and in a state where data may be fetched for it (cases answers: a draft or 待补正). With no
  target registered every such call is refused.

Targets are "module:attribute" strings, imported on first use, so that registering stays cheap. The
domains register in their `register(platform)` (tongban/registry.py); `installed()` runs the discovery
first, so the hooks are in place in every process that seals or serves — the app, `tongban worker`, the
in-process job runner and the CLI alike. This module imports nothing heavy on purpose.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_sealed: list[str] = []
_annotators: list[str] = []
_overdue: list[str] = []
_end_user_cases: list[str] = []


def on_sealed(target: str) -> None:
    if target not in _sealed:
        _sealed.append(target)


def annotate_records(target: str) -> None:
    if target not in _annotators:
        _annotators.append(target)


def overdue_at_providers(target: str) -> None:
    if target not in _overdue:
        _overdue.append(target)


def end_user_cases(target: str) -> None:
    if target not in _end_user_cases:
        _end_user_cases.append(target)


def _installed(names: list[str]) -> list[Callable[..., Any]]:
    from tongban.registry import platform, resolve

    platform()  # the domains' register() calls fill the lists above (once per process)
    return [resolve(name) for name in names]


def sealed(session: Any, entries: list[Any]) -> None:
    """Tell every on-sealed hook about a batch the caller's transaction is sealing."""
    for hook in _installed(_sealed):
        hook(session, entries)


def record_notes(session: Any, resource_id: int, keys: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Record key → notes from every annotator; keys without a note are absent."""
    out: dict[str, list[dict[str, Any]]] = {}
    if not keys:
        return out
    for annotate in _installed(_annotators):
        for key, notes in annotate(session, resource_id, keys).items():
            out.setdefault(key, []).extend(notes)
    return out


def overdue_by_provider(session: Any, provider_ids: set[int] | None) -> list[dict[str, Any]]:
    """The rows of every overdue reporter, in registration order (each reporter orders its own rows)."""
    return [row for report in _installed(_overdue) for row in report(session, provider_ids)]


def end_users_case(session: Any, end_user: str, case_number: str) -> bool:
    """Whether some registered target vouches that the case is the end user's and open to fetching (else False)."""
    return any(check(session, end_user, case_number) for check in _installed(_end_user_cases))
