#!/usr/bin/env bash
# `npm test`: install what is missing, then run every test with vitest.
source "$(dirname "${BASH_SOURCE[0]}")/ensure.sh"
ensure_node_modules
ensure_temporal_cli
ensure_test_server
ensure_chromium
ensure_schemathesis
cd "$ROOT"
# Plain output where no one watches a terminal (CI logs are read by programs too).
if [ -n "${CI:-}" ] || [ ! -t 1 ]; then export NO_COLOR=1; fi
exec npx vitest run "$@"
