#!/usr/bin/env bash
# Runs a command after installing what is missing (used by `npm run credentials` and `npm run verify-records`).
source "$(dirname "${BASH_SOURCE[0]}")/ensure.sh"
ensure_node_modules
ensure_temporal_cli
cd "$ROOT"
exec npx "$@"
