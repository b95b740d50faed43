"""The licence PDF: reproducible bytes, every printed value readable back, one page or a clear refusal."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from tongban.licences.render import TOO_MUCH_CONTENT, LicenceDocument, LicenceLayout, qr_modules, render_pdf, wrap
from tongban.seals.image import SealDesign

IDENTIFIER = "1.2.156.3005.2.11100000MB0143028R001.12610900MB1234567X.202611220001.001.K"
VERIFY_URL = f"https://tongban.example.gov.cn/v/{IDENTIFIER}?c=8f3a9c2e"
SCOPE = (
    "一般项目：农产品的生产、销售、加工、运输、贮藏及其他相关服务；食用农产品初加工；食用农产品批发；"
    "农副产品销售；谷物种植；蔬菜种植；食用菌种植；茶叶种植；中草药种植；水果种植；林业产品销售。"
    "（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）"
    "网址 https://example.com/a-very-long-address-that-is-longer-than-one-line-of-the-table/and/more"
)
FIELDS = [
    ("统一社会信用代码", "91610900MA7G8XYZ1K"),
    ("名称", "安康市汉滨区秦巴山珍农产品专业合作社"),
    ("类型", "农民专业合作社"),
    ("法定代表人", "张三丰"),
    ("注册资本", "伍佰万元整（人民币 5,000,000.00 元）"),
    ("住所", "陕西省安康市汉滨区江北街道办事处育才路 128 号安康高新技术产业开发区创业服务中心 3 楼 301 室"),
    ("经营范围", SCOPE),
]


def licence(
    *,
    orientation: str = "portrait",
    columns: int = 1,
    fields: list[tuple[str, str]] | None = None,
    valid_to: date | None = None,
    annotations: list[tuple[date, str]] | None = None,
) -> LicenceDocument:
    return LicenceDocument(
        layout=LicenceLayout.from_json(
            {
                "title": "营业执照",
                "subtitle": "（副本）",
                "orientation": orientation,
                "columns": columns,
                "footer": "请扫描二维码核验证照真伪",
            }
        ),
        identifier=IDENTIFIER,
        number="610902000202611220001",
        fields=FIELDS if fields is None else fields,
        issuer_name="安康市汉滨区市场监督管理局",
        issue_date=date(2026, 11, 22),
        valid_to=valid_to,
        annotations=annotations or [],
        seal=SealDesign("安康市汉滨区市场监督管理局", "审批专用章", "6109020012345"),
        verify_url=VERIFY_URL,
        version=3,
    )


_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"(": b"(", b")": b")", b"\\": b"\\"}
_TOKEN = re.compile(rb"/([A-Za-z0-9]+)\s+([\d.]+)\s+Tf|\(((?:\\.|[^\\()])*)\)\s*Tj", re.S)


def _unescape(literal: bytes) -> bytes:
    out = bytearray()
    i = 0
    while i < len(literal):
        ch = literal[i : i + 1]
        if ch != b"\\":
            out += ch
            i += 1
            continue
        octal = re.match(rb"[0-7]{1,3}", literal[i + 1 : i + 4])
        if octal:
            out.append(int(octal.group(), 8) & 0xFF)
            i += 1 + len(octal.group())
        elif literal[i + 1 : i + 2] == b"\n":
            i += 2
        else:
            out += _ESCAPES.get(literal[i + 1 : i + 2], literal[i + 1 : i + 2])
            i += 2
    return bytes(out)


def pdf_text_runs(pdf: bytes) -> list[tuple[float, str]]:
    """The strings shown on page 1 with their font size, decoded the way a reader decodes them.

    pyhanko reads PDFs but does not extract text, and poppler's pdftotext may be missing where the tests
    run. So this follows the font in force for each Tj: the CID font's UniGB-UCS2-H CMap maps UTF-16BE
    code units to glyphs, hence decoding the shown bytes as UTF-16BE is exactly what a viewer does
    before it looks the glyphs up. Single-byte fonts decode as Latin-1.
    """
    reader = PdfFileReader(io.BytesIO(pdf))
    page = reader.root["/Pages"]["/Kids"][0]
    encodings = {
        str(name)[1:]: str(font.get_object().get("/Encoding", "")) for name, font in page["/Resources"]["/Font"].items()
    }
    contents = page["/Contents"]
    data = b"".join(c.get_object().data for c in contents) if isinstance(contents, list) else contents.data
    runs: list[tuple[float, str]] = []
    font, size = "", 0.0
    for match in _TOKEN.finditer(data):
        if match.group(1):
            font, size = match.group(1).decode(), float(match.group(2))
            continue
        raw = _unescape(match.group(3))
        text = raw.decode("utf-16-be") if encodings.get(font) == "/UniGB-UCS2-H" else raw.decode("latin-1")
        runs.append((size, text))
    return runs


def page_text(pdf: bytes) -> str:
    """All text shown on page 1, in drawing order."""
    return "".join(text for _, text in pdf_text_runs(pdf))


def squeeze(text: str) -> str:
    """Text without whitespace: wrapped lines drop the space at a break, and labels are letter-spaced."""
    return "".join(text.split())


def test_renders_a_small_vector_pdf() -> None:
    pdf = render_pdf(licence())
    assert pdf.startswith(b"%PDF-")
    assert b"/Subtype /Image" not in pdf
    assert len(pdf) < 30_000
    reader = PdfFileReader(io.BytesIO(pdf))
    assert len(reader.root["/Pages"]["/Kids"]) == 1


def test_same_licence_renders_to_the_same_bytes() -> None:
    assert render_pdf(licence()) == render_pdf(licence())


def test_everything_printed_can_be_read_back() -> None:
    pdf = render_pdf(licence(valid_to=date(2031, 11, 21)))
    text = squeeze(page_text(pdf))
    for expected in ["营业执照", "（副本）", "610902000202611220001", "安康市汉滨区市场监督管理局", "2026年11月22日"]:
        assert expected in text
    for label, value in FIELDS:
        assert squeeze(label) in text
        assert squeeze(value) in text, f"{label} was cut"
    assert "2031年11月21日" in text and "扫码核验" in text
    assert IDENTIFIER in text and "版本：3" in text
    assert "请扫描二维码核验证照真伪" in text


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_a_pdf_reader_extracts_the_text(tmp_path: Path) -> None:
    path = tmp_path / "licence.pdf"
    path.write_bytes(render_pdf(licence()))
    out = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, check=True, text=True).stdout
    text = squeeze(out)
    assert "营业执照" in text and "610902000202611220001" in text and "安康市汉滨区市场监督管理局" in text
    for _, value in FIELDS:
        assert squeeze(value) in text


@pytest.mark.skipif(
    shutil.which("pdftoppm") is None or shutil.which("zbarimg") is None, reason="poppler-utils or zbar-tools missing"
)
def test_the_qr_code_scans_to_the_verification_address(tmp_path: Path) -> None:
    path = tmp_path / "licence.pdf"
    path.write_bytes(render_pdf(licence()))
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(path), str(tmp_path / "page")], check=True)
    png = next(tmp_path.glob("page*.png"))
    out = subprocess.run(["zbarimg", "-q", "--raw", str(png)], capture_output=True, text=True).stdout
    assert out.strip() == VERIFY_URL


def test_qr_code_has_its_three_finder_patterns() -> None:
    modules = qr_modules(VERIFY_URL)
    n = len(modules)
    assert n >= 21 and (n - 17) % 4 == 0 and all(len(row) == n for row in modules)
    for top, left in [(0, 0), (0, n - 7), (n - 7, 0)]:
        ring = [modules[top + i][left + j] for i in range(7) for j in range(7) if i in (0, 6) or j in (0, 6)]
        core = [modules[top + i][left + j] for i in range(2, 5) for j in range(2, 5)]
        assert all(ring) and all(core)


def test_metadata_names_the_licence_and_its_issuer() -> None:
    info = PdfFileReader(io.BytesIO(render_pdf(licence()))).trailer["/Info"]
    assert info["/Title"] == "营业执照 610902000202611220001"
    assert info["/Author"] == "安康市汉滨区市场监督管理局"
    assert info["/Subject"] == "电子证照"


def test_validity_prints_long_term_without_an_end_date() -> None:
    text = page_text(render_pdf(licence()))
    assert "有效期限：长期" in text


def test_landscape_pages_are_wider_than_tall() -> None:
    for orientation, wide in [("landscape", True), ("portrait", False)]:
        page = PdfFileReader(io.BytesIO(render_pdf(licence(orientation=orientation, columns=2)))).root["/Pages"][
            "/Kids"
        ][0]
        x0, y0, x1, y1 = (float(v) for v in page["/MediaBox"])
        assert (x1 - x0 > y1 - y0) is wide


def test_two_columns_show_every_value() -> None:
    text = squeeze(page_text(render_pdf(licence(columns=2))))
    for _, value in FIELDS:
        assert squeeze(value) in text


def test_annotations_get_their_box_only_when_there_are_some() -> None:
    notes = [(date(2026, 12, 1), "经营范围变更，增加“食品销售”。"), (date(2027, 3, 5), "住所变更为现址。")]
    text = page_text(render_pdf(licence(annotations=notes)))
    assert "加注" in text and "2026年12月1日" in text and "住所变更为现址。" in text
    assert "加注" not in page_text(render_pdf(licence()))


def test_a_full_page_shrinks_the_type_instead_of_cutting_text() -> None:
    many = FIELDS + [(f"备注{i}", "这是一段用于检验排版的较长说明文字，" * 3) for i in range(8)]
    pdf = render_pdf(licence(fields=many))
    text = squeeze(page_text(pdf))
    for _, value in many:
        assert squeeze(value) in text
    size_of = {text: size for size, text in pdf_text_runs(pdf)}
    assert 8.0 <= size_of["张三丰"] < 12.0, "the fields should have been set smaller, but not below 8 pt"


def test_too_many_fields_are_refused_in_chinese() -> None:
    too_many = [(f"字段{i}", "这是一段很长的字段内容，" * 6) for i in range(40)]
    with pytest.raises(ValueError, match=TOO_MUCH_CONTENT):
        render_pdf(licence(fields=too_many))
    assert TOO_MUCH_CONTENT == "证照内容过多，一页放不下：请精简字段或改用横版版式。"


def test_wrapped_lines_fit_and_keep_every_character() -> None:
    text = "陕西省安康市汉滨区江北街道，育才路128号。https://example.com/" + "x" * 80 + " end"
    lines = wrap(text, 10)
    assert squeeze("".join(lines)) == squeeze(text)
    assert not any(line[:1] in "，。" for line in lines)  # no line starts with a closing mark
    assert wrap("第一行\n第二行", 20) == ["第一行", "第二行"]


def test_layout_round_trips_through_json() -> None:
    settings = {
        "title": "食品经营许可证",
        "subtitle": "",
        "orientation": "landscape",
        "accent_color": "#1F4E79",
        "columns": 2,
        "footer": "国家市场监督管理总局监制",
    }
    layout = LicenceLayout.from_json(settings)
    assert layout.to_json() == settings
    assert LicenceLayout.from_json({"title": "营业执照"}) == LicenceLayout(title="营业执照")


@pytest.mark.parametrize(
    ("settings", "hint"),
    [
        ({"title": "营业执照", "colour": "#FF0000"}, "colour"),
        ({"title": "营业执照", "accent_color": "red"}, "accent_color"),
        ({"title": "营业执照", "accent_color": "#12345"}, "accent_color"),
        ({"title": "营业执照", "accent_color": "#B22222\n"}, "accent_color"),
        ({"title": "营业执照", "columns": 3}, "columns"),
        ({"title": "营业执照", "columns": True}, "columns"),
        ({"title": "营业执照", "orientation": "sideways"}, "orientation"),
        ({"subtitle": "（副本）"}, "title"),
        ({"title": ""}, "title"),
    ],
)
def test_layout_rejects_bad_settings_saying_what_to_fix(settings: dict, hint: str) -> None:
    with pytest.raises(ValueError) as err:
        LicenceLayout.from_json(settings)
    message = str(err.value)
    assert hint in message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message)
