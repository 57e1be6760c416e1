# syntax=docker/dockerfile:1
# The in-cluster cron container: `vault-rollout apply` on Node 24, as a non-root user, with a read-only
# root filesystem. The only writable folder it needs is TMPDIR (/tmp, an emptyDir in the CronJob of
# templates/kubernetes), where a remote repository is cloned shallowly. Debian's git is installed: it is
# what vault-rollout drives (clone, cat-file, commit-tree, push); without it, the isomorphic-git fallback
# would hold about 10x the memory for the clone.
#
#   docker build -t vault-rollout .
#   docker run --rm --read-only --tmpfs /tmp -e VAULT_ADDR -e VAULT_TOKEN -e GIT_TOKEN \
#     vault-rollout apply --repo https://github.com/example-org/manifests.git --log-format json

FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts/build.mjs scripts/build.mjs
COPY src/ src/
RUN node scripts/build.mjs

FROM node:24-bookworm-slim
# git for the Git side of apply; ca-certificates for HTTPS remotes (git uses the system store, not Node's).
RUN apt-get update \
  && apt-get install -y --no-install-recommends git ca-certificates \
  && rm -rf /var/lib/apt/lists/*
RUN groupadd --gid 10001 vault-rollout \
  && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin vault-rollout
# DEP0169: bundled dependencies (simple-get, follow-redirects) call url.parse(), which Node 24 warns about
# on stderr once per run; that line would break the JSON log stream of --log-format json.
ENV NODE_ENV=production \
  NODE_OPTIONS=--disable-warning=DEP0169 \
  TMPDIR=/tmp
WORKDIR /app
# dist/cli.js and the chunks it imports (dist/chunk-*.js, the code it shares with the Action's entry) are
# the whole program: no node_modules at run time. package.json makes them ES modules, and templates/ holds
# the commit-message template the CLI reads next to dist/.
COPY package.json ./
COPY templates/ templates/
COPY --from=build /src/dist/cli.js /src/dist/chunk-*.js dist/
USER 10001:10001
ENTRYPOINT ["node", "/app/dist/cli.js"]
CMD ["apply"]
