// The writer against a real ClickHouse server that is stopped and started mid-stream:
// batches are retried (or spooled) and every record arrives exactly once, rollups included.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageWriter } from '../../src/exporter/usage-writer.js';
import { openStore } from '../../src/store/open-store.js';
import type { UsageStore } from '../../src/store/usage-store.js';
import type { UsageRecord } from '../../src/usage/usage-record.js';
import { generateRecords } from '../store/reference.js';
import { clickhouseServerSkipReason, startServer, type ClickHouseServer } from '../support/clickhouse-servers.js';

const RECORDS = generateRecords(3000, 11);
const dir = mkdtempSync(join(tmpdir(), 'genai-usage-ch-writer-'));
const idsOf = (records: readonly UsageRecord[]): string[] => records.map((r) => r.id).sort();

async function waitFor(condition: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Exactly these records, each once, in the raw rows and in every rollup the suite reads. */
async function expectExactly(store: UsageStore, records: readonly UsageRecord[]): Promise<void> {
  expect((await store.records({ limit: 100_000 })).map((r) => r.id).sort()).toEqual(idsOf(records));
  const tokens = records.reduce((sum, r) => sum + r.inputTokens, 0);
  for (const groupBy of ['provider', 'user', 'session'] as const) {
    const rows = await store.aggregate({ groupBy });
    expect(rows.reduce((sum, row) => sum + row.requests, 0), groupBy).toBe(records.length);
    expect(rows.reduce((sum, row) => sum + row.inputTokens, 0), groupBy).toBe(tokens);
  }
}

const skip = clickhouseServerSkipReason();
describe.skipIf(skip !== undefined)('UsageWriter with a ClickHouse outage', () => {
  let server: ClickHouseServer;
  let url: string;
  let destroy: () => Promise<void>;
  beforeAll(async () => {
    ({ server, url, destroy } = await startServer());
  }, 90_000);
  afterAll(async () => {
    await destroy?.();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('keeps records through a server stop and start: every record arrives exactly once', async () => {
    const w = new UsageWriter({ store: () => openStore(url), maxBatchSize: 200, flushIntervalMs: 20, initialBackoffMs: 50, maxBackoffMs: 400 });
    const records = RECORDS.slice(0, 2400);
    for (const record of records.slice(0, 800)) w.write(record);
    await w.forceFlush(120_000);
    expect(w.stats().written).toBe(800);
    await server.stop('SIGTERM');
    for (const record of records.slice(800, 1600)) {
      w.write(record);
      if (Math.random() < 0.05) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await waitFor(() => w.stats().retries >= 2);
    await server.start();
    for (const record of records.slice(1600)) w.write(record);
    await w.forceFlush(180_000);
    expect(w.stats()).toMatchObject({ dropped: 0, queueDepth: 0 });
    await w.shutdown();
    const check = await openStore(url);
    try {
      await expectExactly(check, records);
    } finally {
      await check.close();
    }
  }, 400_000);

  it('a server killed mid-stream (SIGKILL) loses nothing: re-sent batches are stored once', async () => {
    const store = `${url.replace(/\/usage$/, '/usage_kill')}`;
    const w = new UsageWriter({ store: () => openStore(store), maxBatchSize: 100, flushIntervalMs: 10, initialBackoffMs: 50, maxBackoffMs: 400 });
    const records = RECORDS.slice(0, 1500);
    let restarted = false;
    // Records keep coming (20 every ~10 ms) until the server is back, so writes are in flight when it dies.
    const feeding = (async () => {
      for (let i = 0; i < records.length; i++) {
        w.write(records[i] as UsageRecord);
        if (i % 20 === 0) await new Promise((resolve) => setTimeout(resolve, restarted ? 1 : 10));
      }
    })();
    await waitFor(() => w.stats().written >= 300);
    await server.stop('SIGKILL');
    await waitFor(() => w.stats().retries >= 1);
    await server.start();
    restarted = true;
    await feeding;
    await w.forceFlush(180_000);
    expect(w.stats()).toMatchObject({ dropped: 0, queueDepth: 0 });
    await w.shutdown();
    const check = await openStore(store);
    try {
      expect((await check.records({ limit: 100_000 })).map((r) => r.id).sort()).toEqual(idsOf(records));
    } finally {
      await check.close();
    }
  }, 400_000);

  it('spools while ClickHouse is down at start and replays after it returns', async () => {
    const spoolDir = join(dir, 'spool');
    const store = url.replace(/\/usage$/, '/usage_spool');
    await server.stop('SIGTERM');
    const first = new UsageWriter({ store: () => openStore(store), spoolDir, initialBackoffMs: 50, maxBackoffMs: 200 });
    const records = RECORDS.slice(2400, 2800);
    for (const record of records) first.write(record);
    await first.shutdown(1500);
    expect(first.stats()).toMatchObject({ written: 0, dropped: 0, spooled: 400 });
    await server.start();
    const second = new UsageWriter({ store: () => openStore(store), spoolDir, initialBackoffMs: 50 });
    await waitFor(() => second.stats().replayed === 400, 180_000);
    await second.shutdown();
    expect(readdirSync(spoolDir)).toEqual([]);
    const check = await openStore(store);
    try {
      await expectExactly(check, records);
    } finally {
      await check.close();
    }
  }, 400_000);
});
