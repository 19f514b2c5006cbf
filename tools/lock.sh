#!/bin/sh
# Regenerate the hash-pinned locks from requirements*.in (needs uv: pip install uv).
set -eu
cd "$(dirname "$0")/.."
uv pip compile --quiet --universal --python-version 3.11 --generate-hashes \
    --no-header --output-file requirements.lock requirements.in
uv pip compile --quiet --universal --python-version 3.11 --generate-hashes \
    --no-header --output-file requirements-dev.lock requirements-dev.in
echo "locked: requirements.lock requirements-dev.lock"
