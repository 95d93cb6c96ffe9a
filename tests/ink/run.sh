#!/usr/bin/env bash
# The ink comparison (issue #12): installs inkjs as pinned in package-lock.json, checks the port,
# then plays scene.ink (with inkjs) and port/ (with `her read`) on seeded random paths and
# compares them. Needs Node.js and npm.
#
#   tests/ink/run.sh PATH/TO/her [--paths N] [--seed S] [--show 1,2,3]
set -euo pipefail
her="${1:?usage: tests/ink/run.sh PATH/TO/her [--paths N] [--seed S] [--show 1,2,3]}"
shift
her="$(cd "$(dirname "$her")" && pwd)/$(basename "$her")"
cd "$(dirname "$0")"
"$her" check --deny warnings port
"$her" tag --check port
npm ci --no-audit --no-fund --loglevel=error
node compare.mjs --her "$her" "$@"
