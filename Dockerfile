# One image for every TypeScript service; docker-compose.yml picks the service with `command`.
# (The Python AI subgraph has its own: subgraphs/ai/Dockerfile.)
FROM node:20-bookworm-slim
WORKDIR /app
COPY . .
RUN npm ci --no-audit --no-fund && bash scripts/setup.sh --node-only
ENV NODE_ENV=production HOST=0.0.0.0
USER node
