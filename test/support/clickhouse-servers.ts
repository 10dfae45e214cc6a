// Throwaway ClickHouse servers a test may stop and start at will, apart from the shared ones
// the suites use (.ci/clickhouse.sh): one server, or two shards of their own cluster that
// share the CI's ZooKeeper (GENAI_USAGE_TEST_CLICKHOUSE_ZK) for ON CLUSTER DDL.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export function clickhouseServerSkipReason(): string | undefined {
  let reason: string | undefined;
  if (spawnSync('sh', ['-c', 'command -v clickhouse-server']).status !== 0) reason = 'clickhouse-server is not installed (source .ci/clickhouse.sh && ch_install)';
  else if (!process.env['GENAI_USAGE_TEST_CLICKHOUSE_ZK']) reason = 'GENAI_USAGE_TEST_CLICKHOUSE_ZK is not set (source .ci/clickhouse.sh && start_clickhouse <dir>)';
  if (reason && process.env['CI'] === 'true') throw new Error(`CI=true but ${reason}`);
  if (reason) console.warn(`skipping ClickHouse outage tests: ${reason}`);
  return reason;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

interface Ports {
  http: number;
  tcp: number;
  interserver: number;
}

/** One clickhouse-server process with its own folder and ports. */
export class ClickHouseServer {
  private process: ChildProcess | undefined;

  constructor(
    readonly dir: string,
    readonly ports: Ports,
  ) {}

  get origin(): string {
    return `127.0.0.1:${this.ports.http}`;
  }

  /** Writes the config: `cluster` names the shards' TCP ports for remote_servers. */
  configure(cluster: { name: string; shardTcpPorts: number[] } | undefined): void {
    for (const sub of ['data', 'tmp', 'user_files', 'log']) mkdirSync(join(this.dir, sub), { recursive: true });
    const zk = process.env['GENAI_USAGE_TEST_CLICKHOUSE_ZK'];
    const [zkHost, zkPort] = (zk ?? '127.0.0.1:2181').split(':');
    const shards = (cluster?.shardTcpPorts ?? [])
      .map((port) => `<shard><internal_replication>false</internal_replication><replica><host>127.0.0.1</host><port>${port}</port></replica></shard>`)
      .join('');
    writeFileSync(
      join(this.dir, 'config.xml'),
      `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${this.dir}/log/server.log</log><errorlog>${this.dir}/log/error.log</errorlog><size>20M</size><count>1</count></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${this.ports.http}</http_port>
  <tcp_port>${this.ports.tcp}</tcp_port>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <interserver_http_port>${this.ports.interserver}</interserver_http_port>
  <path>${this.dir}/data/</path>
  <tmp_path>${this.dir}/tmp/</tmp_path>
  <user_files_path>${this.dir}/user_files/</user_files_path>
  <users_config>/etc/clickhouse-server/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>134217728</mark_cache_size>
  ${cluster ? `<remote_servers><${cluster.name}>${shards}</${cluster.name}></remote_servers>` : ''}
  ${cluster && zk ? `<zookeeper><node><host>${zkHost}</host><port>${zkPort}</port></node></zookeeper><distributed_ddl><path>/clickhouse/task_queue/ddl</path></distributed_ddl>` : ''}
</yandex>
`,
    );
  }

  /** Starts the server and waits until it answers /ping. */
  async start(): Promise<void> {
    this.process = spawn('clickhouse-server', [`--config-file=${join(this.dir, 'config.xml')}`], { stdio: 'ignore' });
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      try {
        const response = await fetch(`http://${this.origin}/ping`);
        if ((await response.text()).startsWith('Ok')) return;
      } catch {
        // Not listening yet.
      }
      await sleep(100);
    }
    throw new Error(`clickhouse-server in ${this.dir} did not answer within 60 s`);
  }

  /** SIGTERM (the server finishes running queries) or SIGKILL; resolves once the process is gone. */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    // 18.16 takes ~8 s to stop on SIGTERM here; never wait forever on a stuck one.
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve();
      }, signal === 'SIGKILL' ? 5_000 : 30_000);
    });
    await Promise.race([exited, late]);
    clearTimeout(timer);
    this.process = undefined;
  }
}

/**
 * Deletes a server's folder in the background: thousands of part files take minutes to
 * unlink on a busy disk, longer than a test hook may wait.
 */
function removeLater(dir: string): void {
  spawn('rm', ['-rf', dir], { detached: true, stdio: 'ignore' }).unref();
}

async function ports(): Promise<Ports> {
  return { http: await freePort(), tcp: await freePort(), interserver: await freePort() };
}

/** A single throwaway server. */
export async function startServer(): Promise<{ server: ClickHouseServer; url: string; destroy: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'genai-usage-ch-'));
  const server = new ClickHouseServer(dir, await ports());
  server.configure(undefined);
  await server.start();
  return {
    server,
    url: `clickhouse://default@${server.origin}/usage`,
    destroy: async () => {
      await server.stop('SIGKILL');
      removeLater(dir);
    },
  };
}

/** Two throwaway shards of one cluster (its own name, so other tests' clusters never see it). */
export async function startTwoShards(): Promise<{ shards: ClickHouseServer[]; url: string; cluster: string; destroy: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'genai-usage-ch-cluster-'));
  const cluster = `outage_${process.pid}_${Date.now().toString(36)}`;
  const shards = [new ClickHouseServer(join(dir, 's1'), await ports()), new ClickHouseServer(join(dir, 's2'), await ports())];
  for (const shard of shards) shard.configure({ name: cluster, shardTcpPorts: shards.map((s) => s.ports.tcp) });
  await Promise.all(shards.map((shard) => shard.start()));
  return {
    shards,
    cluster,
    url: `clickhouse://default@${(shards[0] as ClickHouseServer).origin}/usage?cluster=${cluster}`,
    destroy: async () => {
      await Promise.all(shards.map((shard) => shard.stop('SIGKILL')));
      removeLater(dir);
    },
  };
}
