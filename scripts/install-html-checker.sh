#!/usr/bin/env bash
# The staff pages are checked with the Nu Html Checker (vnu.jar), pinned in
# tests/tools/package-lock.json and run with Java. Install both when missing.
set -euo pipefail
cd "$(dirname "$0")/../tests/tools"
if ! command -v java >/dev/null; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "Java is missing: run 'sudo apt-get install default-jre-headless' (Debian) and try again." >&2
        exit 1
    fi
    echo "Installing Debian's Java for the HTML checker..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq default-jre-headless >/dev/null
fi
if ! command -v npm >/dev/null; then
    echo "npm is missing: run 'sudo apt-get install npm' (Debian) and try again." >&2
    exit 1
fi
# Installed already when the lock is unchanged since the last `npm ci`.
if [ node_modules/.package-lock.json -nt package-lock.json ] \
    && [ -f node_modules/vnu-jar/build/dist/vnu.jar ]; then
    exit 0
fi
# --ignore-scripts: the jar ships in the package; its postinstall would download a Java of its own.
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
