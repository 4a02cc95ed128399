#!/bin/sh
# Install Debian's Chromium (and a Chinese font, so pages and screenshots show 汉字, not boxes; and poppler-utils)
# for the browser tests in tests/browser. Idempotent: does nothing when both are there.
# Never downloads a browser through Playwright: only apt's /usr/bin/chromium is used.
# As a non-root user it installs nothing and says that the browser tests will be skipped
# (outside CI; with CI=true the browser tests fail instead of skipping).
set -eu

CHROMIUM=/usr/bin/chromium
FONT=fonts-wqy-microhei

packages=""
[ -x "$CHROMIUM" ] || packages="chromium"
if ! command -v fc-list >/dev/null 2>&1 || [ -z "$(fc-list :lang=zh family 2>/dev/null)" ]; then
    packages="$packages $FONT"
fi
# pdftoppm turns the rule sheet's printed PDF into a PNG (tests/browser/test_rules.py; optional there).
command -v pdftoppm >/dev/null 2>&1 || packages="$packages poppler-utils"
packages=$(echo $packages)  # trim

if [ -z "$packages" ]; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    if [ ! -x "$CHROMIUM" ]; then
        echo "install-browser: $CHROMIUM is missing and this is not root, so it is not installed." >&2
        echo "install-browser: the browser tests (tests/browser) will be skipped." >&2
        echo "install-browser: to run them: sudo apt-get install -y chromium $FONT" >&2
    else
        echo "install-browser: no Chinese font found; screenshots will show boxes (sudo apt-get install -y $FONT)." >&2
    fi
    exit 0
fi

export DEBIAN_FRONTEND=noninteractive
echo "install-browser: apt-get install $packages ..." >&2
apt-get update -qq
# shellcheck disable=SC2086  # $packages is a word list
apt-get install -y -qq $packages >/dev/null
if [ ! -x "$CHROMIUM" ]; then
    echo "install-browser: apt-get finished but $CHROMIUM is still missing" >&2
    exit 1
fi
echo "install-browser: $("$CHROMIUM" --version 2>/dev/null | head -n 1) ready" >&2
