"""Upload inspection (上传文件检查): what a file is, judged by its bytes, and whether this upload may take it.

    from tongban import files
    content = await files.read_upload(upload, accept=files.MATERIALS)      # stops at the limit + 1 byte
    got = files.inspect_upload(content, declared_name=upload.filename, accept=files.MATERIALS)
    got.kind, got.content_type, got.filename, got.size, got.sha256, got.pages, got.width, got.height

The type is decided from magic numbers and the file's structure, never from the client's content type or
the file name: a PDF is parsed (pypdf) and its pages counted by walking the page tree, an image's header is
read (Pillow) and its pixel count checked before anything is decoded, an OFD (GB/T 33190) is a ZIP whose
root holds OFD.xml and whose documents list their pages. A wrong extension is not an error (people rename
files): the stored name gets the extension of what the bytes are.

Refused, each with a stable code and a Chinese message saying what to do (`FileRefused`, a 422):
`file_empty`, `file_too_large`, `file_executable` (PE, ELF, Mach-O, Java class, #! scripts, OLE/MSI,
DEX, JAR/APK, WebAssembly, shortcuts …, whatever the name), `file_markup` (HTML, SVG or script at the start
of a file, where browsers sniff), `file_archive` (a ZIP that is not OFD, RAR, 7z, gzip …), `file_type`
(anything else the upload does not take), `file_encrypted`, `file_unreadable`, `file_too_many_pages`,
`file_image_too_large` (pixels: decompression bombs) and `file_active_content` (a PDF with JavaScript,
launch actions, rich media or XFA, or with an embedded file that is a program, an archive or a web page:
refused rather than flagged, as no material needs them and a flag would have to be honoured by every
viewer downstream; embedded data files are taken, as the platform's own e-licences carry their data so).

Markup further inside a file that is otherwise a real image or PDF (a polyglot, e.g. a JPEG with an HTML
body appended) does not refuse it: the bytes are still a JPEG. Such a file is marked `inline_safe=False`;
serve.py never serves stored user files as HTML anyway (attachment, nosniff, `CSP: sandbox`).

TIFF and WebP are known kinds, but the shipped policies do not take them: browsers do not show TIFF, and
scanners and phones give PDF, JPEG or PNG; a policy may list them.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NoReturn, Protocol
from xml.etree import ElementTree

from tongban.errors import ValidationFailed

MiB = 1024 * 1024
# Browsers sniff the first 512 bytes (WHATWG MIME sniffing); a little more costs nothing.
SNIFF_BYTES = 1024
_CHUNK = 64 * 1024


class Kind(StrEnum):
    PDF = "pdf"
    OFD = "ofd"
    JPEG = "jpeg"
    PNG = "png"
    TIFF = "tiff"
    WEBP = "webp"


@dataclass(frozen=True)
class KindInfo:
    content_type: str
    extension: str
    extensions: tuple[str, ...]  # extensions that name this kind correctly (kept as the uploader wrote them)
    label: str
    pillow: str | None = None  # the Pillow format name, for images


KINDS: dict[Kind, KindInfo] = {
    Kind.PDF: KindInfo("application/pdf", ".pdf", (".pdf",), "PDF"),
    Kind.OFD: KindInfo("application/ofd", ".ofd", (".ofd",), "OFD"),
    Kind.JPEG: KindInfo("image/jpeg", ".jpg", (".jpg", ".jpeg", ".jpe"), "JPEG", "JPEG"),
    Kind.PNG: KindInfo("image/png", ".png", (".png",), "PNG", "PNG"),
    Kind.TIFF: KindInfo("image/tiff", ".tif", (".tif", ".tiff"), "TIFF", "TIFF"),
    Kind.WEBP: KindInfo("image/webp", ".webp", (".webp",), "WebP", "WEBP"),
}
_ORDER = list(Kind)


@dataclass(frozen=True)
class AcceptPolicy:
    """What one upload takes: the kinds, and the limits that keep a file from costing more than it is worth."""

    kinds: frozenset[Kind]
    max_bytes: int
    max_pages: int = 200  # PDF and OFD pages, TIFF frames
    max_image_pixels: int = 50_000_000  # a 12 MP phone photo is well inside; 50 MP decodes to ~150 MB
    hint: str = "请上传扫描件或照片"

    def labels(self) -> str:
        names = [KINDS[k].label for k in _ORDER if k in self.kinds]
        return names[0] if len(names) == 1 else "、".join(names[:-1]) + " 或 " + names[-1]


# Application materials (办件材料): scans, photos and e-documents, 20 MB each.
MATERIALS = AcceptPolicy(kinds=frozenset({Kind.PDF, Kind.OFD, Kind.JPEG, Kind.PNG}), max_bytes=20 * MiB)


@dataclass(frozen=True)
class Inspected:
    """An accepted file: what it is by its bytes, and the name to store it under."""

    kind: Kind
    content_type: str
    filename: str  # the uploader's name made safe, with the extension of the kind
    size: int
    sha256: str
    pages: int | None = None
    width: int | None = None
    height: int | None = None
    inline_safe: bool = True  # False: markup somewhere in the bytes (a polyglot); never serve it inline

    @property
    def label(self) -> str:
        return KINDS[self.kind].label


class FileRefused(ValidationFailed):
    """An upload refused by its content; `code` says why, the message what to do."""

    code = "file_type"


def _refuse(name: str, code: str, text: str, field: str, **detail: Any) -> FileRefused:
    return FileRefused(f"文件“{name}”{text}", code=code, detail={"field": field, "filename": name, **detail})


# ---------------------------------------------------------------- names

_EXT = re.compile(r"^\.[A-Za-z0-9]{1,5}$")


def safe_filename(name: str, fallback: str = "文件") -> str:
    """The last path segment without characters that break headers or file systems."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>|:*?;').strip().lstrip(".")
    return (cleaned or fallback)[-200:]


