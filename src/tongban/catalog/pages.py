"""Catalog pages (being written)."""

from __future__ import annotations

from tongban.deps import public_router, secure_router

public = public_router(include_in_schema=False)
router = secure_router(include_in_schema=False)
