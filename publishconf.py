"""Pelican settings for the public site: pelicanconf.py plus real URLs.

PORCH_BLOG_URL and PORCH_PUBLIC_URL in the environment say where the blog and the
comment service live; the plugin normalises both.
"""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: E402, F403

SITEURL = os.environ.get("PORCH_BLOG_URL", "https://blog.example.com")
RELATIVE_URLS = False
FEED_DOMAIN = SITEURL
DELETE_OUTPUT_DIRECTORY = True
