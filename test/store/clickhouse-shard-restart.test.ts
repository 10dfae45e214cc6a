// A real two-shard cluster of its own (two clickhouse-server processes on loopback, ON CLUSTER
// DDL through the CI's ZooKeeper): one shard restarts while the writer keeps ingesting.
import { createClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageWriter } from '../../src/exporter/usage-writer.js';
import { openStore } from '../../src/store/open-store.js';
import type { UsageRecord } from '../../src/usage/usage-record.js';
import { clickhouseServerSkipReason, startTwoShards, type ClickHouseServer } from '../support/clickhouse-servers.js';
import { generateRecords, group, sums } from './reference.js';

const RECORDS = generateRecords(4000, 5);

async function waitFor(condition: () => boolean, why: () => unknown, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for a condition: ${JSON.stringify(why())}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function localCount(shard: ClickHouseServer): Promise<number> {
  const client = createClient({ url: `http://${shard.origin}` });
  try {
    const rows = (await (await client.query({ query: 'SELECT count() AS n FROM usage.genai_usage_records_local FINAL', format: 'JSONEachRow' })).json()) as Array<{ n: string }>;
    return Number(rows[0]?.n);
  } finally {
    await client.close();
  }
}

const skip = clickhouseServerSkipReason();
describe.skipIf(skip !== undefined)('ClickHouse cluster: a shard restarts mid-ingest', () => {
  let cluster: Awaited<ReturnType<typeof startTwoShards>>;
  beforeAll(async () => {
    cluster = await startTwoShards();
  }, 90_000);
  afterAll(async () => cluster?.destroy(), 60_000);

  it('loses and duplicates nothing; both shards hold records; aggregates match the reference', async () => {
    const w = new UsageWriter({ store: () => openStore(cluster.url), maxBatchSize: 200, flushIntervalMs: 10, initialBackoffMs: 50, maxBackoffMs: 500 });
    let restarted = false;
    const feeding = (async () => {
      for (let i = 0; i < RECORDS.length; i++) {
        w.write(RECORDS[i] as UsageRecord);
        if (i % 40 === 0) await new Promise((resolve) => setTimeout(resolve, restarted ? 1 : 15));
      }
    })();
    await waitFor(() => w.stats().written >= 600, () => w.stats());
    const shard2 = cluster.shards[1] as ClickHouseServer;
    await shard2.stop('SIGTERM');
    await waitFor(() => w.stats().retries >= 1, () => w.stats());
    await shard2.start();
    restarted = true;
    await feeding;
    await w.forceFlush(240_000);
    expect(w.stats(), JSON.stringify(w.stats())).toMatchObject({ dropped: 0, queueDepth: 0 });
    expect(w.stats().retries).toBeGreaterThan(0);
    await w.shutdown();

    const store = await openStore(cluster.url);
    try {
      const stored = await store.records({ limit: 100_000 });
      expect(stored.length).toBe(RECORDS.length);
      expect(new Set(stored.map((r) => r.id)).size).toBe(RECORDS.length);
      const perShard = await Promise.all(cluster.shards.map(localCount));
      expect(perShard.reduce((a, b) => a + b, 0)).toBe(RECORDS.length);
      for (const n of perShard) expect(n).toBeGreaterThan(RECORDS.length / 3);
      // Rollup-backed answers agree with a plain computation over the records sent.
      const byModel = await store.aggregate({ groupBy: 'model', bucket: 'day' });
      const expected = group(RECORDS, ['model'], 'day');
      expect(byModel.length).toBe(expected.length);
      expect(byModel.reduce((n, row) => n + row.requests, 0)).toBe(RECORDS.length);
      expect(byModel.reduce((n, row) => n + row.outputTokens, 0)).toBe(sums(RECORDS).outputTokens);
      const byUser = await store.top({ by: 'user', metric: 'requests', limit: 100 });
      expect(byUser.reduce((n, row) => n + row.requests, 0)).toBe(RECORDS.length);
    } finally {
      await store.close();
    }
  }, 480_000);
});
