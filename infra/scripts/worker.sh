#!/usr/bin/env bash
# `npm run worker`: the workers alone, against the servers the environment names, on the
# allocator the image uses (jemalloc when the system has it; see ensure.sh).
source "$(dirname "${BASH_SOURCE[0]}")/ensure.sh"
ensure_node_modules
find_jemalloc
worker_allocator_env
cd "$ROOT"
exec node --import tsx bin/worker.ts "$@"
