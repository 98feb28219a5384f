# JML Engine image: one image for both production processes (`jml server`, `jml worker`).
# Stage 1 compiles (npm run build: dist/ with the compiled CLI and the prebuilt workflow bundle);
# stage 2 ships dist/ with production dependencies only: no TypeScript, no test tooling.
FROM node:20-bookworm-slim AS build

WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

COPY tsconfig.json ./
COPY bin/ bin/
COPY scripts/build.ts scripts/build.ts
COPY src/ src/
COPY workflows/ workflows/
COPY activities/ activities/
RUN npm run build

FROM node:20-bookworm-slim

WORKDIR /app
# bin/jml.js runs dist/ under NODE_ENV=production.
ENV NODE_ENV=production

# Dependencies first so the layer is cached until the lockfile changes. Installed as root and
# left read-only for the runtime user.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

COPY bin/jml.js bin/jml.js
COPY --from=build /app/dist/ dist/

# The config file defaults to /app/jml.config.yaml (JML_CONFIG relative to WORKDIR); mount it.
# Unprivileged user shipped with the node image.
USER node

# The API (and its /metrics); a worker's /metrics on JML_METRICS_PORT.
EXPOSE 3000 9464

# `docker run IMAGE worker`, `... report offboarding --from D --to D`, `... evidence verify`
ENTRYPOINT ["node", "bin/jml.js"]
CMD ["server"]
