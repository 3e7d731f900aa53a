# Two images from one Dockerfile. The default (last) stage, `runtime`, is every TypeScript service, running
# compiled JavaScript: docker-compose.yml picks the service with `command: node dist/<workspace>/src/<entry>.js`.
# `--target portal` is the Next.js portal (apps/portal). (The Python AI subgraph has its own image:
# subgraphs/ai/Dockerfile.)

# npm 11 applies package.json's allowScripts (which dependencies may run install scripts); Node 20
# images ship npm 10, which would run every package's.
FROM node:20-bookworm-slim AS base
RUN npm install -g npm@11.19.1 --no-audit --no-fund

# What both builds start from: every dependency (dev included) and the generated Prisma clients.
FROM base AS dependencies
WORKDIR /app
COPY . .
RUN bash scripts/setup.sh --node-only

# Build: `npm run build`, which writes dist/: the compiled services, the files they read at run time,
# and the package manifests.
FROM dependencies AS build
RUN npm run build && rm dist/.tsbuildinfo

# The portal's build is the one `npm start` serves (scripts/build-portal.sh: `next build` with telemetry
# off, nothing fetched from the internet), written standalone as well: a server with the files it needs.
FROM dependencies AS portal-build
RUN PORTAL_STANDALONE_BUILD=true bash scripts/build-portal.sh

# The portal: the standalone server and the static files it serves (which `next build` leaves beside it).
# Next.js writes its cache under .next at run time, so the unprivileged user owns the files.
FROM node:20-bookworm-slim AS portal
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 HOSTNAME=0.0.0.0 PORT=3000
WORKDIR /app
COPY --from=portal-build --chown=node:node /app/apps/portal/.next/standalone ./
COPY --from=portal-build --chown=node:node /app/apps/portal/.next/static ./apps/portal/.next/static
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://localhost:' + process.env.PORT + '/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "apps/portal/server.js"]

# Runtime: dist/ and the production dependencies (package.json `dependencies`) only.
FROM base AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 DATA_DIR=/app/data
WORKDIR /app
COPY --from=build /app/dist ./dist
RUN cd dist && npm ci --omit=dev --no-audit --no-fund && npm cache clean --force \
  && mkdir /app/data && chown node:node /app/data
USER node
CMD ["node", "dist/router/src/main.js"]