def stored_name(name: str, kind: Kind) -> str:
    """`name` with the extension of `kind`: kept when it already names the kind, else replaced or added."""
    info = KINDS[kind]
    stem, dot, suffix = name.rpartition(".")
    ext = "." + suffix.lower() if dot else ""
    if ext in info.extensions:
        return name
    if dot and stem and _EXT.match(ext) and any(ch.isalpha() for ch in suffix):
        return stem + info.extension
    return name + info.extension


# ---------------------------------------------------------------- what the bytes are

_EXECUTABLES: tuple[tuple[bytes, str], ...] = (
    (b"MZ", "Windows 可执行程序"),
    (b"\x7fELF", "Linux 可执行程序"),
    (b"\xfe\xed\xfa\xce", "macOS 可执行程序"), (b"\xfe\xed\xfa\xcf", "macOS 可执行程序"),
    (b"\xce\xfa\xed\xfe", "macOS 可执行程序"), (b"\xcf\xfa\xed\xfe", "macOS 可执行程序"),
    (b"\xca\xfe\xba\xbe", "Java 类文件或 macOS 程序"),
    (b"#!", "脚本程序"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "安装包或旧版 Office 文档（可能含宏）"),
    (b"\x00asm", "WebAssembly 程序"),
    (b"dex\n", "Android 程序"),
    (b"L\x00\x00\x00\x01\x14\x02\x00", "Windows 快捷方式"),
    (b"MSCF", "Windows 安装包（CAB）"),
)
_ARCHIVES: tuple[tuple[bytes, str], ...] = (
    (b"Rar!\x1a\x07", "RAR 压缩包"), (b"7z\xbc\xaf\x27\x1c", "7z 压缩包"), (b"\x1f\x8b", "gzip 压缩包"),
    (b"BZh", "bzip2 压缩包"), (b"\xfd7zXZ\x00", "xz 压缩包"),
)
_OTHER_IMAGES: tuple[tuple[bytes, str], ...] = ((b"GIF87a", "GIF 图片"), (b"GIF89a", "GIF 图片"), (b"BM", "BMP 图片"))
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"avif")
_ZIP = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
# Markup a browser would run if it ever took the bytes for HTML or SVG.
_MARKUP = re.compile(rb"<\s*(script|html|svg|!doctype\s+html|iframe|body|object|embed|meta\s)|javascript:", re.I)


