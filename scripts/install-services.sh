#!/bin/sh
# Install the Debian services the suite and `make run` use when they are missing, as root only:
#   redis-server  the rate limit shared by kb serve's workers (kb/cli/ratestore.py)
#   postgresql    the PostgreSQL feedback store's test (tests/test_feedback_postgres.py)
# Usage: scripts/install-services.sh redis-server [postgresql]. Idempotent: does nothing when they are
# there. As a non-root user it installs nothing and says which tests will be skipped (outside CI).
set -eu

missing=""
for package in "$@"; do
    case "$package" in
        redis-server) command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || missing="$missing redis-server" ;;
        postgresql) ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$missing postgresql" ;;
        *) echo "install-services: unknown service $package" >&2; exit 2 ;;
    esac
done
missing=$(echo $missing)  # trim
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "install-services: $missing missing and this is not root, so not installed." >&2
    echo "install-services: kb serve runs one worker without redis-server; their tests are skipped." >&2
    echo "install-services: to install: sudo apt-get install -y $missing" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
echo "install-services: apt-get install $missing ..." >&2
apt-get update -qq
# shellcheck disable=SC2086  # a word list
apt-get install -y -qq --no-install-recommends $missing >/dev/null
