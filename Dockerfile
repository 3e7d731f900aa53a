# One image for every TypeScript service; docker-compose.yml picks the service with `command`.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages ./packages
COPY router/package.json ./router/
COPY subgraphs/users/package.json ./subgraphs/users/
RUN npm ci --no-audit --no-fund
COPY . .
RUN bash scripts/setup.sh
ENV NODE_ENV=production HOST=0.0.0.0
USER node
