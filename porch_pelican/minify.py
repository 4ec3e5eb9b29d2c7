"""Minify the theme's scripts and style sheets in the output; the sources stay readable.

Pelican copies the theme's static files on every build, so each build minifies a fresh
copy (and minifying a minified file again changes nothing). Readers download the small
file at the same address the templates link to.
"""

import os

import rcssmin
import rjsmin

MINIFIERS = {".js": rjsmin.jsmin, ".css": rcssmin.cssmin}


def minify_theme_assets(pelican):
    """Replace every .js and .css file under the output's theme folder by its minified text."""
    folder = os.path.join(pelican.settings["OUTPUT_PATH"], pelican.settings["THEME_STATIC_DIR"])
    for root, _, names in os.walk(folder):
        for name in names:
            minify = MINIFIERS.get(os.path.splitext(name)[1])
            if minify:
                minify_file(os.path.join(root, name), minify)


def minify_file(path, minify):
    """Write the minified text beside the file, then swap it in (a copy never shares the source)."""
    with open(path, encoding="utf-8") as file:
        text = file.read()
    partial = path + ".porch-minified"
    with open(partial, "w", encoding="utf-8") as file:
        file.write(minify(text))
    os.replace(partial, path)
