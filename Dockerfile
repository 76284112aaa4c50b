# The collector image. Worker, codec server, collector start, Microsoft 365 emulator and local Devo
# receiver are all subcommands of the one `o365-trace` CLI, so one image serves every collector service
# in docker-compose.yml: `docker run IMAGE worker`, `... codec-server`, `... status`.
#
# Debian slim, not Alpine: the Temporal SDK's native core ships glibc builds only (sdk-typescript#850).
# The Node major is the one package.json's engines names; test/deploy/dockerfile.test.ts checks both.

# The base is pinned by tag only: its digest could not be looked up where this was written (no registry
# access). Pin it as node:20.19.5-bookworm-slim@sha256:<digest> from `docker buildx imagetools inspect
# node:20.19.5-bookworm-slim` (the index digest), so a re-pushed tag cannot change what the image runs on.

# Build: the full dependency tree (TypeScript) and the compiled JavaScript in dist/.
FROM node:20.19.5-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# The workflow bundle too, so workers skip webpack at start (faster start, less memory).
RUN npm run build && npm run build:workflow -- dist/workflow-bundle.js

# Production dependencies only, from the same lockfile.
FROM node:20.19.5-bookworm-slim AS production-dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:20.19.5-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=production-dependencies /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# Local state (dead letters, the demo receiver's certificates and output) lives in volumes mounted here;
# a new named volume takes this folder's owner, so the unprivileged user can write to it.
RUN mkdir -p /var/lib/o365-trace && chown node:node /var/lib/o365-trace
ENV O365_DATA_DIR=/var/lib/o365-trace
ENV O365_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js
# A young generation of 2 MB per semi-space (V8 grows it to 16 MB): the worker allocates pages fast and keeps
# little of them, so the larger one only raised its peak (npm run bench: about 395 -> 310 MB, same throughput).
ENV NODE_OPTIONS=--max-semi-space-size=2
# Two glibc malloc arenas instead of up to 8 per core: the SDK's native core and Node allocate from many
# threads, and each arena kept its freed pages (npm run bench, 1,000,000 records: about 330 -> 281 MB).
ENV MALLOC_ARENA_MAX=2
USER node
ENTRYPOINT ["node", "dist/client/cli.js"]
CMD ["worker"]
