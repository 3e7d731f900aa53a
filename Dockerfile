# One image for every TypeScript service, running compiled JavaScript: docker-compose.yml picks the
# service with `command: node dist/<workspace>/src/<entry>.js`. (The Python AI subgraph has its own
# image: subgraphs/ai/Dockerfile.)

# npm 11 applies package.json's allowScripts (which dependencies may run install scripts); Node 20
# images ship npm 10, which would run every package's.
FROM node:20-bookworm-slim AS base
RUN npm install -g npm@11.19.1 --no-audit --no-fund

# Build: every dependency (dev included), the generated Prisma clients, then `npm run build`, which
# writes dist/: the compiled services, the files they read at run time, and the package manifests.
FROM base AS build
WORKDIR /app
COPY . .
RUN bash scripts/setup.sh --node-only && npm run build && rm dist/.tsbuildinfo

# Runtime: dist/ and the production dependencies (package.json `dependencies`) only.
FROM base AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 DATA_DIR=/app/data
WORKDIR /app
COPY --from=build /app/dist ./dist
RUN cd dist && npm ci --omit=dev --no-audit --no-fund && npm cache clean --force \
  && mkdir /app/data && chown node:node /app/data
USER node
CMD ["node", "dist/router/src/main.js"]
