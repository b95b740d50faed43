"""Pages (being written)."""

from __future__ import annotations

from tongban.deps import secure_router

router = secure_router(include_in_schema=False)
