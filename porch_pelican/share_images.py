"""Share images: a 1200x630 PNG per post that link previews (Open Graph, Twitter) show.

Each image carries the post's title, its authors (initials in their avatar's colour)
and the blog's name, in the theme's palette. The file name holds a short hash of
everything drawn (title, authors, site name, font, design version), so a build
draws only the images whose inputs changed, and a changed image gets a new address
that link previews fetch again. Images are planned when the articles are read (the
templates need their addresses) and drawn once the build has finished writing.
"""

import glob
import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
from functools import cache, partial

from markupsafe import Markup
from PIL import Image, ImageColor, ImageDraw, ImageFont

from .filters import initials
from .profiles import load_profiles

logger = logging.getLogger(__name__)

DESIGN_VERSION = 2  # 2: a palette PNG
SIZE = (1200, 630)
FOLDER = "images/share"
CACHE_FOLDER = "porch-share-images"
SITE_IMAGE_NAME = "site"
# The finalized signal only receives the Pelican object: the images planned from the
# article generator travel to it through the shared settings dict.
PLANNED_KEY = "_PORCH_SHARE_IMAGES"

# The theme's light palette (theme/static/css/porch.css).
BACKGROUND = "#fbfaf7"
TEXT = "#1c1d1f"
MUTED = "#565a60"
LINE = "#e2ddd2"
ACCENT = "#9a3412"
ON_COLOUR = "#ffffff"

MARGIN = 80
# Palette entries per antialiasing ramp at most (text colour over the colour under it).
RAMP_STEPS = 64
COVERED = [0] + [255] * 255  # a mask's pixels that text touches
TITLE_SIZES = (76, 68, 60, 54)
TITLE_LINES = 4
AVATAR = 64
FONT_FILES = {
    True: ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", "DejaVu Sans:bold"),
    False: ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "DejaVu Sans"),
}
SVG_FILL = re.compile(r'<circle\b[^>]*\bfill="(#[0-9a-fA-F]{3,6})"')


def plan_share_images(generator):
    """Give every article its share image's address and remember what to draw.

    The site's own image (for pages that are not articles) goes in the context as
    ``PORCH_SITE_SHARE_IMAGE``.
    """
    settings = generator.settings
    colours = author_colours(settings)
    site_name = plain(settings["SITENAME"])
    planned = {}
    for article in generator.articles:
        authors = [(author.name, colours.get(author.name, ACCENT)) for author in article.authors]
        card = card_inputs(plain(article.title), authors, site_name)
        article.porch_share_image = image_path(article.slug, card)
        planned[article.porch_share_image] = card
    site_card = card_inputs(plain(settings.get("SITESUBTITLE") or site_name), [], site_name)
    generator.context["PORCH_SITE_SHARE_IMAGE"] = image_path(SITE_IMAGE_NAME, site_card)
    planned[generator.context["PORCH_SITE_SHARE_IMAGE"]] = site_card
    settings[PLANNED_KEY] = planned


def draw_share_images(pelican):
    """Put the planned images in the output, drawing only those not drawn before, and
    drop the ones they replace.

    Drawn images are kept in the cache folder too, so a build that empties its output
    first (DELETE_OUTPUT_DIRECTORY, as publishconf.py does) copies them back instead.
    Builds of other sites may share that folder, so nothing is deleted from it.
    """
    settings = pelican.settings
    planned = settings.get(PLANNED_KEY, {})
    output = os.path.join(settings["OUTPUT_PATH"], FOLDER)
    drawn = os.path.join(settings["CACHE_PATH"], CACHE_FOLDER)
    for path, card in planned.items():
        put_in_output(card, os.path.basename(path), output, drawn)
    remove_replaced(output, {os.path.basename(path) for path in planned})


def put_in_output(card, name, output, drawn):
    """Copy the image into the output unless it is there, drawing it unless drawn before."""
    if os.path.isfile(os.path.join(output, name)):
        return
    if not os.path.isfile(os.path.join(drawn, name)):
        written(os.path.join(drawn, name), partial(save_png, card))
    with open(os.path.join(drawn, name), "rb") as image:
        written(os.path.join(output, name), partial(shutil.copyfileobj, image))


def card_inputs(title, authors, site_name):
    """Everything an image shows and how it is drawn: its hash names the file."""
    return {
        "title": title,
        "authors": authors,
        "site_name": site_name,
        "fonts": [font_file(True), font_file(False)],
        "design": DESIGN_VERSION,
    }


