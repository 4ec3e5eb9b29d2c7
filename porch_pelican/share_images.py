"""Share images: a 1200x630 PNG per post that link previews (Open Graph, Twitter) show.

Each image carries the post's title, its authors (initials in their avatar's colour)
and the blog's name, in the theme's palette. The file name holds a short hash of
everything drawn (title, authors, site name, font, design version), so a build
draws only the images whose inputs changed, and a changed image gets a new address
that link previews fetch again. Images are planned when the articles are read (the
templates need their addresses); those not drawn before are drawn from then on by
worker processes, one per CPU, started with the build, while Pelican writes the pages
(a card costs a few milliseconds, and a first build draws one per post). The build
waits for them before it finishes, and fails with the error of a card that could not
be drawn. With one CPU the build draws them itself once it has written the pages.
"""

import glob
import hashlib
import io
import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
import weakref
from concurrent.futures import ProcessPoolExecutor
from functools import cache, lru_cache, partial

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
WORKERS_KEY = "_PORCH_SHARE_IMAGE_WORKERS"
# How many processes draw the cards: by default one per CPU this build may run on; 1
# draws them in the build's own process.
PROCESSES_SETTING = "PORCH_SHARE_IMAGE_PROCESSES"
# Cards a worker draws per task: fewer round trips between the build and its workers.
BATCH = 25

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
    unfinished = settings.get(PLANNED_KEY)
    if unfinished is not None:  # from a build that failed (pelican --autoreload)
        unfinished.stop()
    settings[PLANNED_KEY] = CardDrawing(
        planned,
        output=os.path.join(settings["OUTPUT_PATH"], FOLDER),
        drawn=os.path.join(settings["CACHE_PATH"], CACHE_FOLDER),
        workers=settings.pop(WORKERS_KEY, None),
    )


def start_workers(pelican):
    """Start the processes that draw the cards, before the build reads anything.

    Forked now, a worker shares little of the build's memory; forked once the articles are
    read, it would share all of it, and every page of it the build then writes to would be
    copied. They load their fonts while the build reads the articles.
    """
    processes = pelican.settings.get(PROCESSES_SETTING) or usable_cpus()
    if processes > 1:
        workers = ProcessPoolExecutor(processes)
        for _ in range(processes):
            workers.submit(load_fonts)
        pelican.settings[WORKERS_KEY] = workers
        # A build that fails before it plans the cards leaves them idle: they go with it.
        weakref.finalize(pelican, workers.shutdown, wait=False, cancel_futures=True)


