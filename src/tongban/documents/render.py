"""The printed document (文书版式), after GB/T 9704-2012 党政机关公文格式 where it applies.

A4; 版心 156 × 225 mm (天头 37 mm, 订口 28 mm); the issuing authority's name in red over the 发文字号 and
the red separator line (版头); the title centred, the addressee (主送) flush left with a colon, the body
with a two-character first-line indent, 28 characters a line; the authority's name and the date of
issue (成文日期, Arabic numerals) right-aligned four characters in, the seal over both (上压正文, 下压日期);
the page number as "— 1 —". One CID font (STSong-Light, supplied by every PDF reader), no images, so the
same document renders to the same bytes (reportlab's invariant mode).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.colors import HexColor
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable, HRFlowable, Paragraph, SimpleDocTemplate, Spacer

from tongban.seals.image import SealDesign, draw_seal, ensure_cjk_font

_RED = HexColor("#D7000F")
_INK = HexColor("#000000")
_FAINT = HexColor("#707070")
_BODY = 16.0  # 三号
_TITLE = 22.0  # 二号
_LEADING = 28.0  # 22 lines in the 225 mm 版心
_WIDTH = 156 * mm


@dataclass(frozen=True)
class OfficialDocument:
    """Everything printed on one document."""

    authority: str  # 发文机关 (the department's full name)
    number: str  # 发文字号
    title: str  # 受理通知书 …
    addressee: str  # 主送: the applicant
    paragraphs: list[str]  # the body
    issue_date: date  # 成文日期
    seal: SealDesign
    note: str = ""  # small print under the signature: how to verify


def chinese_date(d: date) -> str:
    """A date as GB/T 9704 prints the 成文日期: 2026年12月3日."""
    return f"{d.year}年{d.month}月{d.day}日"


def _style(name: str, size: float, *, align: int = TA_LEFT, color: Any = _INK, leading: float | None = None,
           indent: float = 0.0) -> ParagraphStyle:
    return ParagraphStyle(name, fontName=ensure_cjk_font(), fontSize=size, leading=leading or size * 1.5,
                          alignment=align, textColor=color, wordWrap="CJK", firstLineIndent=indent)


class _Signature(Flowable):
    """发文机关署名 and 成文日期, right-aligned four characters in, with the seal stamped over both."""

    def __init__(self, authority: str, issue_date: date, seal: SealDesign) -> None:
        super().__init__()
        self.authority, self.issue_date, self.seal = authority, issue_date, seal
        self.height = 2 * _LEADING + 12 * mm

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        return available_width, self.height

    def draw(self) -> None:
        c = self.canv
        font = ensure_cjk_font()
        date_text = chinese_date(self.issue_date)
        right = self.width - 4 * _BODY  # 右空四字
        date_y = 4 * mm
        date_w = pdfmetrics.stringWidth(date_text, font, _BODY)
        # The authority's name is centred over the date (居中), unless it is too long to stay in the line.
        centre = right - date_w / 2
        name_w = pdfmetrics.stringWidth(self.authority, font, _BODY)
        name_x = min(centre - name_w / 2, self.width - name_w)
        c.setFillColor(_INK)
        c.setFont(font, _BODY)
        c.drawString(right - date_w, date_y, date_text)
        c.drawString(max(name_x, 0.0), date_y + _LEADING, self.authority)
        draw_seal(c, centre, date_y + _LEADING * 0.75, self.seal)


def _page_number(canvas: Any, doc: Any) -> None:
    """页码: "— n —" in 四号 below the 版心, centred."""
    canvas.saveState()
    canvas.setFont(ensure_cjk_font(), 14)
    canvas.setFillColor(_INK)
    canvas.drawCentredString(A4[0] / 2, 20 * mm, f"— {doc.page} —")
    canvas.restoreState()


def render_pdf(doc: OfficialDocument) -> bytes:
    """The document as an A4 PDF (as many pages as the body needs)."""
    font = ensure_cjk_font()
    buffer = io.BytesIO()
    template = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=28 * mm, rightMargin=A4[0] - 28 * mm - _WIDTH,
                                 topMargin=37 * mm, bottomMargin=A4[1] - 37 * mm - 225 * mm, invariant=1,
                                 lang="zh-CN", title=f"{doc.title} {doc.number}", author=doc.authority,
                                 subject=doc.title, creator="通办 Tongban")
    head_size = min(26.0, _WIDTH / max(pdfmetrics.stringWidth(doc.authority, font, 1.0), 1.0))
    story: list[Flowable] = [
        Paragraph(escape(doc.authority), _style("authority", head_size, align=TA_CENTER, color=_RED)),
        Spacer(1, 8 * mm),
        Paragraph(escape(doc.number), _style("number", _BODY, align=TA_CENTER)),
        Spacer(1, 2 * mm),
        HRFlowable(width="100%", thickness=1.2, color=_RED, spaceBefore=0, spaceAfter=2 * _LEADING / 2),
        Paragraph(escape(doc.title), _style("title", _TITLE, align=TA_CENTER, leading=_TITLE * 1.5)),
        Spacer(1, _LEADING / 2),
        Paragraph(escape(doc.addressee) + "：", _style("addressee", _BODY, leading=_LEADING)),
    ]
    body = _style("body", _BODY, align=TA_JUSTIFY, leading=_LEADING, indent=2 * _BODY)
    story += [Paragraph(escape(p), body) for p in doc.paragraphs]
    story += [Spacer(1, _LEADING), _Signature(doc.authority, doc.issue_date, doc.seal)]
    if doc.note:
        story += [Spacer(1, 4 * mm), Paragraph(escape(doc.note), _style("note", 9.0, color=_FAINT))]
    template.build(story, onFirstPage=_page_number, onLaterPages=_page_number)
    return buffer.getvalue()
