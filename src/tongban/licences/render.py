"""The printable licence (电子证照版式文件): one A4 page drawn with reportlab, seal and QR code as vectors.

The page carries no raster image and no embedded font (STSong-Light is one of the Adobe CID fonts every
PDF reader supplies), so a licence is a few kilobytes and renders in milliseconds. The same document
renders to the same bytes, which lets a signed licence be rebuilt and compared.
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from datetime import date
from typing import Any, Literal

from reportlab.graphics.barcode import qrencoder
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from tongban.seals.image import SealDesign, draw_seal, ensure_cjk_font

TOO_MUCH_CONTENT = "证照内容过多，一页放不下：请精简字段或改用横版版式。"

_COLOR_RE = re.compile(r"#[0-9A-Fa-f]{6}")
_INK = HexColor("#1A1A1A")
_LABEL_INK = HexColor("#404040")
_FAINT = HexColor("#8A8A8A")
_RULE = HexColor("#DADADA")

# Value sizes tried, largest first, before the page is declared too full.
_VALUE_SIZES = tuple(12.0 - 0.5 * i for i in range(9))  # 12 … 8 pt
_LINE = 1.5  # line height in em
_PAD = 0.5  # padding above and below a row's text, in em
_ANNOTATION_SIZE = 8.5
_QR_SIZE = 28 * mm
_BOTTOM_BLOCK = 46 * mm  # QR code with its caption, issuer, date and the seal over them

# Characters that may not begin a line (避头点): they hang at the end of the previous one instead.
_NO_LINE_START = frozenset("，。、；：？！）》」』】〕〉”’…%,.;:!?)]}")
_ASCII_WORD = re.compile(r"[!-~]+ ?| ")


@dataclass(frozen=True)
class LicenceLayout:
    """How a licence type's page looks; stored as JSON with the licence type."""

    title: str
    subtitle: str = ""
    orientation: Literal["portrait", "landscape"] = "portrait"
    accent_color: str = "#B22222"
    columns: int = 1
    footer: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.title, str) or not 1 <= len(self.title.strip()) <= 16:
            raise ValueError("版式标题（title）应为 1 到 16 个字，例如“营业执照”。")
        if not isinstance(self.subtitle, str) or len(self.subtitle) > 16:
            raise ValueError("版式副标题（subtitle）最多 16 个字，例如“（副本）”。")
        if self.orientation not in ("portrait", "landscape"):
            raise ValueError("版式方向（orientation）只能是 portrait（竖版）或 landscape（横版）。")
        if not isinstance(self.accent_color, str) or not _COLOR_RE.fullmatch(self.accent_color):
            raise ValueError("版式主色（accent_color）应写成 #RRGGBB 形式，例如 #B22222。")
        if isinstance(self.columns, bool) or self.columns not in (1, 2):
            raise ValueError("版式栏数（columns）只能是 1 或 2。")
        if not isinstance(self.footer, str) or len(self.footer) > 60:
            raise ValueError("版式页脚（footer）最多 60 个字。")

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> LicenceLayout:
        """Build a layout from a licence type's stored settings; bad settings raise ValueError in Chinese."""
        if not isinstance(d, dict):
            raise ValueError('版式设置应为 JSON 对象，例如 {"title": "营业执照"}。')
        known = [f.name for f in fields(cls)]
        unknown = sorted(set(d) - set(known), key=str)
        if unknown:
            raise ValueError(f"版式设置含未知字段：{'、'.join(map(str, unknown))}；可用字段为：{'、'.join(known)}。")
        if "title" not in d:
            raise ValueError("版式设置缺少标题（title），例如“营业执照”。")
        return cls(**d)

    def to_json(self) -> dict[str, Any]:
        """The layout as the JSON object stored with the licence type."""
        return asdict(self)


