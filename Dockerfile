# JML Engine image: one image for both production processes (`jml server`, `jml worker`).
# The app runs its TypeScript sources through tsx, so there is no build step.
FROM node:20-bookworm-slim

WORKDIR /app

# Dependencies first so the layer is cached until the lockfile changes. Installed as root and
# left read-only for the runtime user.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund \
 && npm cache clean --force

COPY tsconfig.json ./
COPY bin/ bin/
COPY src/ src/
COPY workflows/ workflows/
COPY activities/ activities/

# The config file defaults to /app/jml.config.yaml (JML_CONFIG relative to WORKDIR); mount it.
ENV NODE_ENV=production

# Unprivileged user shipped with the node image.
USER node

EXPOSE 3000

# `docker run IMAGE worker`, `... report offboarding --from D --to D`, `... evidence verify`
ENTRYPOINT ["node", "bin/jml.js"]
CMD ["server"]
