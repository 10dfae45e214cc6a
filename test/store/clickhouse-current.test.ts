// The shared store suite on a current ClickHouse engine (26.x). CI's apt only has ClickHouse
// 18.16, so this runs chDB, ClickHouse's engine packaged as a library on npm, behind the small
// HTTP front in test/chdb/chdb-http-server.mjs: ClickHouse parses, plans and stores every
// statement; the HTTP exchange is ours. It checks what docs/clickhouse.md says: the SQL the store
// sends for 18.16 runs unchanged, with the same answers, on a current server.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { UsageStore } from '../../src/store/usage-store.js';
import { CHDB_FRONT, clickhouseCurrentSkipReason } from './clickhouse-env.js';
import { storeSuite } from './store-suite.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const skipReason = clickhouseCurrentSkipReason();
let dataDir = '';
let server: ChildProcess | undefined;
let baseUrl = '';
let engineVersion = '';
let opened = 0;
const stores: UsageStore[] = [];

async function openFresh(): Promise<UsageStore> {
  const store = await openStore(`${baseUrl}/t_current_${opened++}`);
  stores.push(store);
  return store;
}

describe.skipIf(skipReason !== undefined)('ClickHouse store on a current engine (chDB 26.x behind an HTTP front)', () => {
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'genai-usage-chdb-'));
    server = spawn(process.execPath, [CHDB_FRONT.pathname, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const first = await new Promise<string>((resolve, reject) => {
      server!.once('exit', (code) => reject(new Error(`the chDB HTTP front exited (${code}) before listening`)));
      createInterface({ input: server!.stdout! }).once('line', resolve);
    });
    const [, port, version] = first.split(' ');
    baseUrl = `clickhouse://default@127.0.0.1:${port}`;
    engineVersion = version ?? '';
  });

  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    server?.kill('SIGTERM');
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('is a current ClickHouse, not 18.16; the store reports its version and sends values as query parameters', async () => {
    expect(Number(engineVersion.split('.')[0])).toBeGreaterThanOrEqual(24);
    const store = await openFresh();
    const current = store as UsageStore & { serverVersion?: string; usesQueryParameters?: boolean };
    expect(current.serverVersion).toBe(engineVersion);
    // So the suite below runs the query-parameter path (the 18.16 suite runs the literal one).
    expect(current.usesQueryParameters).toBe(true);
  });

  storeSuite({ open: openFresh });
});