def _magic_kind(head: bytes) -> Kind | None:
    if head.startswith(b"%PDF-"):
        return Kind.PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Kind.PNG
    if head.startswith(b"\xff\xd8\xff"):
        return Kind.JPEG
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return Kind.TIFF
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return Kind.WEBP
    return None


def _starts_with_markup(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf\xfe\xff\x00 \t\r\n")
    return text.startswith(b"<") or _MARKUP.search(head) is not None


# ---------------------------------------------------------------- reading within the limit


class AsyncReadable(Protocol):
    """An uploaded file as the web layer hands it over (starlette's UploadFile)."""

    filename: str | None

    async def read(self, size: int = -1) -> bytes: ...


def too_large(name: str, accept: AcceptPolicy, field: str = "files") -> FileRefused:
    size = f"{accept.max_bytes / MiB:g} MB" if accept.max_bytes >= MiB else f"{accept.max_bytes // 1024} KB"
    return _refuse(name, "file_too_large", f"超过 {size}，请压缩图片或分册扫描后上传。", field,
                   max_bytes=accept.max_bytes)


async def read_upload(upload: AsyncReadable, *, accept: AcceptPolicy, field: str = "files") -> bytes:
    """The bytes of an upload, read in chunks and refused as soon as they pass the policy's limit.

    The request body itself is bounded while it streams in (web/limits.py, from the upload routes the
    domains declare); this keeps one file of a multi-file form from being read whole past its own limit.
    """
    name = safe_filename(upload.filename or "")
    declared = getattr(upload, "size", None)
    if isinstance(declared, int) and declared > accept.max_bytes:
        raise too_large(name, accept, field)
    out = bytearray()
    while True:
        chunk = await upload.read(min(_CHUNK, accept.max_bytes + 1 - len(out)))
        if not chunk:
            return bytes(out)
        out += chunk
        if len(out) > accept.max_bytes:
            raise too_large(name, accept, field)


# ---------------------------------------------------------------- the check


def inspect_upload(content: bytes, *, declared_name: str, accept: AcceptPolicy, field: str = "files") -> Inspected:
    """What `content` is and under which name to store it, or `FileRefused` saying what to fix."""
    name = safe_filename(declared_name)
    if not content:
        raise _refuse(name, "file_empty", "是空文件（0 字节），请重新选择文件后上传。", field)
    if len(content) > accept.max_bytes:
        raise too_large(name, accept, field)
    head = content[:SNIFF_BYTES]
    wanted = f"此处只接收 {accept.labels()} 文件，{accept.hint}。"
    for magic, what in _EXECUTABLES:
        if head.startswith(magic):
            raise _executable(name, what, accept, field)
    kind = (Kind.OFD if _is_ofd(content) else None) if head.startswith(_ZIP) else _magic_kind(head)
    if kind is None:
        _refuse_unknown(content, name, accept, field)
    if _starts_with_markup(head):
        raise _refuse(name, "file_markup", "开头含有网页或脚本代码（HTML、SVG 或 JavaScript），"
                      f"不是正常的 {KINDS[kind].label} 文件，不予接收；请用扫描或截图重新生成文件后上传。", field)
    if kind not in accept.kinds:
        raise _refuse(name, "file_type", f"是 {KINDS[kind].label} 文件，{wanted}请转换格式后重新上传。", field,
                      detected=KINDS[kind].label)
    pages: int | None = None
    width = height = None
    if kind is Kind.PDF:
        pages = _pdf_pages(content, name, accept, field)
    elif kind is Kind.OFD:
        pages = _ofd_pages(content, name, accept, field)
    else:
        width, height, frames = _image_size(content, kind, name, accept, field)
        pages = frames if kind is Kind.TIFF else None
    return Inspected(kind=kind, content_type=KINDS[kind].content_type, filename=stored_name(name, kind),
                     size=len(content), sha256=hashlib.sha256(content).hexdigest(), pages=pages, width=width,
                     height=height, inline_safe=_MARKUP.search(content) is None)


def _executable(name: str, what: str, accept: AcceptPolicy, field: str) -> FileRefused:
    return _refuse(name, "file_executable", f"是{what}，不是 {accept.labels()} 文件，出于安全原因不予接收；"
                   f"{accept.hint}（Office 文档请另存为 PDF）。", field, detected=what)


def _refuse_unknown(content: bytes, name: str, accept: AcceptPolicy, field: str) -> NoReturn:
    head = content[:SNIFF_BYTES]
    wanted = f"此处只接收 {accept.labels()} 文件，{accept.hint}。"
    if _starts_with_markup(head):
        raise _refuse(name, "file_markup", f"是网页或脚本（HTML、SVG 或 JavaScript），不是 {accept.labels()} 文件，"
                      f"不予接收；{accept.hint}。", field)
    if head.startswith(_ZIP):
        what = _zip_kind(content)
        if what.endswith("程序"):
            raise _executable(name, what, accept, field)
        if what.endswith("压缩包"):
            raise _refuse(name, "file_archive", f"是{what}，不是 {accept.labels()} 文件；请解压后逐个上传。", field,
                          detected=what)
        raise _refuse(name, "file_type", f"是{what}，{wanted}Word、Excel 等文档请另存为 PDF 后上传。", field,
                      detected=what)
    for magic, what in _ARCHIVES:
        if head.startswith(magic):
            raise _refuse(name, "file_archive", f"是{what}，不是 {accept.labels()} 文件；请解压后逐个上传。", field,
                          detected=what)
    for magic, what in _OTHER_IMAGES:
        if head.startswith(magic):
            raise _refuse(name, "file_type", f"是{what}，{wanted}请转换为 JPEG 或 PNG 后上传。", field, detected=what)
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        raise _refuse(name, "file_type", f"是 HEIC/HEIF 照片，{wanted}请在手机相机设置中选择“兼容性最佳”"
                      "或转换为 JPEG 后上传。", field, detected="HEIC")
    raise _refuse(name, "file_type", f"不是 {accept.labels()} 文件（按文件内容判断，与扩展名无关）；"
                  f"{accept.hint}。", field)


# ---------------------------------------------------------------- PDF

# Keys and action types that make a PDF do something when opened or clicked, or carry other files inside.
_ACTIVE_KEYS = frozenset({"/JavaScript", "/JS", "/Launch", "/RichMedia", "/XFA"})
_ACTIVE_TYPES = frozenset({"/JavaScript", "/Launch", "/RichMedia", "/RichMediaExecute", "/ImportData"})
# Embedded files are data in the platform's own e-licences (their canonical data and seal signature,
# crypto/pades.py), so they are taken when they are data; one that is a program, an archive or a web
# page is refused, under this name.
EMBEDDED_PROGRAM = "/EmbeddedFile"
_MAX_PDF_OBJECTS = 200_000


def _pdf_pages(content: bytes, name: str, accept: AcceptPolicy, field: str) -> int:
    from pypdf import PdfReader

    unreadable = _refuse(name, "file_unreadable", "无法作为 PDF 读取（文件不完整或已损坏），请重新导出或扫描后上传。",
                         field)
    try:
        with warnings.catch_warnings(), _quiet_pypdf():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(content), strict=False)
            if reader.is_encrypted:
                raise _refuse(name, "file_encrypted", "是加密或设有密码、权限限制的 PDF，无法审查；请去除密码"
                              "（例如用阅读器“打印为 PDF”）后上传。", field)
            pages = len(reader.pages)
            active = _active_content(reader.trailer)
    except FileRefused:
        raise
    except Exception:  # a parser of hostile input fails in many ways; each means the same to the uploader
        raise unreadable from None
    if pages < 1:
        raise unreadable
    if pages > accept.max_pages:
        raise _refuse(name, "file_too_many_pages", f"共 {pages} 页，超过每个文件 {accept.max_pages} 页的上限，"
                      "请分册后上传。", field, pages=pages, max_pages=accept.max_pages)
    if active:
        raise _refuse(name, "file_active_content", "含有脚本、启动程序或内嵌程序等主动内容，不予接收；"
                      "请用阅读器“打印为 PDF”或重新扫描后上传。", field, found=sorted(active))
    return pages


