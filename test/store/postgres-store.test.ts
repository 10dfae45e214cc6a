import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { StoreError } from '../../src/store/errors.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { openStore } from '../../src/store/open-store.js';
import type { UsageStore } from '../../src/store/usage-store.js';
import { generateRecords } from './reference.js';
import { storeSuite } from './store-suite.js';
import { postgresTestUrl } from './postgres-env.js';

const { url, skipReason } = postgresTestUrl();
// One schema per test file run and per store, dropped at the end: files run in parallel.
const prefix = `t_store_${process.pid}_${Date.now().toString(36)}`;
const schemas: string[] = [];
const opened: UsageStore[] = [];

async function openFresh(): Promise<UsageStore> {
  const schema = `${prefix}_${schemas.length}`;
  schemas.push(schema);
  const store = await openStore(`${url}${url?.includes('?') ? '&' : '?'}schema=${schema}`);
  opened.push(store);
  return store;
}

describe.skipIf(skipReason !== undefined)('PostgreSQL store', () => {
  afterAll(async () => {
    await Promise.all(opened.map((s) => s.close()));
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });

  storeSuite({ open: openFresh });

  it('migrates once per schema and keeps the data on reopen', async () => {
    const store = await openFresh();
    await store.insert(generateRecords(25));
    const schema = schemas[schemas.length - 1] as string;
    const again = await openStore(`${url}?schema=${schema}`);
    expect((await again.aggregate())[0]?.requests).toBe(25);
    await again.close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query(`SELECT version FROM ${schema}.genai_usage_migrations ORDER BY version`);
    await client.end();
    expect(rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version })));
  });

  it('fails with a StoreError naming the server when it is unreachable, password redacted', async () => {
    const error = await openStore('postgres://bob:secret@127.0.0.1:1/none').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toContain('bob:***@127.0.0.1:1');
    expect((error as Error).message).not.toContain('secret');
    await expect(openStore(`${url}?schema=Bad-Name`)).rejects.toThrow(/invalid schema/);
  });
});
