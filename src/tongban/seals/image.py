"""The picture of an electronic seal (电子印章): the red round official seal drawn from a department's name.

One geometry (`layout`) in millimetres, two renderers: `seal_svg` for web pages and `draw_seal` for
PDFs, so a seal looks the same on screen and on a licence. Neither renderer needs a font file: the SVG
names the usual Chinese system fonts and the PDF uses the Adobe CID font STSong-Light, which every PDF
reader supplies.
"""

from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from reportlab.lib.colors import HexColor
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont

CJK_FONT = "STSong-Light"
SVG_FONT_FAMILY = "STSong, SimSun, 'Songti SC', 'Noto Serif CJK SC', 'WenQuanYi Micro Hei', serif"
# Seal names that a real seal does not print: a 公章 carries only the organisation arc and the star.
UNPRINTED_SEAL_NAMES = frozenset({"", "公章"})

_COLOR_RE = re.compile(r"#[0-9A-Fa-f]{6}")
_CODE_RE = re.compile(r"[0-9A-Za-z]{0,24}")
# A CJK glyph's em box runs from 0.12 em below the baseline to 0.88 em above it (Adobe-GB1 and the
# usual system fonts), so its centre sits 0.38 em above the baseline.
_EM_CENTER = 0.38
_EM_ASCENT = 0.88
_DIGIT_ADVANCE = 0.62  # em; STSong-Light digits are 0.462 em wide, the rest is air between them
# Text is filled and thinly stroked in both renderers: real seal strokes are bolder than a book face.
_TEXT_STROKE_MM = 0.08

_font_lock = threading.Lock()
_font_registered = False


def ensure_cjk_font() -> str:
    """Register the STSong-Light CID font with reportlab once and return its name."""
    global _font_registered
    if not _font_registered:
        with _font_lock:
            if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
            _font_registered = True
    return CJK_FONT


@dataclass(frozen=True)
class SealDesign:
    """What a seal shows: the organisation, the seal's name and code, its size and colour."""

    organization: str
    seal_name: str = ""
    code: str = ""
    diameter_mm: float = 42.0
    color: str = "#D7141A"

    def __post_init__(self) -> None:
        org = self.organization.strip()
        if not 2 <= len(org) <= 25:
            raise ValueError("印章上的单位名称应为 2 到 25 个字，请检查单位名称。")
        if org != self.organization or not all(ch.isprintable() and not ch.isspace() for ch in org):
            raise ValueError("印章上的单位名称不能含空格、换行或控制字符，请删去这些字符。")
        if len(self.seal_name) > 10 or not all(ch.isprintable() and not ch.isspace() for ch in self.seal_name):
            raise ValueError("印章名称最多 10 个字且不能含空格，例如“审批专用章”。")
        if not _CODE_RE.fullmatch(self.code):
            raise ValueError("印章编码只能由最多 24 位数字或字母组成，请检查印章编码。")
        if not 30.0 <= self.diameter_mm <= 60.0:
            raise ValueError("印章直径应在 30 到 60 毫米之间（公章通常为 42 毫米，专用章通常为 40 毫米）。")
        if not _COLOR_RE.fullmatch(self.color):
            raise ValueError("印章颜色应写成 #RRGGBB 形式，例如 #D7141A。")

    @property
    def prints_name(self) -> bool:
        """Whether the seal name is printed under the star (专用章 yes, 公章 no)."""
        return self.seal_name not in UNPRINTED_SEAL_NAMES


@dataclass(frozen=True)
class SealGlyph:
    """One character of a seal: anchored at the middle of its baseline, rotated counter-clockwise (y up)."""

    char: str
    x: float
    y: float
    rotation: float  # degrees, counter-clockwise; 0 = upright on the page
    size: float  # em size in mm
    scale_x: float = 1.0  # horizontal compression, as long names are set in narrow characters

    @property
    def width(self) -> float:
        """Width of the glyph's em box after compression, in mm."""
        return self.size * self.scale_x

    @property
    def center(self) -> tuple[float, float]:
        """Centre of the glyph's em box, in mm."""
        up = math.radians(self.rotation + 90.0)
        return (self.x + _EM_CENTER * self.size * math.cos(up), self.y + _EM_CENTER * self.size * math.sin(up))


@dataclass(frozen=True)
class SealLayout:
    """A seal's geometry in mm, centre at (0, 0), y up."""

    diameter: float
    color: str
    ring_radius: float  # of the ring's centre line
    ring_width: float
    star: tuple[tuple[float, float], ...]  # ten vertices, outer and inner alternating, the top point first
    organization: tuple[SealGlyph, ...]
    name: tuple[SealGlyph, ...]
    code: tuple[SealGlyph, ...]

    @property
    def glyphs(self) -> tuple[SealGlyph, ...]:
        """Every character of the seal."""
        return self.organization + self.name + self.code


