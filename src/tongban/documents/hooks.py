"""What the owning domains tell documents: who is the recipient of a document about one of their objects.

A document names its owner by type and id (`"case"`, `"17"`) and holds no foreign key into that domain,
so the owner says who may read its documents besides the issuing department's staff:

    hooks.register_recipient("case", "tongban.cases.permissions:is_applicant")   # in cases' register()

called as `target(session, actor, owner_id) -> bool`. Targets are "module:attribute" strings, imported on
first use; `is_recipient` runs the discovery first, so the callbacks are in place in every process.
This module imports nothing heavy on purpose (registering stays cheap).
"""

from __future__ import annotations

from typing import Any

_recipients: dict[str, str] = {}


def register_recipient(owner_type: str, target: str) -> None:
    """Declare the check that tells whether an actor is the recipient of `owner_type`'s documents."""
    _recipients[owner_type] = target


def is_recipient(session: Any, actor: Any, owner_type: str, owner_id: str) -> bool:
    """Whether the owning domain says `actor` is the recipient; False for an owner type nobody registered."""
    from tongban.registry import platform, resolve

    platform()  # the domains' register() calls fill the table above (once per process)
    target = _recipients.get(owner_type)
    return bool(target and resolve(target)(session, actor, owner_id))
