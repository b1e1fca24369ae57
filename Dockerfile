# creditflow's worker and HTTP API (one image, two commands; see docker-compose.yml).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm install --no-save --omit=dev --no-audit --no-fund
COPY tsconfig.json ./
COPY activities ./activities
COPY api ./api
COPY domain ./domain
COPY infra ./infra
COPY migrations ./migrations
COPY workers ./workers
COPY workflows ./workflows
USER node
CMD ["node", "--import", "tsx", "workers/main.ts"]
