# syntax=docker/dockerfile:1
# gracekeeper's container image:
#   docker build -t registry.example.com/gracekeeper:0.1.0 .
#   make deploy IMG=registry.example.com/gracekeeper:0.1.0
#
# Three stages: "build" compiles TypeScript with the dev dependencies; "deps" installs the
# production dependencies alone; the runtime image is distroless (node, no shell, no npm), runs as
# the non-root user 65532 and holds only node_modules (production), package.json and dist/.
# test/deploy/image.test.ts performs the "deps" and runtime steps in a temporary folder and
# starts the server on this Node.js major (installed by scripts/ensure-node.sh), since these
# machines have no Docker engine.
#
# Node.js 26 ("Lithium"): the Active LTS line since 2026-10-28, in maintenance from 2027-10-20,
# security fixes until 2029-04-30 (nodejs/Release, README.md's schedule). Node.js 24 has been in
# Maintenance LTS since 2026-10-20 (critical and security fixes only, until 2028-04-30) and Node.js 20
# reached end of life on 2026-04-30: a webhook that every Pod creation passes through runs on the
# line that gets every fix for longest. distroless publishes gcr.io/distroless/nodejs26-debian13
# (its Node.js images are built on Debian 13 alone: nodejs/config.bzl, NODEJS_DISTROS), so the
# build stages use the official node image on the same Debian release, 13 (trixie).
# Bumping: NODE_VERSION in scripts/ensure-node.sh first (the version the tests run), then this
# ARG; test/deploy/runtime.test.ts fails while the two majors differ (docs/runtime.md).
ARG NODE_MAJOR=26

FROM node:${NODE_MAJOR}-trixie-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
RUN npx tsc -p tsconfig.json

FROM node:${NODE_MAJOR}-trixie-slim AS deps
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# No production dependency has an install script; --ignore-scripts keeps it that way. Type
# declarations and source maps are not needed at run time (they are 40% of node_modules).
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
    && find node_modules -type f \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' \) -delete

FROM gcr.io/distroless/nodejs${NODE_MAJOR}-debian13:nonroot AS runtime
WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps /app/package.json ./package.json
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER 65532:65532
# 8443: the webhook (HTTPS); 9090: Prometheus metrics (HTTP).
EXPOSE 8443 9090
ENTRYPOINT ["/nodejs/bin/node", "--enable-source-maps", "dist/cli.js", "serve"]
