"""JSON API of sharing requests and grants (being written)."""

from __future__ import annotations

from tongban.deps import secure_router

router = secure_router(prefix="/api/v1", tags=["共享申请与授权"])
