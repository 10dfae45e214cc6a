# Starts and stops throwaway ClickHouse servers; sourced by dev.sh and usable by hand:
#   source .ci/clickhouse.sh && start_clickhouse /tmp/ch && echo $GENAI_USAGE_TEST_CLICKHOUSE_URL
# One single-node server and a two-shard cluster (two more servers, their own ports and data
# folders, a `remote_servers` section naming both), all on 127.0.0.1. Debian 12 ships
# ClickHouse 18.16; apt does not start it here, and we never touch the system service.
ch_port_in_use() { (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ch_write_config DIR HTTP TCP INTERSERVER SHARD1_TCP SHARD2_TCP
ch_write_config() {
  local dir="$1" http="$2" tcp="$3" inter="$4" s1="$5" s2="$6"
  mkdir -p "$dir/data" "$dir/tmp" "$dir/user_files" "$dir/log"
  cat >"$dir/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$dir/log/server.log</log><errorlog>$dir/log/error.log</errorlog><size>50M</size><count>2</count></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>$http</http_port>
  <tcp_port>$tcp</tcp_port>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <interserver_http_port>$inter</interserver_http_port>
  <path>$dir/data/</path>
  <tmp_path>$dir/tmp/</tmp_path>
  <user_files_path>$dir/user_files/</user_files_path>
  <users_config>/etc/clickhouse-server/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>268435456</mark_cache_size>
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
  <max_concurrent_queries>100</max_concurrent_queries>
  <remote_servers>
    <genai_usage_test>
      <shard><internal_replication>false</internal_replication><replica><host>127.0.0.1</host><port>$s1</port></replica></shard>
      <shard><internal_replication>false</internal_replication><replica><host>127.0.0.1</host><port>$s2</port></replica></shard>
    </genai_usage_test>
  </remote_servers>
XML
  if [ -n "${CH_TEST_ZK_PORT:-}" ]; then
    cat >>"$dir/config.xml" <<XML
  <zookeeper><node><host>127.0.0.1</host><port>$CH_TEST_ZK_PORT</port></node></zookeeper>
  <distributed_ddl><path>/clickhouse/task_queue/ddl</path></distributed_ddl>
XML
  fi
  echo '</yandex>' >>"$dir/config.xml"
}

# ch_start_server DIR HTTP: starts the server the config in DIR describes and waits for HTTP.
ch_start_server() {
  local dir="$1" http="$2" i
  clickhouse-server --config-file="$dir/config.xml" >"$dir/log/stdout.log" 2>&1 &
  echo $! >"$dir/server.pid"
  for i in $(seq 1 150); do
    if [ "$(curl -s "http://127.0.0.1:$http/ping" 2>/dev/null)" = "Ok." ]; then return 0; fi
    sleep 0.2
  done
  echo "ci: clickhouse in $dir did not answer on port $http; its log:" >&2
  tail -n 20 "$dir/log/error.log" "$dir/log/stdout.log" >&2 2>/dev/null || true
  return 1
}

# ZooKeeper (Debian's package) for the shards' distributed DDL: `ON CLUSTER` needs it on 18.16.
ch_start_zookeeper() {
  local dir="$1" port="$2" i
  mkdir -p "$dir/data"
  printf 'tickTime=2000\ndataDir=%s/data\nclientPort=%s\nclientPortAddress=127.0.0.1\nadmin.enableServer=false\nmaxClientCnxns=200\n4lw.commands.whitelist=ruok\n' "$dir" "$port" >"$dir/zoo.cfg"
  java -Xmx256m -cp "/etc/zookeeper/conf:/usr/share/java/zookeeper.jar" org.apache.zookeeper.server.ZooKeeperServerMain "$dir/zoo.cfg" >"$dir/zk.log" 2>&1 &
  echo $! >"$dir/server.pid"
  for i in $(seq 1 100); do
    if [ "$( (exec 3<>"/dev/tcp/127.0.0.1/$port" && echo ruok >&3 && timeout 1 cat <&3) 2>/dev/null)" = imok ]; then return 0; fi
    sleep 0.2
  done
  echo "ci: zookeeper on port $port did not answer; its log:" >&2
  tail -n 20 "$dir/zk.log" >&2
  return 1
}

ch_install() {
  if ! command -v clickhouse-server >/dev/null 2>&1 || [ ! -f /usr/share/java/zookeeper.jar ]; then
    echo "ci: installing Debian's clickhouse-server, clickhouse-client and zookeeper" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clickhouse-server clickhouse-client zookeeper >/dev/null
  fi
}

# start_clickhouse DIR: a single server on CH_TEST_HTTP_PORT (18123) and a two-shard cluster
# (18124, 18125; TCP 19001, 19002) named genai_usage_test, with ZooKeeper on CH_TEST_ZK_PORT
# (15501); interserver ports 19009, 15502, 15503. Exports GENAI_USAGE_TEST_CLICKHOUSE_URL and GENAI_USAGE_TEST_CLICKHOUSE_CLUSTER_URL,
# and GENAI_USAGE_TEST_CLICKHOUSE_DIR so the outage tests can stop and start the shards.
start_clickhouse() {
  local dir="$1" http="${CH_TEST_HTTP_PORT:-18123}" tcp="${CH_TEST_TCP_PORT:-19000}"
  local s1_http="${CH_TEST_SHARD1_HTTP_PORT:-18124}" s1_tcp="${CH_TEST_SHARD1_TCP_PORT:-19001}"
  local s2_http="${CH_TEST_SHARD2_HTTP_PORT:-18125}" s2_tcp="${CH_TEST_SHARD2_TCP_PORT:-19002}"
  export CH_TEST_ZK_PORT="${CH_TEST_ZK_PORT:-15501}"
  ch_install
  local p
  for p in "$http" "$tcp" "$s1_http" "$s1_tcp" "$s2_http" "$s2_tcp" "$CH_TEST_ZK_PORT"; do
    if ch_port_in_use "$p"; then echo "ci: port $p is taken; set the CH_TEST_*_PORT variables" >&2; return 1; fi
  done
  rm -rf "$dir"; mkdir -p "$dir"
  CH_TEST_DIR="$dir"
  ch_start_zookeeper "$dir/zk" "$CH_TEST_ZK_PORT" || return 1
  ch_write_config "$dir/single" "$http" "$tcp" "${CH_TEST_INTERSERVER_PORT:-19009}" "$s1_tcp" "$s2_tcp"
  ch_write_config "$dir/shard1" "$s1_http" "$s1_tcp" "${CH_TEST_SHARD1_INTERSERVER_PORT:-15502}" "$s1_tcp" "$s2_tcp"
  ch_write_config "$dir/shard2" "$s2_http" "$s2_tcp" "${CH_TEST_SHARD2_INTERSERVER_PORT:-15503}" "$s1_tcp" "$s2_tcp"
  ch_start_server "$dir/single" "$http" && ch_start_server "$dir/shard1" "$s1_http" && ch_start_server "$dir/shard2" "$s2_http" || return 1
  export GENAI_USAGE_TEST_CLICKHOUSE_URL="clickhouse://default@127.0.0.1:$http/default"
  export GENAI_USAGE_TEST_CLICKHOUSE_CLUSTER_URL="clickhouse://default@127.0.0.1:$s1_http/default?cluster=genai_usage_test"
  export GENAI_USAGE_TEST_CLICKHOUSE_DIR="$dir"
  export GENAI_USAGE_TEST_CLICKHOUSE_ZK="127.0.0.1:$CH_TEST_ZK_PORT"
  echo "ci: clickhouse $(curl -s "http://127.0.0.1:$http/?query=SELECT%20version()") on $GENAI_USAGE_TEST_CLICKHOUSE_URL, two shards on $GENAI_USAGE_TEST_CLICKHOUSE_CLUSTER_URL"
}

stop_clickhouse() {
  local d
  [ -n "${CH_TEST_DIR:-}" ] || return 0
  for d in single shard1 shard2 zk; do
    [ -f "$CH_TEST_DIR/$d/server.pid" ] && kill "$(cat "$CH_TEST_DIR/$d/server.pid")" 2>/dev/null || true
  done
}
