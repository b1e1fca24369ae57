#!/usr/bin/env bash
# `npm start`: install what is missing, then bring the whole system up.
source "$(dirname "${BASH_SOURCE[0]}")/ensure.sh"
ensure_node_modules
ensure_temporal_cli
cd "$ROOT"
# Fewer glibc malloc arenas: less resident memory per cached workflow (see Dockerfile).
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
exec node --import tsx bin/start.ts "$@"
