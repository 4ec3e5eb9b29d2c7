"""Draw the blog's icons from one design: a porch (roof, two posts, floor) in the accent colour.

Writes theme/static/favicon.svg, favicon-32.png and apple-touch-icon.png, and
content/extra/favicon.ico (16 and 32 pixels) for browsers that ask for /favicon.ico.
Run it again after changing the design: `.venv/bin/python scripts/draw_favicons.py`.
"""

from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "theme" / "static"
# The theme's --accent and --accent-text (theme/static/css/porch.css).
ACCENT = "#9a3412"
MARK = "#ffffff"
# The design on a 32-unit square.
SIZE = 32
CORNER = 7
ROOF = [(4, 15), (16, 5), (28, 15)]
POSTS_AND_FLOOR = [(8, 15, 11, 24), (21, 15, 24, 24), (5, 24, 27, 27)]
# Drawn this many times larger, then scaled down, for smooth edges.
SUPERSAMPLE = 8


def svg(corner: int) -> str:
    """The design as SVG text."""
    roof = " ".join(f"{x},{y}" for x, y in ROOF)
    rects = "".join(
        f'<rect x="{x0}" y="{y0}" width="{x1 - x0}" height="{y1 - y0}"/>'
        for x0, y0, x1, y1 in POSTS_AND_FLOOR
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}">'
        f'<rect width="{SIZE}" height="{SIZE}" rx="{corner}" fill="{ACCENT}"/>'
        f'<g fill="{MARK}"><polygon points="{roof}"/>{rects}</g></svg>\n'
    )


def png(pixels: int, corner: int) -> Image.Image:
    """The design as a square RGBA image of this many pixels a side."""
    big = pixels * SUPERSAMPLE
    scale = big / SIZE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=corner * scale, fill=ACCENT)
    draw.polygon([(x * scale, y * scale) for x, y in ROOF], fill=MARK)
    for box in POSTS_AND_FLOOR:
        draw.rectangle([value * scale for value in box], fill=MARK)
    return image.resize((pixels, pixels), Image.Resampling.LANCZOS)


def main() -> None:
    (STATIC / "favicon.svg").write_text(svg(CORNER), encoding="utf-8")
    png(32, CORNER).save(STATIC / "favicon-32.png", optimize=True)
    # Square corners: iOS rounds the icon itself and fills transparent corners with black.
    png(180, 0).save(STATIC / "apple-touch-icon.png", optimize=True)
    png(32, CORNER).save(ROOT / "content" / "extra" / "favicon.ico", sizes=[(16, 16), (32, 32)])


if __name__ == "__main__":
    main()