def image_path(name, card):
    """``images/share/<name>-<hash>.png``, relative to the output folder."""
    digest = hashlib.sha256(json.dumps(card, sort_keys=True).encode()).hexdigest()[:10]
    return f"{FOLDER}/{name}-{digest}.png"


def plain(html):
    """Text without tags or entities: titles are HTML in Pelican."""
    return Markup(str(html)).striptags()


def author_colours(settings):
    """{author name: the fill of their avatar's circle}, for profiles with an SVG avatar."""
    colours = {}
    for name, profile in load_profiles(settings).items():
        avatar = profile.get("avatar_url")
        if avatar and avatar.endswith(".svg"):
            colour = svg_fill(os.path.join(settings["PATH"], avatar))
            if colour:
                colours[name] = colour
    return colours


def svg_fill(path):
    """The first circle's fill colour in an SVG file, or None."""
    try:
        with open(path, encoding="utf-8") as file:
            found = SVG_FILL.search(file.read())
    except OSError:
        return None
    return found[1] if found else None


@cache
def font_file(bold):
    """A TrueType DejaVu Sans on this machine, or None (Pillow's own font is used then)."""
    known, pattern = FONT_FILES[bold]
    if os.path.isfile(known):
        return known
    if shutil.which("fc-match") is None:
        return None
    found = subprocess.run(
        ["fc-match", "-f", "%{file}", pattern], capture_output=True, text=True, check=False
    ).stdout
    return found if found.endswith((".ttf", ".otf")) and os.path.isfile(found) else None


@cache
def font(path, size):
    """The font at this size; Pillow's bundled one when no file was found. Loaded once a
    build: a card asks for four or five, and loading one reads and parses the file."""
    if path:
        return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


def draw_card(card):
    """The share image for these inputs."""
    draw = PaletteDraw(SIZE, BACKGROUND)
    bold, regular = card["fonts"]
    width, height = SIZE
    draw.rectangle((0, 0, 16, height), fill=ACCENT)
    draw_site_name(draw, card["site_name"], font(bold, 30))
    draw_title(draw, card["title"], bold, top=150)
    if card["authors"]:
        draw.line((MARGIN, height - 140, width - MARGIN, height - 140), fill=LINE, width=2)
        draw_authors(draw, card["authors"], bold, font(regular, 32), top=height - 110)
    return draw.image()


