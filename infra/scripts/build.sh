#!/usr/bin/env bash
# `npm run build`: the compiled JavaScript production runs (the Dockerfile's build stage).
# tsc compiles the TypeScript to dist/ (tsconfig.build.json); the files the code reads
# from disk at run time, found relative to its own directory, are copied beside it:
# the migrations, the message templates, the dashboard's and workspace's pages, and
# domain/format.js (plain JavaScript the pages load as it is), and the worker's preload
# infra/workflow-stack-traces.cjs. Last, the workflow bundles the worker loads instead of
# running webpack as it starts (bin/bundle-workflows.ts).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
rm -rf dist
npx --no-install tsc -p tsconfig.build.json
cp -R migrations templates dist/
cp -R api/dashboard api/workspace dist/api/
cp domain/format.js dist/domain/
cp infra/workflow-stack-traces.cjs dist/infra/
node dist/bin/bundle-workflows.js
