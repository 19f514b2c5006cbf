#!/bin/sh
# Set up chainsight in ./.venv from the hash-pinned lock files.
#
#   sh install.sh          the tool (needs: python3 >= 3.11 with venv, git; gpgv and
#                          debian-archive-keyring for deb: targets)
#   sh install.sh --dev    the tool plus what the tests need (pytest, and the real
#                          autotools the tests run on their own synthetic project)
#
# Missing Debian packages are installed with apt-get (as root, or through sudo);
# nothing else is installed outside ./.venv.
set -eu
cd "$(dirname "$0")"
dev=0
[ "${1:-}" = "--dev" ] && dev=1

missing=""
command -v git >/dev/null 2>&1 || missing="$missing git"
command -v python3 >/dev/null 2>&1 || missing="$missing python3"
if command -v python3 >/dev/null 2>&1 && ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    missing="$missing python3-venv"
fi
# deb: targets: gpgv verifies the archive's InRelease and upstream signatures
command -v gpgv >/dev/null 2>&1 || missing="$missing gpgv"
[ -f /usr/share/keyrings/debian-archive-keyring.gpg ] || missing="$missing debian-archive-keyring"
if [ "$dev" = 1 ]; then
    # gpg makes the throwaway keys the Debian archive tests sign with
    command -v gpg >/dev/null 2>&1 || missing="$missing gnupg"
    for pair in autoreconf:autoconf automake:automake libtoolize:libtool \
                autopoint:autopoint msgfmt:gettext make:make cc:gcc xz:xz-utils; do
        command -v "${pair%%:*}" >/dev/null 2>&1 || missing="$missing ${pair#*:}"
    done
fi
if [ -n "$missing" ]; then
    echo "install.sh: installing Debian packages:$missing"
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
    elif command -v sudo >/dev/null 2>&1; then
        sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
    else
        echo "install.sh: please install these Debian packages first:$missing" >&2
        exit 1
    fi
fi

python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
    echo "install.sh: chainsight needs Python 3.11 or newer" >&2; exit 1; }
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check \
    --require-hashes --no-deps -r requirements.lock
.venv/bin/python -m pip install --quiet --disable-pip-version-check \
    --no-deps --no-build-isolation -e .
if [ "$dev" = 1 ]; then
    .venv/bin/python -m pip install --quiet --disable-pip-version-check \
        --require-hashes --no-deps -r requirements-dev.lock
fi
echo "install.sh: ready: .venv/bin/chainsight"
