#!/usr/bin/env bash
# The IMAP tests run a private Dovecot (Debian's dovecot-imapd) on 127.0.0.1 with a config
# of their own, and make its certificates with openssl. Install what is missing; the
# system's dovecot service is never started.
set -euo pipefail
missing=()
[ -x /usr/sbin/dovecot ] && [ -x /usr/lib/dovecot/imap ] || missing+=(dovecot-imapd)
command -v openssl >/dev/null || missing+=(openssl)
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "Missing for the IMAP tests: run 'sudo apt-get install ${missing[*]}' (Debian) and try again." >&2
    exit 1
fi
echo "Installing Debian's ${missing[*]} for the IMAP tests..."
export DEBIAN_FRONTEND=noninteractive
# While this policy is in place, package scripts start no service (exit code 101: refused).
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod +x "$policy"
    trap 'rm -f "$policy"' EXIT
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
