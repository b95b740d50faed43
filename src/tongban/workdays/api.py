"""JSON API of the working-day calendar (being written)."""

from __future__ import annotations

from tongban.deps import secure_router

router = secure_router(prefix="/api/v1", tags=["节假日设置"])