class PaletteDraw:
    """Draws a card as a palette image: a PNG of a third of the bytes of an RGB one, which
    the encoder compresses several times faster (a build draws one card per post).

    Shapes are drawn in their colour's palette entry. Text is drawn, as ImageDraw draws it,
    as an antialiasing mask of 256 levels, one mask per colour and the colour under it (read
    at the text's anchor: the background, or the avatar circle under initials); each mask
    becomes a ramp of palette entries from the colour under it to the text's, as many steps
    as the palette has room for (50 for a card with two authors).
    """

    def __init__(self, size, background):
        self.colours = [ImageColor.getrgb(background)]
        self.canvas = Image.new("L", size, 0)
        self.shapes = ImageDraw.Draw(self.canvas)
        self.masks = {}  # (text colour, colour under it) -> [(top left corner, mask)]

    def entry(self, colour):
        """The palette entry of a solid colour."""
        rgb = ImageColor.getrgb(colour)
        if rgb not in self.colours:
            self.colours.append(rgb)
        return self.colours.index(rgb)

    def rectangle(self, xy, fill):
        self.shapes.rectangle(xy, fill=self.entry(fill))

    def ellipse(self, xy, fill):
        self.shapes.ellipse(xy, fill=self.entry(fill))

    def line(self, xy, fill, width):
        self.shapes.line(xy, fill=self.entry(fill), width=width)

    def text(self, xy, text, font, fill, anchor=None):
        """Draw the text's mask where ImageDraw would draw the text (its box alone, the
        same fraction of a pixel in), to be put in with the others."""
        under = self.colours[self.canvas.getpixel((int(xy[0]), int(xy[1])))]
        left, top, right, bottom = (
            int(edge) for edge in self.shapes.textbbox(xy, text, font, anchor)
        )
        mask = Image.new("L", (right - left + 2, bottom - top + 2), 0)
        at = (xy[0] - left, xy[1] - top)
        ImageDraw.Draw(mask).text(at, text, font=font, fill=255, anchor=anchor)
        self.masks.setdefault((ImageColor.getrgb(fill), under), []).append(((left, top), mask))

    def image(self):
        """The card: each text mask put in over the shapes, as its ramp."""
        steps = min(RAMP_STEPS, (256 - len(self.colours)) // max(len(self.masks), 1))
        for (colour, under), masks in self.masks.items():
            ramp = ramp_entries(len(self.colours), steps)
            self.colours += ramp_colours(under, colour, steps)
            for corner, mask in masks:
                self.canvas.paste(mask.point(ramp), corner, mask.point(COVERED))
        card = self.canvas
        card.putpalette([channel for rgb in self.colours for channel in rgb])
        return card


@cache
def ramp_colours(under, colour, steps):
    """``steps`` colours from ``under`` to ``colour``, both included."""
    return [
        tuple(round(a + (b - a) * step / (steps - 1)) for a, b in zip(under, colour, strict=True))
        for step in range(steps)
    ]


@cache
def ramp_entries(first, steps):
    """Which of the ramp's entries (numbered from ``first``) each mask level is drawn in."""
    return [0] + [first + round(level * (steps - 1) / 255) for level in range(1, 256)]


def draw_site_name(draw, name, type_):
    """The blog's name, top left, after a small accent dot."""
    draw.ellipse((MARGIN, 78, MARGIN + 18, 96), fill=ACCENT)
    draw.text((MARGIN + 34, 87), name, font=type_, fill=ACCENT, anchor="lm")


def draw_title(draw, title, bold, top):
    """The title under the blog's name, as large as lets it fit in three lines."""
    width = SIZE[0] - 2 * MARGIN
    for size in TITLE_SIZES:
        type_ = font(bold, size)
        lines = wrap(title, type_, width)
        if len(lines) <= TITLE_LINES - 1:
            break
    lines = shortened(lines, type_, width)
    leading = round(size * 1.16)
    y = top
    for line in lines:
        draw.text((MARGIN, y), line, font=type_, fill=TEXT)
        y += leading


def wrap(text, type_, width):
    """Lines of whole words no wider than ``width`` (a longer word gets a line of its own)."""
    lines = []
    for word in text.split():
        if lines and type_.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def shortened(lines, type_, width):
    """At most TITLE_LINES lines, the last ending in an ellipsis when words were left out."""
    kept = [fitted(line, type_, width) for line in lines[:TITLE_LINES]]
    if len(lines) > TITLE_LINES and not kept[-1].endswith("…"):
        kept[-1] = ellipsised(kept[-1], type_, width)
    return kept


def fitted(line, type_, width):
    """The line, or as much of it as fits with an ellipsis."""
    return line if type_.getlength(line) <= width else ellipsised(line, type_, width)


def ellipsised(line, type_, width):
    """The line cut (if need be) to end in an ellipsis within ``width``."""
    while line and type_.getlength(line + "…") > width:
        line = line[:-1]
    return line.rstrip(" ,;:.") + "…"


def draw_authors(draw, authors, bold, type_, top):
    """Each author: initials in a circle of their colour, then their name; the ones
    the row has no room for are counted ("+2")."""
    x = MARGIN
    letters = font(bold, 26)
    for shown, (name, colour) in enumerate(authors):
        if x + AVATAR + 18 + type_.getlength(name) > SIZE[0] - MARGIN:
            more = f"+{len(authors) - shown}"
            draw.text((x, top + AVATAR / 2), more, font=type_, fill=MUTED, anchor="lm")
            return
        draw.ellipse((x, top, x + AVATAR, top + AVATAR), fill=colour)
        middle = (x + AVATAR / 2, top + AVATAR / 2)
        draw.text(middle, initials(name), font=letters, fill=ON_COLOUR, anchor="mm")
        x += AVATAR + 18
        draw.text((x, top + AVATAR / 2), name, font=type_, fill=TEXT, anchor="lm")
        x += round(type_.getlength(name)) + 48


def save_png(card, file):
    """Draw the card into an open file: zlib's fastest level, as its runs of one colour
    compress well at any level (about 22 kB)."""
    draw_card(card).save(file, "PNG", compress_level=1)


def written(target, write):
    """Write a file with ``write(file)`` through a temporary file and a rename: a reader
    never gets half an image."""
    os.makedirs(os.path.dirname(target), exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=os.path.dirname(target), prefix=".porch-share-")
    try:
        with os.fdopen(fd, "wb") as file:
            write(file)
        os.chmod(temporary, 0o644)  # mkstemp makes 0600; the image is served
        os.replace(temporary, target)
    except BaseException:
        os.unlink(temporary)
        raise


def remove_replaced(folder, keep):
    """Delete share images this build did not plan: older versions of changed ones."""
    for path in glob.glob(os.path.join(glob.escape(folder), "*.png")):
        if os.path.basename(path) not in keep:
            os.unlink(path)
