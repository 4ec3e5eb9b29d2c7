#!/usr/bin/env bash
# `make run`: migrate, build the sample blog, load its posts, then serve the blog
# on :8000 and the comment service on :5000 (PORCH_BLOG_PORT, PORCH_SERVICE_PORT),
# re-bake article pages as their comments change, rebuild the blog and load its posts
# whenever content/ or theme/ changes, send the mail outbox every few seconds, and
# take staff replies to it as answers by SMTP on :2525 (PORCH_INBOUND_PORT), until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin
export FLASK_APP=comments_service
blog_port="${PORCH_BLOG_PORT:-8000}"
service_port="${PORCH_SERVICE_PORT:-5000}"
export PORCH_BLOG_URL="${PORCH_BLOG_URL:-http://127.0.0.1:$blog_port}"
# Local development runs over plain http, where a Secure cookie would never be sent.
export PORCH_SESSION_COOKIE_SECURE="${PORCH_SESSION_COOKIE_SECURE:-false}"
# Where browsers reach the service: its own pages may post comments, no other host may,
# and the blog's pages post there (every build below reads it: pelicanconf.py).
export PORCH_PUBLIC_URL="${PORCH_PUBLIC_URL:-http://127.0.0.1:$service_port}"
# The blog is built and served on this host: the service re-bakes a page as soon as its
# comments change (before a reader without JavaScript lands on it), `flask rebake
# --loop` catches up with the rest (moderation from the command line, full builds).
export PORCH_REBAKE_OUTPUT="${PORCH_REBAKE_OUTPUT:-$PWD/output}"
export PORCH_REBAKE_SETTINGS="${PORCH_REBAKE_SETTINGS:-$PWD/pelicanconf.py}"
# No SMTP host unless you set one: the worker's mail job prints each message here and keeps
# it in the outbox (docs/notifications.md shows how to use a local SMTP sink instead).
export PORCH_MAIL_LOOP_SECONDS="${PORCH_MAIL_LOOP_SECONDS:-5}"
# Every mail about a reader comment carries a Reply-To of this address with a token after
# a plus sign; `flask mail receive` takes a reply sent there by SMTP and publishes it as
# the staff member's answer (docs/answering-by-email.md). The sample staff's domain: a
# name under .localhost is no mail address.
export PORCH_INBOUND_ADDRESS="${PORCH_INBOUND_ADDRESS:-answers@lanternworks.example}"
export PORCH_INBOUND_PORT="${PORCH_INBOUND_PORT:-2525}"
inbound_host="${PORCH_INBOUND_HOST:-127.0.0.1}"
# PORCH_COMMENTS_PER_PAGE and PORCH_COMMENTS_PAGE_URL, when set, reach the service and
# every build alike (pelicanconf.py reads them too): `posts sync` refuses a blog that
# pages comments otherwise than the service. PORCH_LANGUAGE (de, fr, es, ar), when set,
# is the language of both too: the blog's DEFAULT_LANG and everything the service says.
# The service's pages for readers wear the blog's name: the one in pelicanconf.py.
export PORCH_BLOG_NAME="${PORCH_BLOG_NAME:-$("$bin/python" -c 'import pelicanconf; print(pelicanconf.SITENAME)')}"

"$bin/flask" db upgrade
# The sample staff first: loading the posts warns about every author without an account.
"$bin/python" scripts/dev_seed.py accounts
"$bin/invoke" build
"$bin/flask" posts sync output/porch-manifest.json
"$bin/python" scripts/dev_seed.py
# Bake the approved comments into the pages, as a deployment's build step would.
"$bin/flask" comments export var/comments-export.json
"$bin/invoke" build

trap 'trap - INT TERM EXIT; kill 0' INT TERM EXIT
"$bin/flask" run --host 127.0.0.1 --port "$service_port" &
# Answers a missing path with the theme's 404 page, gzips text, sends cache headers.
"$bin/python" -m porch_pelican.dev_server output --host 127.0.0.1 --port "$blog_port" &
"$bin/flask" worker &
"$bin/flask" mail receive &
"$bin/flask" rebake --loop &
# Builds once more at start, then after every saved change in content/ or theme/.
"$bin/invoke" autobuild &
cat <<MSG

  Blog:        http://127.0.0.1:$blog_port/
  Moderation:  http://127.0.0.1:$service_port/moderation/   (sign in with an account above)
  Answer times: http://127.0.0.1:$service_port/moderation/figures   (or: flask stats)
  Report:      http://127.0.0.1:$service_port/moderation/report   (or: flask report)
  Mail:        printed below as it is sent (flask mail list shows the outbox)
  Answers:     reply to a notification mail; the receiver takes it on $inbound_host:$PORCH_INBOUND_PORT (${PORCH_INBOUND_ADDRESS%@*}+…@${PORCH_INBOUND_ADDRESS#*@})
  Writing:     save a post in content/ and it is on the blog, taking comments, in seconds
  Stop everything with Ctrl-C.

MSG
wait
