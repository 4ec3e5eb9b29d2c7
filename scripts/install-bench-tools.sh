#!/usr/bin/env bash
# `make bench` loads the servers with Debian's wrk. Install it when missing.
set -euo pipefail
if command -v wrk >/dev/null; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "wrk is missing: run 'sudo apt-get install wrk' (Debian) and try again." >&2
    exit 1
fi
echo "Installing Debian's wrk for the benchmark..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq wrk >/dev/null
