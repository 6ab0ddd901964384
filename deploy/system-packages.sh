#!/bin/sh
# Install the Debian packages nianbao needs (Chromium for JavaScript portals, LibreOffice for
# DOC/WPS conversion, CJK fonts so rendered reports keep their glyphs, poppler and tesseract
# for scanned reports; sqlite3 to query the archive, logrotate for the server set-up in
# deploy/). Run as root it installs what is missing; otherwise it lists what is missing and
# how to install it, and carries on: the tests that need a missing tool say so.
set -eu
PACKAGES="chromium libreoffice-writer-nogui libreoffice-core-nogui fonts-noto-cjk fonts-wqy-zenhei poppler-utils tesseract-ocr tesseract-ocr-chi-sim qpdf sqlite3 logrotate"
missing=""
for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
    exit 0
fi
if [ "$(id -u)" = "0" ]; then
    echo "installing Debian packages:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    # shellcheck disable=SC2086
    apt-get install -y -q --no-install-recommends $missing
else
    echo "nianbao: these Debian packages are missing:$missing" >&2
    echo "nianbao: run 'sudo make setup' (or: sudo apt-get install$missing); tests that need them will fail." >&2
fi
