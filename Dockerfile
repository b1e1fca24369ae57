# creditflow's worker and HTTP API (one image, two commands; see docker-compose.yml).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# Two glibc malloc arenas instead of 8 per core: the Temporal core's threads otherwise
# spread each cached workflow's memory over many arenas (measured by `npm run bench`:
# ~460 → ~260 KiB resident per cached receivable workflow).
ENV MALLOC_ARENA_MAX=2
COPY package.json package-lock.json ./
RUN npm install --no-save --omit=dev --no-audit --no-fund
COPY tsconfig.json ./
COPY activities ./activities
COPY api ./api
COPY domain ./domain
COPY infra ./infra
COPY store ./store
COPY operations ./operations
COPY bin ./bin
COPY migrations ./migrations
COPY templates ./templates
COPY workers ./workers
COPY workflows ./workflows
USER node
CMD ["node", "--import", "tsx", "bin/worker.ts"]
