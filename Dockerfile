# syntax=docker/dockerfile:1
# gracekeeper's container image:
#   docker build -t registry.example.com/gracekeeper:0.1.0 .
#   make deploy IMG=registry.example.com/gracekeeper:0.1.0
#
# Three stages: "build" compiles TypeScript with the dev dependencies; "deps" installs the
# production dependencies alone; the runtime image is distroless (node, no shell, no npm), runs as
# the non-root user 65532 and holds only node_modules (production), package.json and dist/.
# test/deploy/image.test.ts performs the "deps" and runtime steps in a temporary folder and
# starts the server, since these machines have no Docker engine.
ARG NODE_MAJOR=20

FROM node:${NODE_MAJOR}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
RUN npx tsc -p tsconfig.json

FROM node:${NODE_MAJOR}-bookworm-slim AS deps
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# No production dependency has an install script; --ignore-scripts keeps it that way. Type
# declarations and source maps are not needed at run time (they are 40% of node_modules).
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
    && find node_modules -type f \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' \) -delete

FROM gcr.io/distroless/nodejs${NODE_MAJOR}-debian12:nonroot AS runtime
WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps /app/package.json ./package.json
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER 65532:65532
# 8443: the webhook (HTTPS); 9090: Prometheus metrics (HTTP).
EXPOSE 8443 9090
ENTRYPOINT ["/nodejs/bin/node", "--enable-source-maps", "dist/cli.js", "serve"]
