# OpenOM container image: `docker build -t openom .` (see README, "Run in production").
# The build stage compiles better-sqlite3 and bundles the server; the runtime stage gets only the
# bundle and the production packages, and runs as the unprivileged `node` user.

FROM node:24-bookworm-slim AS build
# Compilers for better-sqlite3, used when no prebuilt binary fits this platform.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Dependencies first, in a layer of their own: a change to src/ does not reinstall them.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm rebuild better-sqlite3 esbuild
COPY scripts ./scripts
COPY src ./src
COPY tsconfig.json ./
RUN npm run build \
 # esbuild is only needed for the build; better-sqlite3 keeps only its compiled addon.
 && rm -rf node_modules/esbuild node_modules/@esbuild \
 && find node_modules/better-sqlite3 -mindepth 1 -maxdepth 1 ! -name build ! -name lib ! -name package.json -exec rm -rf {} + \
 && find node_modules/better-sqlite3/build -mindepth 1 -maxdepth 2 ! -path '*/build/Release' ! -name better_sqlite3.node -exec rm -rf {} +

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    DATABASE_URL=sqlite:/var/lib/openom/openom.sqlite
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/scripts/healthcheck.mjs ./scripts/healthcheck.mjs
# The SQLite store (and a self-signed certificate, with OPENOM_TLS=self-signed) live in this volume.
RUN mkdir -p /var/lib/openom && chown node:node /var/lib/openom
VOLUME /var/lib/openom
USER node
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 CMD ["node", "scripts/healthcheck.mjs"]
# Node is PID 1 here: OpenOM handles SIGTERM itself (finishes in-flight requests, closes the store).
CMD ["node", "--max-semi-space-size=2", "--max-old-space-size=512", "dist/openom.mjs"]