@dataclass(frozen=True)
class LicenceDocument:
    """Everything printed on one licence."""

    layout: LicenceLayout
    identifier: str  # GB/T 36904 证照标识
    number: str  # 证照编号
    fields: list[tuple[str, str]]  # (label, value) in the order printed
    issuer_name: str  # 颁发机构
    issue_date: date
    valid_to: date | None  # None: 长期
    annotations: list[tuple[date, str]]  # 加注
    seal: SealDesign
    verify_url: str  # content of the QR code
    version: int
    valid_from: date | None = None  # None: from the issue date


def chinese_date(d: date) -> str:
    """A date as printed on Chinese documents: 2026年11月22日 (no leading zeros)."""
    return f"{d.year}年{d.month}月{d.day}日"


_em_cache: dict[str, float] = {}


def _em(text: str) -> float:
    """Width of `text` in STSong-Light, in em."""
    total = 0.0
    for ch in text:
        width = _em_cache.get(ch)
        if width is None:
            width = pdfmetrics.stringWidth(ch, ensure_cjk_font(), 1.0)
            _em_cache[ch] = width
        total += width
    return total


def _tokens(paragraph: str) -> list[str]:
    """Break points of a paragraph: every CJK character alone, ASCII words whole (with their space)."""
    tokens: list[str] = []
    i = 0
    while i < len(paragraph):
        match = _ASCII_WORD.match(paragraph, i)
        if match:
            tokens.append(match.group())
            i = match.end()
        else:
            tokens.append(paragraph[i])
            i += 1
    return tokens


def wrap(text: str, max_em: float) -> list[str]:
    """Lines of `text` no wider than `max_em` em; explicit line breaks are kept."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line, width = "", 0.0
        for token in _tokens(paragraph):
            if line and width + _em(token.rstrip()) > max_em:
                if len(token) == 1 and token in _NO_LINE_START:
                    line += token  # hanging punctuation, as Chinese typesetting does
                    width += _em(token)
                    continue
                lines.append(line.rstrip())
                line, width = "", 0.0
            if not line:
                token = token.lstrip()
            if _em(token.rstrip()) > max_em:
                # A word longer than a whole line is cut wherever it has to be.
                for ch in token:
                    if line and width + _em(ch) > max_em:
                        lines.append(line.rstrip())
                        line, width = "", 0.0
                    line += ch
                    width += _em(ch)
                continue
            line += token
            width += _em(token)
        lines.append(line.rstrip())
    return lines


@dataclass
class _Cell:
    label: list[str]
    value: list[str]
    distribute: bool  # spread a one-line label over the label column, like 名　　称


@dataclass
class _Table:
    size: float
    label_width: float
    value_width: float
    cell_width: float
    rows: list[list[_Cell]]
    heights: list[float]

    @property
    def height(self) -> float:
        return sum(self.heights)


def _measure_table(doc_fields: Sequence[tuple[str, str]], columns: int, width: float, size: float) -> _Table:
    """Wrap every label and value at `size` pt and measure the rows."""
    gutter = 8 * mm
    cell_width = (width - gutter * (columns - 1)) / columns
    gap = 1.2 * size
    label_width = min(max((_em(label) for label, _ in doc_fields), default=0.0) * size, 0.32 * cell_width)
    value_width = cell_width - label_width - gap
    cells = []
    for label, value in doc_fields:
        label_lines = wrap(label, label_width / size)
        cells.append(
            _Cell(
                label_lines,
                wrap(value, value_width / size),
                len(label_lines) == 1 and len(label) > 1 and all(ord(ch) > 0x2E80 for ch in label),
            )
        )
    rows = [cells[i : i + columns] for i in range(0, len(cells), columns)]
    heights = [(max(max(len(c.label), len(c.value)) for c in row) * _LINE + 2 * _PAD) * size for row in rows]
    return _Table(size, label_width, value_width, cell_width, rows, heights)


def _annotation_lines(annotations: Sequence[tuple[date, str]], width: float) -> list[str]:
    """The 加注 entries wrapped to the box's width."""
    lines = []
    for when, text in annotations:
        lines.extend(wrap(f"{chinese_date(when)}　{text}", width / _ANNOTATION_SIZE))
    return lines


