"""The printable guide (办事指南) as a PDF: A4 pages drawn with reportlab's platypus in the CJK font the
licences use (STSong-Light, a CID font every PDF reader supplies, so nothing is embedded)."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from tongban.seals.image import ensure_cjk_font

if TYPE_CHECKING:
    from tongban.portal.queries import GuidePage


def days(n: int) -> str:
    return "即办" if n == 0 else f"{n} 个工作日"


def guide_facts(page: GuidePage) -> list[tuple[str, list[str]]]:
    """The guide's sections as (heading, lines), shared by the PDF."""
    g = page.guide
    materials = [f"{i}. {m.name}（{m.source_label}{'' if m.required else '，非必需'}）{'：' + m.note if m.note else ''}"
                 for i, m in enumerate(page.materials, start=1)]
    return [
        ("基本信息", [f"事项编码：{g.code}", f"事项类型：{g.item_type}", f"实施主体：{g.department_name}（{g.level}）",
                      f"服务对象：{'、'.join(g.service_objects) or '—'}"]),
        ("申请条件", [f"{i}. {c}" for i, c in enumerate(g.conditions, start=1)] or ["无特别条件"]),
        ("申请材料", materials or ["无需提交材料"]),
        ("办理流程", [f"{i}. {s}" for i, s in enumerate(g.steps, start=1)] or ["—"]),
        ("办理时限与收费", [f"法定办结时限：{days(g.legal_days)}", f"承诺办结时限：{days(g.promised_days)}",
                            f"收费：{g.fee}", f"到办事现场次数：{g.visits} 次",
                            f"办理渠道：{'、'.join(g.channels) or '—'}"]),
        ("办理地点和时间", [f"地点：{g.place or '—'}", f"时间：{g.hours or '—'}"]),
        ("咨询与投诉", [f"咨询电话：{g.consult_phone or '—'}", f"投诉电话：{g.complaint_phone or '—'}"]),
        ("设定依据", [g.legal_basis or "—"]),
        ("办理结果", [f"结果名称：{g.result_name or '—'}"]
         + ([f"电子证照：{g.licence_type}"] if g.licence_type else [])),
    ]


def guide_document(page: GuidePage) -> bytes:
    font = ensure_cjk_font()
    title = ParagraphStyle("title", fontName=font, fontSize=16, leading=22, spaceAfter=4, wordWrap="CJK")
    head = ParagraphStyle("head", fontName=font, fontSize=12, leading=18, spaceBefore=8, spaceAfter=2,
                          wordWrap="CJK")
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=15, wordWrap="CJK")
    small = ParagraphStyle("small", parent=body, fontSize=8.5, leading=12)
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
                            bottomMargin=16 * mm, title=f"{page.name} 办事指南", author="通办",
                            subject=f"事项编码 {page.code}", invariant=1)
    flow: list[object] = [Paragraph(escape(f"{page.name} 办事指南"), title),
                          Paragraph(escape(f"{page.guide.department_name} · 第 {page.guide.version} 版"), small)]
    for heading, lines in guide_facts(page):
        flow.append(Paragraph(escape(heading), head))
        flow.extend(Paragraph(escape(line), body) for line in lines)
    flow += [Spacer(1, 6 * mm), Paragraph(escape("本指南由通办平台依据已发布的实施清单生成，以办理时的最新版本为准。"),
                                          small)]
    doc.build(flow)
    return out.getvalue()
