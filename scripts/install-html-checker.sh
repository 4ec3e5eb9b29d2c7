#!/usr/bin/env bash
# The staff pages are checked with the Nu Html Checker (vnu.jar), pinned in
# tests/tools/package-lock.json and run with Java. Install what is missing.
set -euo pipefail
cd "$(dirname "$0")/../tests/tools"
missing=()
command -v java >/dev/null || missing+=(default-jre-headless)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "Missing for the HTML checker: run 'sudo apt-get install ${missing[*]}' (Debian) and try again." >&2
        exit 1
    fi
    echo "Installing Debian's ${missing[*]} for the HTML checker..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# Installed already when nothing changed the lock since the last `npm ci`.
if [ node_modules/.package-lock.json -nt package-lock.json ] \
    && [ -f node_modules/vnu-jar/build/dist/vnu.jar ]; then
    exit 0
fi
# --ignore-scripts: the jar ships in the package; its postinstall would download a Java of its own.
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