def _text(
    c: Canvas,
    x: float,
    y: float,
    text: str,
    size: float,
    color: Color,
    align: Literal["left", "center", "right"] = "left",
    char_space: float = 0.0,
) -> None:
    """One line of STSong-Light text, aligned on x."""
    width = _em(text) * size + char_space * max(len(text) - 1, 0)
    if align == "center":
        x -= width / 2
    elif align == "right":
        x -= width
    c.setFillColor(color)
    c.setFont(ensure_cjk_font(), size)
    c.drawString(x, y, text, charSpace=char_space)


def _fit_size(text: str, size: float, width: float, minimum: float) -> float:
    """The largest size up to `size` at which `text` fits `width`, but not below `minimum`."""
    natural = _em(text) * size
    return size if natural <= width else max(minimum, size * width / natural)


def _draw_border(c: Canvas, page_w: float, page_h: float, accent: Color) -> None:
    """The decorative double border with corner brackets."""
    c.setStrokeColor(accent)
    c.setLineWidth(2.2)
    c.rect(10 * mm, 10 * mm, page_w - 20 * mm, page_h - 20 * mm)
    c.setLineWidth(0.7)
    c.rect(12 * mm, 12 * mm, page_w - 24 * mm, page_h - 24 * mm)
    c.setLineWidth(1.2)
    inset, arm = 14 * mm, 9 * mm
    for sx, x in ((1, inset), (-1, page_w - inset)):
        for sy, y in ((1, inset), (-1, page_h - inset)):
            path = c.beginPath()
            path.moveTo(x + sx * arm, y)
            path.lineTo(x, y)
            path.lineTo(x, y + sy * arm)
            c.drawPath(path, stroke=1, fill=0)
            c.setFillColor(accent)
            c.rect(x + sx * 1.6 * mm - 0.9 * mm, y + sy * 1.6 * mm - 0.9 * mm, 1.8 * mm, 1.8 * mm, stroke=0, fill=1)


_BIT_CHARS = bytes.maketrans(b"\x00\x01", b"01")
_RUN = re.compile(r"0{5,}|1{5,}")
_FINDER_LIKE = re.compile(r"(?=10111010000|00001011101)")