def _arc_span_degrees(n: int) -> float:
    """Angle the organisation name spreads over: 210° for short names up to 250° for long ones."""
    if n <= 1:
        return 0.0
    t = min(max((n - 8) / 12.0, 0.0), 1.0)
    span = 210.0 + 40.0 * t
    # A short name (fewer than 8 characters) would scatter over 210°; real seals keep it together.
    return min(span, 36.0 * (n - 1))


def _organization_glyphs(text: str, k: float, r_out: float) -> tuple[SealGlyph, ...]:
    """Characters along the upper arc, upright towards the rim, reading clockwise from the left."""
    n = len(text)
    size = k * (6.8 if n <= 10 else max(5.0, 6.8 - (n - 10) * 0.12))
    span = _arc_span_degrees(n)
    step = span / (n - 1) if n > 1 else 0.0
    r_inner = r_out - size
    if n > 1:
        # Adjacent upright boxes first touch at their inner corners: half a width must fit in
        # r_inner·tan(step/2); 5 % is left as air between the characters.
        fit = 0.95 * 2.0 * r_inner * math.tan(math.radians(step) / 2.0)
        scale_x = min(1.0, fit / size)
    else:
        scale_x = 1.0
    r_anchor = r_out - _EM_ASCENT * size
    glyphs = []
    for i, ch in enumerate(text):
        theta = 90.0 + span / 2.0 - i * step
        rad = math.radians(theta)
        glyphs.append(SealGlyph(ch, r_anchor * math.cos(rad), r_anchor * math.sin(rad), theta - 90.0, size, scale_x))
    return tuple(glyphs)


def _box_corners(g: SealGlyph) -> list[tuple[float, float]]:
    """The four corners of a glyph's em box on the seal."""
    rad = math.radians(g.rotation)
    ux, uy = math.cos(rad), math.sin(rad)  # along the baseline
    vx, vy = -uy, ux  # up
    half = g.width / 2.0
    below, above = -(1.0 - _EM_ASCENT) * g.size, _EM_ASCENT * g.size
    return [(g.x + s * half * ux + t * vx, g.y + s * half * uy + t * vy) for s in (-1, 1) for t in (below, above)]


def _name_glyphs(
    text: str, k: float, star_radius: float, rim: float, arc: tuple[SealGlyph, ...]
) -> tuple[SealGlyph, ...]:
    """The seal name in one horizontal line under the star, compressed when it is long."""
    size = 4.6 * k
    top = -(star_radius + 1.3 * k)
    baseline = top - _EM_ASCENT * size
    bottom = baseline - (1.0 - _EM_ASCENT) * size
    half = min(11.5 * k, math.sqrt(max(rim * rim - bottom * bottom, 0.0)) - 2.5 * k)
    # A long organisation name comes down the sides to the name's height: keep clear of its ends.
    margin = 0.8 * k
    for g in arc:
        corners = _box_corners(g)
        if min(y for _, y in corners) < top + margin and max(y for _, y in corners) > bottom - margin:
            half = min(half, min(abs(x) for x, _ in corners) - margin)
    scale_x = min(1.0, 2.0 * half / (len(text) * size))
    advance = size * scale_x
    left = -advance * (len(text) - 1) / 2.0
    return tuple(SealGlyph(ch, left + i * advance, baseline, 0.0, size, scale_x) for i, ch in enumerate(text))


def _code_glyphs(code: str, k: float, r_out: float) -> tuple[SealGlyph, ...]:
    """The seal code in small characters along the bottom arc, reading left to right."""
    m = len(code)
    # The organisation arc leaves at least 110° at the bottom; the code keeps ~28 mm (×k) of it.
    size = min(2.3 * k, 28.0 * k / (m * _DIGIT_ADVANCE))
    r_base = r_out - 0.15 * k
    r_mid = r_base - 0.35 * size
    step = math.degrees(_DIGIT_ADVANCE * size / r_mid)
    glyphs = []
    for j, ch in enumerate(code):
        theta = 270.0 - step * (m - 1) / 2.0 + j * step
        rad = math.radians(theta)
        glyphs.append(SealGlyph(ch, r_base * math.cos(rad), r_base * math.sin(rad), (theta + 90.0) % 360.0, size))
    return tuple(glyphs)


def _star(radius: float) -> tuple[tuple[float, float], ...]:
    """A five-pointed star centred at the origin with one point straight up."""
    inner = radius * math.sin(math.radians(18.0)) / math.sin(math.radians(126.0))
    points = []
    for i in range(10):
        r = radius if i % 2 == 0 else inner
        angle = math.radians(90.0 + 36.0 * i)
        points.append((r * math.cos(angle), r * math.sin(angle)))
    return tuple(points)


