import { createClient } from '@clickhouse/client';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { parseClickHouseUrl } from '../../src/store/clickhouse/clickhouse-connection.js';
import { StoreError, StoreNotFoundError } from '../../src/store/errors.js';
import { openStore } from '../../src/store/open-store.js';
import type { UsageStore } from '../../src/store/usage-store.js';
import { clickhouseSingle, runOn, withDatabase } from './clickhouse-env.js';
import { generateRecords } from './reference.js';
import { storeSuite } from './store-suite.js';

const { url, skipReason } = clickhouseSingle();
// Each call is an HTTP round trip to the server (the injection test makes ~400): more than 30 s on a busy machine.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 600_000 });
// One database per store, dropped at the end: test files run in parallel.
const prefix = `t_store_${process.pid}_${Date.now().toString(36)}`;
const databases: string[] = [];
const opened: UsageStore[] = [];

async function openFresh(): Promise<UsageStore> {
  const database = `${prefix}_${databases.length}`;
  databases.push(database);
  const store = await openStore(withDatabase(url as string, database));
  opened.push(store);
  return store;
}

describe.skipIf(skipReason !== undefined)('ClickHouse store (single server)', () => {
  afterAll(async () => {
    await Promise.all(opened.map((s) => s.close()));
    await Promise.all(databases.map((database) => runOn(url as string, `DROP DATABASE IF EXISTS ${database}`)));
  });

  storeSuite({ open: openFresh });

  it('records() reads a record once when a copy slipped past the insert check (two writers at the same instant)', async () => {
    const store = await openFresh();
    const records = generateRecords(40);
    await store.insert(records);
    // A second copy of every row, written behind the id ledger's back as a concurrent writer's would be.
    const database = databases[databases.length - 1] as string;
    await runOn(url as string, `INSERT INTO ${database}.genai_usage_records SELECT * FROM ${database}.genai_usage_records`);
    const { origin, username, password } = parseClickHouseUrl(url as string);
    const client = createClient({ url: origin, username, password });
    const [copies] = (await (await client.query({ query: `SELECT count() AS n FROM ${database}.genai_usage_records`, format: 'JSONEachRow' })).json()) as Array<{ n: string }>;
    await client.close();
    expect(Number(copies?.n)).toBe(80);
    const newest = [...records].sort((a, b) => b.recordedAt.getTime() - a.recordedAt.getTime() || (a.id < b.id ? 1 : -1));
    expect((await store.records({ limit: 15 })).map((r) => r.id)).toEqual(newest.slice(0, 15).map((r) => r.id));
    expect((await store.records({ limit: 10, offset: 30 })).map((r) => r.id)).toEqual(newest.slice(30, 40).map((r) => r.id));
    expect(await store.records({ limit: 100, order: 'asc' })).toHaveLength(40);
  });

  it('writes values as literals on this server (18.16 has no query parameters)', async () => {
    const store = (await openFresh()) as UsageStore & { serverVersion?: string; usesQueryParameters?: boolean };
    expect(store.usesQueryParameters).toBe(Number(store.serverVersion?.split('.')[0]) >= 20);
  });

  it('migrates once per database and keeps the data on reopen', async () => {
    const store = await openFresh();
    await store.insert(generateRecords(25));
    const again = await openStore(withDatabase(url as string, databases[databases.length - 1] as string));
    expect((await again.aggregate())[0]?.requests).toBe(25);
    await again.close();
  });

  it('read-only: refuses a database that holds no store and creates nothing; opens one that does', async () => {
    const missing = `${prefix}_missing`;
    await expect(openStore(withDatabase(url as string, missing), { readOnly: true })).rejects.toBeInstanceOf(StoreNotFoundError);
    const admin = await openFresh();
    await admin.insert(generateRecords(5));
    const reader = await openStore(withDatabase(url as string, databases[databases.length - 1] as string), { readOnly: true });
    expect((await reader.aggregate())[0]?.requests).toBe(5);
    await reader.close();
    // Nothing was created for the missing one: a read-only open still finds no store there.
    await expect(openStore(withDatabase(url as string, missing), { readOnly: true })).rejects.toBeInstanceOf(StoreNotFoundError);
  });

  it('fails with a StoreError naming the server when it is unreachable, password redacted', async () => {
    const error = await openStore('clickhouse://bob:secret@127.0.0.1:1/none').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toContain('bob:***@127.0.0.1:1');
    expect((error as Error).message).not.toContain('secret');
    await expect(openStore(withDatabase(url as string, 'bad-name'))).rejects.toThrow(/invalid ClickHouse database name/);
    await expect(openStore(`${url as string}?pool=3`)).rejects.toThrow(/unsupported ClickHouse URL parameter/);
  });
});