def _active_content(trailer: Any) -> set[str]:
    """The active-content keys and action types found in every object reachable from the trailer.

    Walks the parsed objects (names already decoded, object streams already expanded), so neither
    `/J#61vaScript` nor a dictionary inside a compressed object stream escapes, as they would a byte scan.
    """
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, StreamObject

    found: set[str] = set()
    embedded: list[Any] = []
    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [trailer]
    visited = 0
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            ref = (obj.idnum, obj.generation)
            if ref in seen:
                continue
            seen.add(ref)
            obj = obj.get_object()
        visited += 1
        if visited > _MAX_PDF_OBJECTS:
            raise ValueError("too many objects")
        if isinstance(obj, DictionaryObject):
            for key, value in dict.items(obj):
                if key in _ACTIVE_KEYS:
                    found.add(str(key))
                if key in ("/S", "/Type", "/Subtype") and isinstance(value, NameObject) and value in _ACTIVE_TYPES:
                    found.add(str(value))
                if key == "/EF" and isinstance(value.get_object(), DictionaryObject):
                    embedded.extend(dict.values(value.get_object()))
                stack.append(value)
            if obj.get("/Type") == "/EmbeddedFile" and isinstance(obj, StreamObject):
                embedded.append(obj)
        elif isinstance(obj, ArrayObject):
            stack.extend(list.__iter__(obj))
    for item in embedded:
        stream = item.get_object()
        if isinstance(stream, StreamObject) and _is_program(stream.get_data()[:SNIFF_BYTES]):
            found.add(EMBEDDED_PROGRAM)
    return found


