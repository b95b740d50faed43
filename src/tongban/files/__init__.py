"""Files (文件存储): binary content kept outside the database, behind one store interface.

    from tongban import files
    sha256 = files.get_store().put(content)            # before the row that names it is written
    files.register_reader("licence_pdf", reader)       # who may read a file of this kind (audited)
    files.register_referrer("licence_pdf", referrer)   # which hashes this kind's rows name (for the sweep)
    files.read(session=..., actor=..., kind=..., ref=...)

Uploads are inspected by content in inspect.py (`inspect_upload`, `read_upload`, the `MATERIALS` policy)
and every download of a stored file goes out through `tongban.files.serve.file_response` (attachment,
nosniff, `CSP: sandbox`; imported from there by api.py and pages.py only, as it is built on starlette).
The store and the read path are in store.py, the sweep of files no row names in sweep.py, its daily job
in tasks.py and `tongban files sweep` in cli.py. A package rather than one module so that the sweep's
job and command are found the way every domain's are (tasks.py, cli.py).

The names are imported on first use (PEP 562), not with the package: `tongban --help` imports
tongban.files.cli, hence this file, and store.py brings in SQLAlchemy, settings and the errors
(tests/test_cli.py keeps the CLI import-light).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tongban.files.inspect import (
        MATERIALS,
        AcceptPolicy,
        FileRefused,
        Inspected,
        Kind,
        inspect_upload,
        read_upload,
        safe_filename,
    )
    from tongban.files.store import (
        FileContentMissing,
        FileDownload,
        FileReader,
        FileReferrer,
        FileStore,
        LocalFileStore,
        StoredFile,
        get_store,
        read,
        register_reader,
        register_referrer,
    )

_MODULES = {
    **dict.fromkeys(["FileContentMissing", "FileDownload", "FileReader", "FileReferrer", "FileStore", "LocalFileStore",
                     "StoredFile", "get_store", "read", "register_reader", "register_referrer"], "store"),
    **dict.fromkeys(["MATERIALS", "AcceptPolicy", "FileRefused", "Inspected", "Kind", "inspect_upload", "read_upload",
                     "safe_filename"], "inspect"),
}
__all__ = ["MATERIALS", "AcceptPolicy", "FileContentMissing", "FileDownload", "FileReader", "FileReferrer",
           "FileRefused", "FileStore", "Inspected", "Kind", "LocalFileStore", "StoredFile", "get_store",
           "inspect_upload", "read", "read_upload", "register_reader", "register_referrer", "safe_filename"]


def __getattr__(name: str) -> Any:
    if name not in _MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"tongban.files.{_MODULES[name]}"), name)
    globals()[name] = value
    return value
