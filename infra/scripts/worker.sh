#!/usr/bin/env bash
# `npm run worker`: the workers alone, against the servers the environment names, on the
# allocator the image uses (jemalloc when the system has it; see ensure.sh), and without the
# SDK's per-promise stack traces unless WORKER_WORKFLOW_STACK_TRACES=on
# (infra/workflow-stack-traces.cjs).
source "$(dirname "${BASH_SOURCE[0]}")/ensure.sh"
ensure_node_modules
find_jemalloc
worker_allocator_env
cd "$ROOT"
exec node --require ./infra/workflow-stack-traces.cjs --import tsx bin/worker.ts "$@"
