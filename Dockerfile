# creditflow's worker and HTTP API: one image, two commands (see docker-compose.yml).
# Production runs the compiled JavaScript in dist/ (`npm run build`), never tsx.

# Build stage: every dependency exactly as the lockfile pins it, then tsc to dist/ and
# the files the code reads from disk copied beside it (infra/scripts/build.sh).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY infra ./infra
COPY activities ./activities
COPY api ./api
COPY domain ./domain
COPY store ./store
COPY operations ./operations
COPY bin ./bin
COPY workers ./workers
COPY workflows ./workflows
COPY migrations ./migrations
COPY templates ./templates
RUN npm run build

# Runtime stage: the production dependencies from the same lockfile, and dist/ alone.
# The worker bundles dist/workflows/index.js when it starts.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# jemalloc instead of glibc's allocator: a cached workflow's native memory (most of it the
# Temporal core's) stays less resident, at no more CPU per step; a sixth less with 10,000
# receivables cached (docs/performance.md; infra/scripts/ensure.sh gives `npm run worker`
# and `npm run bench` the same settings).
RUN apt-get update \
  && apt-get install -y --no-install-recommends libjemalloc2 \
  && rm -rf /var/lib/apt/lists/* \
  && ln -s "/usr/lib/$(uname -m)-linux-gnu/libjemalloc.so.2" /usr/local/lib/libjemalloc.so.2
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The preload from here on: the running processes, not npm's install above.
ENV LD_PRELOAD=/usr/local/lib/libjemalloc.so.2 \
  MALLOC_CONF=background_thread:true,narenas:2
USER node
# The worker by default, without the SDK's per-promise stack traces unless
# WORKER_WORKFLOW_STACK_TRACES=on (infra/workflow-stack-traces.cjs); the API is
# `node dist/bin/api.js` (docker-compose.yml). The
# health check asks the worker's /health on METRICS_PORT (200 while its workers poll);
# the API's service overrides it with the API's own /health.
ENV METRICS_HOST=0.0.0.0 METRICS_PORT=9464
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.METRICS_PORT||9464)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "--require", "./dist/infra/workflow-stack-traces.cjs", "dist/bin/worker.js"]
