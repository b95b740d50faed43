"""The seal picture: characters that never collide, a centred star, SVG that parses, a PDF drawing."""

from __future__ import annotations

import io
import itertools
import math
import xml.etree.ElementTree as ET

import pytest
from reportlab.pdfgen.canvas import Canvas

from tests.licences.test_render import page_text
from tongban.seals.image import SealDesign, SealGlyph, draw_seal, ensure_cjk_font, layout, seal_svg

SVG = "{http://www.w3.org/2000/svg}"
# Real department names run from 4 to 25 characters; slices of this one cover every length.
LONG_NAME = "陕西省安康市汉滨区行政审批服务局政务服务中心管委会"


def corners(g: SealGlyph) -> list[tuple[float, float]]:
    """Corners of a glyph's em box (0.12 em below the baseline to 0.88 em above)."""
    rad = math.radians(g.rotation)
    ux, uy = math.cos(rad), math.sin(rad)
    vx, vy = -uy, ux
    return [
        (g.x + s * g.width / 2 * ux + t * vx, g.y + s * g.width / 2 * uy + t * vy)
        for s in (-1, 1)
        for t in (-0.12 * g.size, 0.88 * g.size)
    ]


def angle(g: SealGlyph) -> float:
    cx, cy = g.center
    return math.degrees(math.atan2(cy, cx)) % 360


@pytest.mark.parametrize("diameter", [42.0, 40.0])
@pytest.mark.parametrize("n", range(4, 26))
def test_organisation_characters_never_overlap_and_stay_inside_the_ring(n: int, diameter: float) -> None:
    design = SealDesign(LONG_NAME[:n], "审批专用章", "6109020012345", diameter_mm=diameter)
    geo = layout(design)
    arc = geo.organization
    assert "".join(g.char for g in arc) == design.organization
    rim = geo.ring_radius - geo.ring_width / 2
    span = 0.0
    for a, b in itertools.pairwise(arc):
        step = math.radians((angle(a) - angle(b) + 180) % 360 - 180)
        assert step > 0, "characters read clockwise, left to right"
        span += math.degrees(step)
        # Upright boxes on one circle first touch at their inner corners.
        r_inner = math.hypot(*a.center) - a.size / 2
        assert 2 * r_inner * math.tan(step / 2) >= a.width
    for g in arc:
        assert max(math.hypot(x, y) for x, y in corners(g)) <= rim
        # Upright relative to the centre: the glyph's up direction points away from it.
        assert abs(((g.rotation + 90) - angle(g) + 180) % 360 - 180) < 1e-6
    assert arc[0].x < 0 < arc[-1].x
    if n >= 8:
        assert 209 <= span <= 251


@pytest.mark.parametrize("n", range(4, 26))
def test_seal_name_sits_under_the_star_clear_of_the_arc_and_the_code(n: int) -> None:
    geo = layout(SealDesign(LONG_NAME[:n], "行政审批专用章", "6109020012345"))
    name_boxes = [corners(g) for g in geo.name]
    name_top = max(y for box in name_boxes for _, y in box)
    name_bottom = min(y for box in name_boxes for _, y in box)
    name_half = max(abs(x) for box in name_boxes for x, _ in box)
    assert all(g.rotation == 0 for g in geo.name)
    assert name_top < min(y for _, y in geo.star)
    for g in geo.organization + geo.code:
        box = corners(g)
        if min(y for _, y in box) < name_top and max(y for _, y in box) > name_bottom:
            assert min(abs(x) for x, _ in box) > name_half


def test_code_reads_left_to_right_along_the_bottom_between_the_arc_ends() -> None:
    geo = layout(SealDesign(LONG_NAME, "合同专用章", "6109020012345"))
    code = geo.code
    assert "".join(g.char for g in code) == "6109020012345"
    assert [g.x for g in code] == sorted(g.x for g in code)
    assert all(g.y < 0 for g in code)
    lowest_arc = min(min(y for _, y in corners(g)) for g in geo.organization)
    assert max(max(y for _, y in corners(g)) for g in code) < lowest_arc
    for g in code:
        assert min(g.rotation, 360 - g.rotation) < 40  # readable without turning the page


def test_star_is_centred_with_its_point_up() -> None:
    geo = layout(SealDesign("安康市市场监督管理局", "审批专用章"))
    xs, ys = zip(*geo.star, strict=True)
    assert len(geo.star) == 10
    assert abs(sum(xs) / 10) < 1e-9 and abs(sum(ys) / 10) < 1e-9
    top = geo.star[0]
    assert abs(top[0]) < 1e-9 and top[1] == pytest.approx(42 / 6)


def test_a_public_seal_prints_no_name_and_a_special_seal_does() -> None:
    assert layout(SealDesign("安康市人民政府", "公章")).name == ()
    assert layout(SealDesign("安康市人民政府")).name == ()
    assert "".join(g.char for g in layout(SealDesign("安康市人民政府", "合同专用章")).name) == "合同专用章"


def svg_texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def test_svg_parses_and_shows_every_character() -> None:
    design = SealDesign("安康市市场监督管理局", "审批专用章", "6109020012345", diameter_mm=40)
    svg = seal_svg(design)
    root = ET.fromstring(svg)
    assert root.get("width") == "40mm" and root.get("height") == "40mm"
    assert root.get("viewBox") == "-20 -20 40 40"
    assert "".join(svg_texts(svg)) == "安康市市场监督管理局审批专用章6109020012345"
    group = root.find(f"{SVG}g")
    assert group is not None
    assert "STSong" in (group.get("font-family") or "") and group.get("text-anchor") == "middle"


def test_svg_escapes_special_characters() -> None:
    design = SealDesign("A&B<公司>\"'", "专用章&")
    svg = seal_svg(design)
    texts = svg_texts(svg)
    assert "".join(texts) == "A&B<公司>\"'专用章&"
    root = ET.fromstring(svg)
    assert root.get("aria-label") == "A&B<公司>\"'专用章&"
    assert root.findtext(f"{SVG}title") == "A&B<公司>\"'专用章&"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"organization": "局"},
        {"organization": LONG_NAME + "办公室"},
        {"organization": "安康市 人民政府"},
        {"organization": "安康市人民政府", "color": "red"},
        {"organization": "安康市人民政府", "code": "61-09"},
        {"organization": "安康市人民政府", "diameter_mm": 100},
    ],
)
def test_bad_designs_are_refused_in_chinese(kwargs: dict) -> None:
    with pytest.raises(ValueError) as err:
        SealDesign(**kwargs)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(err.value))


def test_draw_seal_paints_the_seal_on_a_pdf_canvas() -> None:
    assert ensure_cjk_font() == ensure_cjk_font() == "STSong-Light"
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1, pageCompression=0)
    draw_seal(canvas, 300, 400, SealDesign("安康市市场监督管理局", "审批专用章", "6109020012345"))
    canvas.showPage()
    canvas.save()
    pdf = buffer.getvalue()
    assert b"/STSong-Light" in pdf and b"/UniGB-UCS2-H" in pdf
    assert page_text(pdf) == "安康市市场监督管理局审批专用章6109020012345"
    assert b"/BM /Multiply" in pdf
