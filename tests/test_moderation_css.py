"""The moderation page's colours, checked from the stylesheet itself (WCAG contrast)."""

import re
from pathlib import Path

import pytest

CSS = (Path(__file__).parents[1] / "comments_service/static/moderation.css").read_text()


def palette(block: str) -> dict[str, str]:
    """Custom properties to six-digit colours (#fff becomes #ffffff)."""
    found = re.findall(r"--([a-z-]+):\s*#([0-9a-f]{6}|[0-9a-f]{3})\b", block)
    return {
        name: "#" + (hex if len(hex) == 6 else "".join(c * 2 for c in hex)) for name, hex in found
    }


LIGHT = palette(CSS.split("@media (prefers-color-scheme: dark)")[0])
DARK = palette(re.search(r"@media \(prefers-color-scheme: dark\)\s*\{(.*?)\}\s*\}", CSS, re.S)[1])


def luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    high, low = sorted([luminance(first), luminance(second)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_focus_ring_is_drawn_in_the_palettes_focus_colour():
    assert re.search(r":focus-visible\s*\{\s*outline:\s*3px solid var\(--focus\)", CSS)


@pytest.mark.parametrize("colours", [LIGHT, DARK], ids=["light", "dark"])
@pytest.mark.parametrize("surface", ["bg", "card"])
def test_the_focus_ring_stands_out_three_to_one_from_the_page_and_cards(colours, surface):
    assert contrast(colours["focus"], colours[surface]) >= 3


@pytest.mark.parametrize("colours", [LIGHT, DARK], ids=["light", "dark"])
@pytest.mark.parametrize("text", ["ink", "muted", "accent", "bad", "ok", "warn"])
def test_text_colours_are_readable_on_cards_at_four_and_a_half_to_one(colours, text):
    assert contrast(colours[text], colours["card"]) >= 4.5


def test_the_dark_palette_sets_every_colour_the_light_one_does():
    assert DARK.keys() == LIGHT.keys()
