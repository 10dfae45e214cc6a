/** A real Prometheus (Debian's `prometheus` binary) on a loopback port, for tests. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

export interface ScrapeJob {
  job_name: string;
  static_configs: Array<{ targets: string[] }>;
  metrics_path?: string;
  honor_labels?: boolean;
  metric_relabel_configs?: unknown[];
}

export interface Sample { metric: Record<string, string>; value: [number, string] }
export interface QueryResponse { status: 'success' | 'error'; error?: string; errorType?: string; data?: { resultType: string; result: Sample[] } }

export interface PrometheusServer {
  url: string;
  query(expr: string): Promise<QueryResponse>;
  labelValues(label: string, match: string): Promise<{ status: string; error?: string; data?: string[] }>;
  /** Polls `check` every 250 ms until it returns true; throws naming `what` after `timeoutMs`. */
  waitFor(what: string, check: () => Promise<boolean>, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Why a Prometheus test cannot run here, or undefined when it can. */
export function missingTool(binary: string): string | undefined {
  const r = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  return r.error ? `${binary} not found (${r.error.message}); install it with apt-get install -y prometheus` : undefined;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function startPrometheus(opts: { jobs: ScrapeJob[]; ruleFiles: string[] }): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'genai-usage-prom-'));
  const config = join(dir, 'prometheus.yaml');
  writeFileSync(config, stringify({ global: { scrape_interval: '1s', evaluation_interval: '1s' }, rule_files: opts.ruleFiles, scrape_configs: opts.jobs }));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn('prometheus', [`--config.file=${config}`, `--web.listen-address=127.0.0.1:${port}`, `--storage.tsdb.path=${join(dir, 'data')}`, '--log.level=warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (d: Buffer) => { log = (log + d.toString()).slice(-4000); });
  let exited = false;
  child.once('exit', () => { exited = true; });
  child.once('error', (err) => { log += `\nspawn failed: ${err.message}`; exited = true; });

  const server: PrometheusServer = {
    url,
    async query(expr) {
      const res = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: expr })}`);
      return (await res.json()) as QueryResponse;
    },
    async labelValues(label, match) {
      const res = await fetch(`${url}/api/v1/label/${encodeURIComponent(label)}/values?${new URLSearchParams({ 'match[]': match })}`);
      return (await res.json()) as { status: string; error?: string; data?: string[] };
    },
    async waitFor(what, check, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (exited) throw new Error(`prometheus exited while waiting for ${what}; log:\n${log}`);
        if (await check().catch(() => false)) return;
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; prometheus log:\n${log}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    async stop() {
      if (!exited) {
        const done = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await done;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await server.waitFor('/-/ready', async () => (await fetch(`${url}/-/ready`)).ok, 15_000);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}

/** True (and the reason printed) when `binary` is missing outside CI; in CI never skip, so the test fails. */
export function skipWithout(binary: string, what: string): boolean {
  const why = missingTool(binary);
  const skip = why !== undefined && process.env.CI !== 'true';
  if (skip) console.warn(`SKIPPED ${what}: ${why} (CI would fail here)`);
  return skip;
}