def layout(design: SealDesign) -> SealLayout:
    """The seal's geometry in millimetres, centre at (0, 0), y up."""
    k = design.diameter_mm / 42.0
    radius = design.diameter_mm / 2.0
    ring_width = 1.2 * k
    rim = radius - ring_width  # inner edge of the ring
    r_out = rim - 0.9 * k  # outer edge of the characters, a hair inside the ring
    star_radius = radius / 3.0  # GA 241: a 14 mm star in a 42 mm seal
    arc = _organization_glyphs(design.organization, k, r_out)
    return SealLayout(
        diameter=design.diameter_mm,
        color=design.color,
        ring_radius=radius - ring_width / 2.0,
        ring_width=ring_width,
        star=_star(star_radius),
        organization=arc,
        name=_name_glyphs(design.seal_name, k, star_radius, rim, arc) if design.prints_name else (),
        code=_code_glyphs(design.code, k, r_out) if design.code else (),
    )


def _n(value: float) -> str:
    """A number for SVG attributes: three decimals, no trailing zeros, no negative zero."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def seal_svg(design: SealDesign) -> str:
    """A standalone SVG of the seal, sized in millimetres."""
    geo = layout(design)
    half = geo.diameter / 2.0
    label = design.organization + (design.seal_name if design.prints_name else "")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(geo.diameter)}mm" height="{_n(geo.diameter)}mm"'
        f' viewBox="{_n(-half)} {_n(-half)} {_n(geo.diameter)} {_n(geo.diameter)}" role="img"'
        f" aria-label={quoteattr(label)}>",
        f"<title>{escape(label)}</title>",
        f'<circle cx="0" cy="0" r="{_n(geo.ring_radius)}" fill="none" stroke="{geo.color}"'
        f' stroke-width="{_n(geo.ring_width)}"/>',
        f'<polygon fill="{geo.color}" points="{" ".join(f"{_n(x)},{_n(-y)}" for x, y in geo.star)}"/>',
        f'<g fill="{geo.color}" stroke="{geo.color}" stroke-width="{_n(_TEXT_STROKE_MM)}"'
        f' font-family="{SVG_FONT_FAMILY}" text-anchor="middle">',
    ]
    for g in geo.glyphs:
        # SVG's y axis points down, so y and the rotation change sign.
        transform = f"translate({_n(g.x)} {_n(-g.y)})"
        if g.rotation:
            transform += f" rotate({_n(-g.rotation)})"
        if g.scale_x != 1.0:
            transform += f" scale({_n(g.scale_x)} 1)"
        parts.append(f'<text transform="{transform}" font-size="{_n(g.size)}">{escape(g.char)}</text>')
    parts.append("</g></svg>")
    return "".join(parts)


def draw_seal(canvas: Any, x_pt: float, y_pt: float, design: SealDesign, opacity: float = 0.85) -> None:
    """Draw the seal on a reportlab canvas, centred at (x_pt, y_pt) in points."""
    font = ensure_cjk_font()
    geo = layout(design)
    color = HexColor(geo.color)
    canvas.saveState()
    canvas.translate(x_pt, y_pt)
    canvas.scale(mm, mm)  # from here on, units are millimetres like the layout's
    # Multiply like ink on paper: black type under the seal stays black instead of turning pink.
    canvas.setBlendMode("Multiply")
    canvas.setFillColor(color, alpha=opacity)
    canvas.setStrokeColor(color, alpha=opacity)

    canvas.setLineWidth(geo.ring_width)
    canvas.circle(0, 0, geo.ring_radius, stroke=1, fill=0)
    star = canvas.beginPath()
    star.moveTo(*geo.star[0])
    for point in geo.star[1:]:
        star.lineTo(*point)
    star.close()
    canvas.drawPath(star, stroke=0, fill=1)

    canvas.setLineWidth(_TEXT_STROKE_MM)
    text = canvas.beginText()
    text.setTextRenderMode(2)  # fill and stroke, like the SVG
    current_size = 0.0
    for g in geo.glyphs:
        if g.size != current_size:
            text.setFont(font, g.size)
            current_size = g.size
        advance = pdfmetrics.stringWidth(g.char, font, g.size) * g.scale_x
        rad = math.radians(g.rotation)
        cos, sin = math.cos(rad), math.sin(rad)
        # The text matrix puts the glyph's origin (left end of its baseline) so that the
        # middle of its baseline lands on the anchor.
        text.setTextTransform(
            g.scale_x * cos, g.scale_x * sin, -sin, cos, g.x - advance / 2.0 * cos, g.y - advance / 2.0 * sin
        )
        text.textOut(g.char)
    canvas.drawText(text)
    canvas.restoreState()