def usable_cpus():
    """The CPUs this process may run on (all of the machine's where the system cannot say)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def load_fonts():
    """Load every font a card is drawn with (each worker loads them once)."""
    bold, regular = font_file(True), font_file(False)
    for size in (*TITLE_SIZES, 30, 26):
        font(bold, size)
    font(regular, 32)


def draw_share_images(pelican):
    """Put the planned images in the output and drop the ones they replace.

    Drawn images are kept in the cache folder too, so a build that empties its output
    first (DELETE_OUTPUT_DIRECTORY, as publishconf.py does) copies them back instead.
    Builds of other sites may share that folder, so nothing is deleted from it.
    """
    settings = pelican.settings
    drawing = settings.pop(PLANNED_KEY, None)
    output = os.path.join(settings["OUTPUT_PATH"], FOLDER)
    if drawing is None:
        remove_replaced(output, set())
        return
    drawing.finish()
    remove_replaced(output, drawing.names)


class CardDrawing:
    """The planned images on their way to the output.

    Cards not in the cache are drawn into it, from the moment the articles are planned,
    and into the output, by a pool of worker processes when there is more than one CPU to
    have; ``finish`` waits for them and raises what a worker raised, then copies the
    images drawn by an earlier build that the output lacks out of the cache.
    """

    def __init__(self, planned, output, drawn, workers):
        self.names = {os.path.basename(path) for path in planned}
        self.output, self.drawn = output, drawn
        missing = {
            os.path.basename(path): card
            for path, card in planned.items()
            if not os.path.isfile(os.path.join(output, os.path.basename(path)))
        }
        self.to_draw = [
            (card, name)
            for name, card in missing.items()
            if not os.path.isfile(os.path.join(drawn, name))
        ]
        self.to_copy = set(missing).difference(name for _, name in self.to_draw)
        self.pool = workers if self.to_draw else None
        if workers is not None and self.pool is None:
            workers.shutdown()  # nothing to draw
        self.pending = [
            self.pool.submit(draw_into, self.to_draw[at : at + BATCH], drawn, output)
            for at in range(0, len(self.to_draw), BATCH)
            if self.pool is not None
        ]

    def finish(self):
        """Every planned image in the output; the error of a card that could not be drawn."""
        if self.pool is None:
            draw_into(self.to_draw, self.drawn, self.output)
        else:
            try:
                for batch in self.pending:
                    batch.result()
            finally:
                self.stop()
        for name in self.to_copy:
            with open(os.path.join(self.drawn, name), "rb") as image:
                written(os.path.join(self.output, name), partial(shutil.copyfileobj, image))

    def stop(self):
        """Let the workers go, dropping the cards they have not started."""
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)


def draw_into(cards, drawn, output):
    """Draw each (card, file name) into the folder of drawn images and the output. Runs
    in the workers."""
    for card, name in cards:
        png = io.BytesIO()
        save_png(card, png)
        for folder in (drawn, output):
            written(os.path.join(folder, name), partial(write_bytes, png.getvalue()))


def write_bytes(data, file):
    file.write(data)


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
        """Take the text's mask, to be put in with the others."""
        under = self.colours[self.canvas.getpixel((int(xy[0]), int(xy[1])))]
        mask = text_mask(tuple(xy), text, font, anchor)
        self.masks.setdefault((ImageColor.getrgb(fill), under), []).append(mask)

    def image(self):
        """The card: each text mask put in over the shapes, as its ramp."""
        steps = min(RAMP_STEPS, (256 - len(self.colours)) // max(len(self.masks), 1))
        for (colour, under), masks in self.masks.items():
            first = len(self.colours)
            self.colours += ramp_colours(under, colour, steps)
            for mask in masks:
                self.canvas.paste(mask.in_ramp(first, steps), mask.corner, mask.covered)
        card = self.canvas
        card.putpalette([channel for rgb in self.colours for channel in rgb])
        return card


class TextMask:
    """A text's antialiasing mask as ImageDraw draws it (its box alone, the same fraction
    of a pixel in), where its top left corner goes, and which pixels it touches."""

    def __init__(self, xy, text, font, anchor):
        left, top, right, bottom = (int(edge) for edge in BOXES.textbbox(xy, text, font, anchor))
        self.corner = (left, top)
        self.levels = Image.new("L", (right - left + 2, bottom - top + 2), 0)
        at = (xy[0] - left, xy[1] - top)
        ImageDraw.Draw(self.levels).text(at, text, font=font, fill=255, anchor=anchor)
        self.covered = self.levels.point(COVERED)
        self.ramps = {}

    def in_ramp(self, first, steps):
        """The mask's levels as the palette entries of a ramp (see ramp_entries)."""
        if (first, steps) not in self.ramps:
            self.ramps[first, steps] = self.levels.point(ramp_entries(first, steps))
        return self.ramps[first, steps]


# Measures text boxes for every card (a box depends on the draw's mode alone, not its image).
BOXES = ImageDraw.Draw(Image.new("L", (1, 1)))


@lru_cache(maxsize=128)
def text_mask(xy, text, font, anchor):
    """The text's mask, kept for the next cards: each draws the blog's name, and the
    names and initials of the few authors a blog has, at the same places."""
    return TextMask(xy, text, font, anchor)


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
