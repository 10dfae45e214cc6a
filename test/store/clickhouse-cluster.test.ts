import { createClient } from '@clickhouse/client';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { UsageStore } from '../../src/store/usage-store.js';
import { clickhouseCluster, runOn, withDatabase } from './clickhouse-env.js';
import { generateRecords } from './reference.js';
import { storeSuite } from './store-suite.js';

// The same suite on a real two-shard cluster: Distributed tables over *_local tables on two
// ClickHouse servers (127.0.0.1:18124 and :18125 in CI), DDL ON CLUSTER through ZooKeeper.
const { url, skipReason } = clickhouseCluster();
// Every query crosses to both shards and DDL (delete's mutation) goes through ZooKeeper: slower than one server.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 600_000 });
const CLUSTER = 'genai_usage_test';
const prefix = `t_cluster_${process.pid}_${Date.now().toString(36)}`;
const databases: string[] = [];
const opened: UsageStore[] = [];

async function openFresh(): Promise<UsageStore> {
  const database = `${prefix}_${databases.length}`;
  databases.push(database);
  const store = await openStore(withDatabase(url as string, database));
  opened.push(store);
  return store;
}

/** Rows per shard, read from each server's local table (18.16's cluster() has no _shard_num). */
async function rowsPerShard(database: string): Promise<number[]> {
  const origin = new URL((url as string).replace(/^clickhouse:/, 'http:'));
  const client = createClient({ url: `http://${origin.host}` });
  const shards = [process.env['CH_TEST_SHARD1_TCP_PORT'] ?? '19001', process.env['CH_TEST_SHARD2_TCP_PORT'] ?? '19002'];
  try {
    const query = shards.map((port) => `SELECT count() AS n FROM remote('127.0.0.1:${port}', ${database}, genai_usage_records_local)`).join(' UNION ALL ');
    return ((await (await client.query({ query, format: 'JSONEachRow' })).json()) as Array<{ n: string }>).map((row) => Number(row.n));
  } finally {
    await client.close();
  }
}

describe.skipIf(skipReason !== undefined)('ClickHouse store (two shards)', () => {
  afterAll(async () => {
    await Promise.all(opened.map((s) => s.close()));
    await Promise.all(databases.map((database) => runOn(url as string, `DROP DATABASE IF EXISTS ${database} ON CLUSTER ${CLUSTER}`)));
  });

  storeSuite({ open: openFresh });

  it('spreads records over both shards, each record on exactly one', async () => {
    const store = await openFresh();
    const records = generateRecords(2000, 7);
    expect(await store.insert(records)).toBe(2000);
    expect(await store.insert(records.slice(0, 500))).toBe(0);
    const perShard = await rowsPerShard(databases[databases.length - 1] as string);
    expect(perShard).toHaveLength(2);
    expect(perShard.reduce((a, b) => a + b, 0)).toBe(2000);
    // cityHash64(tenant, id) splits evenly: neither shard holds fewer than a third.
    for (const n of perShard) expect(n).toBeGreaterThan(2000 / 3);
    expect((await store.aggregate())[0]?.requests).toBe(2000);
  });
});
