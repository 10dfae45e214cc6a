# Starts and stops a throwaway PostgreSQL cluster; sourced by .ci/run and usable by hand:
#   source .ci/postgres.sh && start_postgres /tmp/pg && echo $GENAI_USAGE_TEST_POSTGRES_URL
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

port_in_use() { (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start_postgres() {
  local dir="$1" port="${PGPORT_TEST:-15432}" bin
  # Another cluster (or anything) on the port: take the next free one.
  while port_in_use "$port"; do port=$((port + 1)); done
  bin=$(pg_bin)
  if [ -z "$bin" ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    bin=$(pg_bin)
  fi
  rm -rf "$dir"; mkdir -p "$dir"; chown postgres "$dir"
  su postgres -c "$bin/initdb -D $dir/data -A trust -U postgres --no-sync" >/dev/null
  su postgres -c "$bin/pg_ctl -D $dir/data -l $dir/pg.log -o '-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off' -w start" >/dev/null
  PG_TEST_DIR="$dir"; PG_TEST_BIN="$bin"
  export GENAI_USAGE_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
  # The outage tests start throwaway clusters of their own (initdb/pg_ctl as the postgres
  # user) so that stopping one never disturbs the suites sharing the cluster above.
  export GENAI_USAGE_TEST_PG_BIN="$bin"
  echo "ci: postgres on $GENAI_USAGE_TEST_POSTGRES_URL"
}

stop_postgres() {
  [ -n "${PG_TEST_DIR:-}" ] && su postgres -c "$PG_TEST_BIN/pg_ctl -D $PG_TEST_DIR/data -m immediate stop" >/dev/null 2>&1 || true
}
