#!/usr/bin/env bash
# The test suite's tools outside Python, pinned in tests/tools/package-lock.json: the Nu Html
# Checker (vnu.jar, run with Java) for every page, and Lighthouse (run with Node.js, auditing
# in the Chromium of scripts/install-browser.sh). Install what is missing.
set -euo pipefail
cd "$(dirname "$0")/../tests/tools"
missing=()
command -v java >/dev/null || missing+=(default-jre-headless)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "Missing for the test tools: run 'sudo apt-get install ${missing[*]}' (Debian) and try again." >&2
        exit 1
    fi
    echo "Installing Debian's ${missing[*]} for the test tools..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# Installed already when nothing changed the lock since the last `npm ci`.
if [ node_modules/.package-lock.json -nt package-lock.json ] \
    && [ -f node_modules/vnu-jar/build/dist/vnu.jar ] \
    && [ -f node_modules/lighthouse/cli/index.js ]; then
    exit 0
fi
# --ignore-scripts: the jar ships in the package; its postinstall would download a Java of its
# own. Lighthouse needs no install script: it drives the Chromium named by CHROME_PATH.
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
