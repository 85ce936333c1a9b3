# hubwatch as a container image: the scheduled service (`hubwatch start`, the default command) or a worker
# (`node dist/workers/worker.js` with HUBWATCH_QUEUE). docker-compose.yml builds it for both.
#
#   docker build -t hubwatch .
#   docker run -e REDIS_URL=… -e DATABASE_URL=… -p 8080:8080 hubwatch
#
# Three stages: the production dependencies, the build (every dependency, `npm run build`: tsc type-checks and
# emits dist/), and a slim runtime with the first and the compiled output only, run as the image's `node` user.
# Debian slim rather than Alpine: DuckDB's prebuilt Node bindings are built against glibc.

# --- production dependencies -------------------------------------------------------------------------------------
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: nothing needs an install script at run time. DuckDB's bindings and esbuild's binary come as
# per-platform optional packages; msgpackr-extract (BullMQ's optional native speed-up) would compile with node-gyp,
# which the slim image lacks, and msgpackr works without it.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# --- build: type-check and compile ----------------------------------------------------------------------------------
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY config ./config
COPY src ./src
COPY workers ./workers
RUN npm run build

# --- runtime ------------------------------------------------------------------------------------------------------
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HUBWATCH_DATA_DIR=/app/data \
    HUBWATCH_CONFIG=/etc/hubwatch/container.json \
    PORT=8080
WORKDIR /app
# Read at run time from the checkout's root (src/config.ts finds it by package.json and config/): the config files,
# the dashboard's script and stylesheet, and package.json for the version string.
COPY package.json ./
COPY config ./config
COPY src/dashboard/assets ./src/dashboard/assets
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/dist/workers ./dist/workers
# Inside a container the HTTP server listens on every interface (config/default.json says 127.0.0.1); publish the
# port on the host's loopback, as docker-compose.yml does. A file of your own can replace this one (HUBWATCH_CONFIG).
RUN mkdir -p /etc/hubwatch /app/data \
 && printf '{ "server": { "host": "0.0.0.0" } }\n' > /etc/hubwatch/container.json \
 && chown node:node /app/data
USER node
VOLUME ["/app/data"]
EXPOSE 8080
# /healthz answers 503 with its reasons when Redis, the store or a platform's polls are not well; a worker serves no
# HTTP (docker-compose.yml turns the check off for it).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself as the process Docker signals: SIGTERM reaches the service, which drains within shutdownGraceMs.
CMD ["node", "dist/src/cli.js", "start"]
