#!/usr/bin/env bash
# `npm start`: install what is missing, then bring the whole system up.
source "$(dirname "${BASH_SOURCE[0]}")/ensure.sh"
ensure_node_modules
ensure_temporal_cli
cd "$ROOT"
exec node --import tsx infra/start.ts "$@"
