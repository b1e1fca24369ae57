#!/usr/bin/env bash
# `npm run bench`: install what is missing, jemalloc included, so the bench's worker
# processes run on the allocator production's do (bench/env.ts passes it to them alone).
source "$(dirname "${BASH_SOURCE[0]}")/ensure.sh"
ensure_node_modules
ensure_temporal_cli
ensure_jemalloc
export BENCH_WORKER_JEMALLOC="$JEMALLOC_PATH" BENCH_WORKER_MALLOC_CONF="$WORKER_MALLOC_CONF"
cd "$ROOT"
# The worker and the API run the compiled JavaScript of dist/, as the production image does.
step "compiling the worker and the API as the image does (npm run build)…"
npm run --silent build >/dev/null
exec npx tsx bin/bench.ts "$@"
