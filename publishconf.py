"""Pelican settings for the public site: pelicanconf.py plus real URLs.

PORCH_SITE_URL and PORCH_SERVICE_URL in the environment set where the blog
and the comment service live.
"""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: E402, F403
from pelicanconf import PORCH_SERVICE_URL as DEV_SERVICE_URL  # noqa: E402

SITEURL = os.environ.get("PORCH_SITE_URL", "https://blog.example.com").rstrip("/")
RELATIVE_URLS = False
FEED_DOMAIN = SITEURL
DELETE_OUTPUT_DIRECTORY = True

PORCH_SERVICE_URL = os.environ.get("PORCH_SERVICE_URL", DEV_SERVICE_URL).rstrip("/")