def _mask_penalty(modules: Sequence[Sequence[bool]]) -> int:
    """ISO/IEC 18004 mask penalty (rules N1–N4) of a QR symbol; lower reads more reliably."""
    n = len(modules)
    rows = [bytes(row).translate(_BIT_CHARS).decode() for row in modules]
    cols = ["".join(col) for col in zip(*rows, strict=True)]
    score = 0
    for line in rows + cols:
        score += sum(len(run) - 2 for run in _RUN.findall(line))  # N1: 3 + (run - 5)
        # N3: a finder-like 1:1:3:1:1 pattern with four light modules on a side; the quiet zone is light.
        score += 40 * len(_FINDER_LIKE.findall(f"0000{line}0000"))
    bits = [int(row, 2) for row in rows]
    inner = (1 << (n - 1)) - 1
    for a, b in itertools.pairwise(bits):
        same = ~(a ^ b) & ~(a ^ (a >> 1)) & ~(b ^ (b >> 1)) & inner
        score += 3 * same.bit_count()  # N2: 2×2 blocks of one colour
    dark = sum(row.count("1") for row in rows)
    score += 10 * int(abs(dark * 100 / (n * n) - 50) // 5)  # N4: balance of dark and light
    return score


def qr_modules(content: str) -> list[list[bool]]:
    """The modules of a QR code (error correction M), rows top down, True = dark."""
    qr = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    qr.addData(content)
    # reportlab's own make() scores the 8 masks with a pure-Python penalty that costs ~10 ms a code,
    # most of a licence's render time; the standard's rules on strings and bit sets take ~0.3 ms a mask.
    # Any mask is valid for a reader (the symbol names its mask); the score only picks the cleanest.
    qr.version = qr.calculate_version()
    best: tuple[int, list[list[bool]]] | None = None
    for mask in range(8):
        qr.makeImpl(False, mask)  # builds a fresh module matrix each time
        score = _mask_penalty(qr.modules)
        if best is None or score < best[0]:
            best = (score, qr.modules)
    assert best is not None
    return [[bool(m) for m in row] for row in best[1]]


def _draw_qr(c: Canvas, x: float, y: float, size: float, content: str) -> None:
    """A QR code as one vector path, lower-left corner at (x, y)."""
    modules = qr_modules(content)
    module = size / len(modules)
    path = c.beginPath()
    for r, row in enumerate(modules):
        top = y + size - (r + 1) * module
        start = None
        for col, dark in enumerate([*row, False]):
            if dark and start is None:
                start = col
            elif not dark and start is not None:
                # Runs overlap their neighbours by a hair so no seams show between modules.
                path.rect(x + start * module, top - 0.01, (col - start) * module + 0.01, module + 0.02)
                start = None
    c.setFillColor(HexColor("#000000"))
    c.drawPath(path, stroke=0, fill=1)


def _draw_table(c: Canvas, table: _Table, left: float, top: float, gutter: float) -> None:
    """The fields as label/value rows, separated by faint rules."""
    size = table.size
    y = top
    for row, height in zip(table.rows, table.heights, strict=True):
        for i, cell in enumerate(row):
            x = left + i * (table.cell_width + gutter)
            baseline = y - _PAD * size - 0.5 * (_LINE - 1) * size - 0.88 * size
            if cell.distribute and len(cell.label[0]) > 1:
                natural = _em(cell.label[0]) * size
                spread = (table.label_width - natural) / (len(cell.label[0]) - 1)
                _text(c, x, baseline, cell.label[0], size, _LABEL_INK, char_space=max(spread, 0.0))
            else:
                for j, line in enumerate(cell.label):
                    _text(c, x, baseline - j * _LINE * size, line, size, _LABEL_INK)
            value_x = x + table.label_width + 1.2 * size
            for j, line in enumerate(cell.value):
                _text(c, value_x, baseline - j * _LINE * size, line, size, _INK)
        y -= height
        c.setStrokeColor(_RULE)
        c.setLineWidth(0.4)
        c.line(left, y, left + table.cell_width * len(table.rows[0]) + gutter * (len(table.rows[0]) - 1), y)


def render_pdf(doc: LicenceDocument) -> bytes:
    """The licence as a one-page A4 PDF; raises ValueError when the content cannot fit on one page."""
    layout = doc.layout
    page_w, page_h = landscape(A4) if layout.orientation == "landscape" else A4
    accent = HexColor(layout.accent_color)

    left, right = 22 * mm, page_w - 22 * mm
    width = right - left
    top, bottom = page_h - 20 * mm, 17 * mm

    # Bottom up: footer, identifier line, the block with the QR code and the seal, the 加注 box.
    footer_y = bottom
    id_y = footer_y + (5 * mm if layout.footer else 0.0)
    block_bottom = id_y + 5 * mm
    block_top = block_bottom + _BOTTOM_BLOCK
    note_lines = _annotation_lines(doc.annotations, width - 16 * mm) if doc.annotations else []
    note_height = (len(note_lines) * _LINE * _ANNOTATION_SIZE + 3 * mm) if note_lines else 0.0
    table_bottom = block_top + (note_height + 4 * mm if note_lines else 0.0)

    # Top down: title, subtitle, number and validity, rule.
    title_size = _fit_size(layout.title, 30.0, width * 0.8, 16.0)
    title_space = title_size * (0.6 if len(layout.title) <= 6 else 0.1)
    title_y = top - 0.88 * title_size - 2 * mm
    cursor = title_y - 0.12 * title_size
    if layout.subtitle:
        cursor -= 14 * 1.4
        subtitle_y = cursor
    meta_size = 10.5
    cursor -= 6 * mm + meta_size * 0.88
    meta_y = cursor
    rule_y = meta_y - 0.12 * meta_size - 2.5 * mm
    table_top = rule_y - 1 * mm

    gutter = 8 * mm
    for size in _VALUE_SIZES:
        table = _measure_table(doc.fields, layout.columns, width, size)
        if table.height <= table_top - table_bottom:
            break
    else:
        raise ValueError(TOO_MUCH_CONTENT)

    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=(page_w, page_h), invariant=1, pageCompression=1, lang="zh-CN")
    c.setTitle(f"{layout.title} {doc.number}")
    c.setAuthor(doc.issuer_name)
    c.setSubject("电子证照")
    c.setCreator("通办 Tongban")

    _draw_border(c, page_w, page_h, accent)
    center_x = page_w / 2
    _text(c, center_x, title_y, layout.title, title_size, accent, "center", title_space)
    if layout.subtitle:
        _text(c, center_x, subtitle_y, layout.subtitle, 14.0, accent, "center")
    number_text = f"证照编号：{doc.number}"
    validity = (
        f"有效期限：{chinese_date(doc.valid_from or doc.issue_date)}至{chinese_date(doc.valid_to)}" if doc.valid_to
        else "有效期限：长期"
    )
    meta_fit = _fit_size(number_text + "　　" + validity, meta_size, width, 6.0)
    _text(c, left, meta_y, number_text, meta_fit, _INK)
    _text(c, right, meta_y, validity, meta_fit, _INK, "right")
    c.setStrokeColor(accent)
    c.setLineWidth(0.8)
    c.line(left, rule_y, right, rule_y)

    _draw_table(c, table, left, table_top, gutter)

    if note_lines:
        box_top = table_bottom - 2 * mm
        c.setStrokeColor(accent)
        c.setLineWidth(0.5)
        c.rect(left, box_top - note_height, width, note_height, stroke=1, fill=0)
        line_y = box_top - 1.5 * mm - 0.88 * _ANNOTATION_SIZE - 0.25 * _ANNOTATION_SIZE
        _text(c, left + 3 * mm, line_y, "加注", _ANNOTATION_SIZE + 1, accent)
        for line in note_lines:
            _text(c, left + 14 * mm, line_y, line, _ANNOTATION_SIZE, _INK)
            line_y -= _LINE * _ANNOTATION_SIZE

    qr_y = block_bottom + 6 * mm
    _draw_qr(c, left, qr_y, _QR_SIZE, doc.verify_url)
    _text(c, left + _QR_SIZE / 2, block_bottom + 1.5 * mm, "扫码核验", 9.0, _INK, "center")

    # Issuer and date, with the seal over the date (骑年盖月) like a stamped paper document.
    issuer_x = right - 38 * mm
    date_y = block_bottom + 20 * mm
    issuer_size = _fit_size(doc.issuer_name, 14.0, 70 * mm, 8.0)
    _text(c, issuer_x, date_y + 9 * mm, doc.issuer_name, issuer_size, _INK, "center")
    _text(c, issuer_x, date_y, chinese_date(doc.issue_date), 13.0, _INK, "center")
    draw_seal(c, issuer_x, date_y + 0.38 * 13.0 + 1 * mm, doc.seal)

    id_text = f"证照标识：{doc.identifier}　版本：{doc.version}"
    _text(c, left, id_y, id_text, _fit_size(id_text, 7.0, width, 4.5), _FAINT)
    if layout.footer:
        _text(c, center_x, footer_y, layout.footer, _fit_size(layout.footer, 9.0, width, 6.0), _FAINT, "center")

    c.showPage()
    c.save()
    return buffer.getvalue()
