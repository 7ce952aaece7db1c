# Portolan as a container image: the CLI on Node 22, production dependencies
# only, running as the image's unprivileged `node` user (uid 1000).
#
#   docker build -t portolan .
#   docker run --rm portolan rules
#   docker run --rm --user "$(id -u):$(id -g)" -v "$PWD:/work" \
#     -e AWS_ACCESS_KEY_ID -e AWS_SECRET_ACCESS_KEY -e AWS_SESSION_TOKEN -e AWS_REGION \
#     portolan audit --policy baseline --out reports
#
# Credentials come from the environment (or a mounted ~/.aws) at run time,
# never from the image.

# One pinned base for every stage: Node 22 LTS on Debian 12 (bookworm); Node 20 reached its end of life in April 2026.
FROM node:22.21-bookworm-slim AS base

# Build: every dependency (TypeScript included), then dist/.
FROM base AS build
WORKDIR /src
COPY package.json package-lock.json ./
# The `prepare` script builds, and src/ is not there yet: build explicitly below.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && rm -rf dist/bench

# Production dependencies alone, as the lockfile pins them.
FROM base AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# Runtime: node_modules, dist, rules, docs, package.json, LICENSE; owned by
# root and read-only to the user that runs them.
FROM base AS runtime
ENV NODE_ENV=production \
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json LICENSE ./
COPY rules ./rules
COPY docs ./docs
# Reports go to the working folder: mount one at /work to keep them.
RUN mkdir /work && chown 1000:1000 /work
WORKDIR /work
USER 1000:1000
ENTRYPOINT ["node", "/app/dist/cli/main.js"]
CMD ["--help"]