def _is_program(head: bytes) -> bool:
    """Whether an embedded file's first bytes are a program, an archive (which may hold one) or a web page.

    Markup inside binary data is not a web page: an e-licence's seal signature (GB/T 38540) embeds the
    seal's picture as SVG. XML data starts with `<` but names no HTML, SVG or script near its start.
    """
    magics = [m for m, _ in _EXECUTABLES] + [m for m, _ in _ARCHIVES] + list(_ZIP)
    page = head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") and _MARKUP.search(head) is not None
    return head.startswith(tuple(magics)) or page


class _quiet_pypdf:
    """pypdf logs every repair of a damaged file; an upload check reports the outcome, not the repairs."""

    def __enter__(self) -> None:
        import logging

        self._logger = logging.getLogger("pypdf")
        self._level = self._logger.level
        self._logger.setLevel(logging.CRITICAL)

    def __exit__(self, *exc: object) -> None:
        self._logger.setLevel(self._level)


# ---------------------------------------------------------------- OFD (GB/T 33190)

_MAX_OFD_ENTRIES = 10_000


def _is_ofd(content: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            return "OFD.xml" in zf.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False


def _zip_kind(content: bytes) -> str:
    """What a ZIP that is not OFD holds, for the refusal."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            names = zf.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return "ZIP 压缩包"
    if "classes.dex" in names or "AndroidManifest.xml" in names:
        return "Android 安装程序"
    if "META-INF/MANIFEST.MF" in names or any(n.endswith(".class") for n in names):
        return "Java 程序"
    if "[Content_Types].xml" in names:
        return "Office 文档"
    return "ZIP 压缩包"


def _ofd_pages(content: bytes, name: str, accept: AcceptPolicy, field: str) -> int:
    unreadable = _refuse(name, "file_unreadable", "无法作为 OFD 读取（文件不完整或已损坏），请重新导出后上传。", field)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            infos = zf.infolist()
            if len(infos) > _MAX_OFD_ENTRIES or sum(i.file_size for i in infos) > 10 * accept.max_bytes:
                raise unreadable  # a zip bomb, or an OFD no one could open
            for info in infos:
                if info.filename.startswith("/") or ".." in info.filename.split("/"):
                    raise unreadable
                with zf.open(info) as entry:
                    if any(entry.read(8).startswith(magic) for magic, _ in _EXECUTABLES[:7]):
                        raise _refuse(name, "file_executable",
                                      "内含可执行程序，出于安全原因不予接收；请重新导出后上传。", field)
            pages = 0
            for doc in _ofd_documents(zf):
                pages += sum(1 for el in _xml(zf, doc).iter() if _local(el.tag) == "Page")
    except FileRefused:
        raise
    except Exception:
        raise unreadable from None
    if pages < 1:
        raise unreadable
    if pages > accept.max_pages:
        raise _refuse(name, "file_too_many_pages", f"共 {pages} 页，超过每个文件 {accept.max_pages} 页的上限，"
                      "请分册后上传。", field, pages=pages, max_pages=accept.max_pages)
    return pages


def _ofd_documents(zf: zipfile.ZipFile) -> Iterator[str]:
    """The Document.xml of each document the OFD.xml entry lists (DocBody/DocRoot)."""
    for el in _xml(zf, "OFD.xml").iter():
        if _local(el.tag) == "DocRoot" and el.text:
            yield el.text.strip().lstrip("/")


def _xml(zf: zipfile.ZipFile, path: str) -> ElementTree.Element:
    with zf.open(path) as f:
        data = f.read(8 * MiB + 1)
    if len(data) > 8 * MiB or b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise ValueError("OFD XML too large or with a DTD")  # OFD needs no DTD; entities are how XML bombs work
    return ElementTree.fromstring(data)  # noqa: S314 - no DTD, hence no entity expansion


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


# ---------------------------------------------------------------- images


def _image_size(content: bytes, kind: Kind, name: str, accept: AcceptPolicy, field: str) -> tuple[int, int, int]:
    """(width, height, frames) from the header; decoded only when the pixel count is within the policy."""
    from PIL import Image

    label = KINDS[kind].label
    unreadable = _refuse(name, "file_unreadable",
                         f"无法作为 {label} 图片读取（文件不完整或已损坏），请重新拍照或导出后上传。", field)

    def bomb(pixels: int | None) -> FileRefused:
        limit = accept.max_image_pixels // 1_000_000
        return _refuse(name, "file_image_too_large", f"图片像素过多（超过 {limit} 百万像素），请缩小图片尺寸后上传。",
                       field, max_pixels=accept.max_image_pixels, pixels=pixels)

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content), formats=[KINDS[kind].pillow or ""]) as img:
                width, height = img.size  # the header only: nothing decoded yet
                if width < 1 or height < 1:
                    raise unreadable
                if width * height > accept.max_image_pixels:
                    raise bomb(width * height)
                frames = int(getattr(img, "n_frames", 1))
                if frames > accept.max_pages:
                    raise _refuse(name, "file_too_many_pages", f"共 {frames} 页，超过每个文件 {accept.max_pages} 页"
                                  "的上限，请分册后上传。", field, pages=frames, max_pages=accept.max_pages)
                img.load()  # a truncated or corrupt image fails here, not in a reviewer's browser
    except FileRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise bomb(None) from None
    except Exception:
        raise unreadable from None
    return width, height, frames
