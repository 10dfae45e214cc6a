// A throwaway PostgreSQL cluster that a test may stop and start at will, separate from the
// shared one in GENAI_USAGE_TEST_POSTGRES_URL. Needs GENAI_USAGE_TEST_PG_BIN (exported by
// .ci/postgres.sh) and root, since initdb and pg_ctl run as the postgres user.
import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function pgClusterSkipReason(): string | undefined {
  let reason: string | undefined;
  if (!process.env['GENAI_USAGE_TEST_PG_BIN']) reason = 'GENAI_USAGE_TEST_PG_BIN is not set (source .ci/postgres.sh && start_postgres <dir>)';
  else if (process.getuid?.() !== 0) reason = 'stopping and starting PostgreSQL needs root (su postgres)';
  if (reason && process.env['CI'] === 'true') throw new Error(`CI=true but ${reason}`);
  if (reason) console.warn(`skipping PostgreSQL outage tests: ${reason}`);
  return reason;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export class PgCluster {
  private constructor(
    private readonly dir: string,
    private readonly port: number,
  ) {}

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  static async create(): Promise<PgCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'genai-usage-pg-'));
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    chownSync(dir, uid, uid);
    const cluster = new PgCluster(dir, await freePort());
    cluster.su(`${bin()}/initdb -D ${dir}/data -A trust -U postgres --no-sync`);
    cluster.start();
    return cluster;
  }

  start(): void {
    const opts = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
    this.su(`${bin()}/pg_ctl -D ${this.dir}/data -l ${this.dir}/pg.log -o '${opts}' -w start`);
  }

  /** `fast` disconnects every client, as a crash or failover would. */
  stop(): void {
    this.su(`${bin()}/pg_ctl -D ${this.dir}/data -m fast -w stop`);
  }

  destroy(): void {
    try {
      this.su(`${bin()}/pg_ctl -D ${this.dir}/data -m immediate stop`);
    } catch {
      // Already stopped.
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private su(command: string): void {
    execFileSync('su', ['postgres', '-c', command], { stdio: 'pipe' });
  }
}

function bin(): string {
  return process.env['GENAI_USAGE_TEST_PG_BIN'] as string;
}
