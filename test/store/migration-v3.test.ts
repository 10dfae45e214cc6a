// Issue 10 item 6: migration 3 puts the tenant into a record's identity. A store written by
// version 2 keeps every record and rollup, and afterwards the same span from another tenant
// is stored beside the first instead of vanishing.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresDialect, sqliteDialect, type Dialect } from '../../src/store/dialect.js';
import { MIGRATIONS, migrationsTableSql } from '../../src/store/migrations.js';
import { openStore } from '../../src/store/open-store.js';
import { recordColumnsAt, recordToValues } from '../../src/store/schema.js';
import type { UsageStore } from '../../src/store/usage-store.js';
import { tempDir } from '../collector/harness.js';
import { postgresTestUrl } from './postgres-env.js';
import { generateRecords } from './reference.js';

const RECORDS = generateRecords(300, 7);
const TENANT_A = RECORDS.slice(0, 100);
const NO_TENANT = RECORDS.slice(100);

/**
 * SQL that builds a store as an older release left it: migration 1, the rows (as that release
 * wrote them), migration 2's backfill, and with `withV4` migration 4 too (a store created by
 * the release that had 4 before 3 was merged).
 */
function olderStore(dialect: Dialect, withV4 = false): Array<[string, unknown[]]> {
  const v1 = recordColumnsAt(1);
  const columns = [...v1.map((c) => c.column), 'tenant'];
  const placeholders = columns.map((_, i) => dialect.placeholder(i + 1)).join(', ');
  const insert = `INSERT INTO genai_usage_records (${columns.join(', ')}) VALUES (${placeholders})`;
  const row = (r: (typeof RECORDS)[number], tenant: string | null): unknown[] => [...recordToValues(r, dialect, tenant).slice(0, v1.length), tenant];
  const now = dialect.name === 'postgres' ? 'now()' : `'2026-01-01T00:00:00Z'`;
  const m = (v: number) => MIGRATIONS.find((x) => x.version === v)!;
  return [
    [migrationsTableSql(dialect), []],
    ...m(1).statements(dialect).map((sql): [string, unknown[]] => [sql, []]),
    ...TENANT_A.map((r): [string, unknown[]] => [insert, row(r, 'tenant-a')]),
    ...NO_TENANT.map((r): [string, unknown[]] => [insert, row(r, null)]),
    ...m(2).statements(dialect).map((sql): [string, unknown[]] => [sql, []]),
    [`INSERT INTO genai_usage_migrations (version, name, applied_at) VALUES (1, 'v1', ${now}), (2, 'v2', ${now})`, []],
    ...(withV4
      ? [
          ...m(4).statements(dialect, new Set([1, 2])).map((sql): [string, unknown[]] => [sql, []]),
          [`INSERT INTO genai_usage_migrations (version, name, applied_at) VALUES (4, 'v4', ${now})`, []] as [string, unknown[]],
        ]
      : []),
  ];
}

async function expectMigrated(store: UsageStore): Promise<void> {
  expect((await store.records({ limit: 1000 })).length).toBe(300);
  expect((await store.records({ tenant: 'tenant-a', limit: 1000 })).map((r) => r.id).sort()).toEqual(TENANT_A.map((r) => r.id).sort());
  const [fromRollup] = await store.aggregate({});
  expect(fromRollup?.requests).toBe(300);
  expect((await store.aggregate({ tenant: 'tenant-a', groupBy: 'user' })).reduce((n, r) => n + r.requests, 0)).toBe(100);
  // After the migration: tenant b's copy of tenant a's spans is stored, not skipped...
  expect(await store.insert(TENANT_A, { tenant: 'tenant-b' })).toBe(100);
  // ...while re-sending within a tenant (or without one) still changes nothing.
  expect(await store.insert(TENANT_A, { tenant: 'tenant-a' })).toBe(0);
  expect(await store.insert(NO_TENANT)).toBe(0);
  expect((await store.aggregate({}))[0]?.requests).toBe(400);
  expect((await store.records({ tenant: 'tenant-b', limit: 1000 })).length).toBe(100);
}

describe('migration 3 (SQLite)', () => {
  const tmp = tempDir('genai-usage-migrate-');
  afterAll(() => tmp.cleanup());

  it('rebuilds a version-2 table keyed by (recorded_at, id, tenant), keeping records and rollups', async () => {
    const file = join(tmp.dir, 'v2.db');
    const db = new Database(file);
    for (const [sql, params] of olderStore(sqliteDialect)) db.prepare(sql).run(...params);
    db.close();
    const store = await openStore(`sqlite:${file}`);
    try {
      await expectMigrated(store);
    } finally {
      await store.close();
    }
    const after = new Database(file, { readonly: true });
    expect(after.prepare(`SELECT COUNT(*) AS n FROM genai_usage_records WHERE tenant IS NULL`).get()).toEqual({ n: 0 });
    expect(after.prepare(`SELECT COUNT(*) AS n FROM genai_usage_records WHERE tenant = ''`).get()).toEqual({ n: 200 });
    const indexes = (after.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'genai_usage_records' ORDER BY name`).all() as Array<{ name: string }>).map((r) => r.name);
    expect(indexes).toEqual(['genai_usage_records_conversation', 'genai_usage_records_session', 'genai_usage_records_trace', 'genai_usage_records_user', 'sqlite_autoindex_genai_usage_records_1']);
    after.close();
  });

  it('applies 3 to a store that already has 4 (1, 2, 4 applied), keeping 4\'s columns and index', async () => {
    const file = join(tmp.dir, 'v124.db');
    const db = new Database(file);
    for (const [sql, params] of olderStore(sqliteDialect, true)) db.prepare(sql).run(...params);
    db.prepare(`UPDATE genai_usage_records SET web_search_requests = 2, service_tier = 'flex' WHERE tenant = 'tenant-a'`).run();
    db.close();
    const store = await openStore(`sqlite:${file}`);
    try {
      const [a] = await store.records({ tenant: 'tenant-a', limit: 1 });
      expect(a).toMatchObject({ webSearchRequests: 2, serviceTier: 'flex' });
      await expectMigrated(store);
    } finally {
      await store.close();
    }
    const after = new Database(file, { readonly: true });
    expect(after.prepare('SELECT version FROM genai_usage_migrations ORDER BY version').all()).toEqual(MIGRATIONS.map((m) => ({ version: m.version })));
    expect(after.prepare(`SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'genai_usage_records_trace'`).get()).toEqual({ n: 1 });
    after.close();
  });
});

const { url, skipReason } = postgresTestUrl();

describe.skipIf(skipReason !== undefined)('migration 3 (PostgreSQL)', () => {
  const schema = `t_migrate_${process.pid}_${Date.now().toString(36)}`;
  afterAll(async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });

  it.each([false, true])('re-keys a version-2 table (with 4 applied first: %s) by (recorded_at, id, tenant), keeping records and rollups', async (withV4) => {
    const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
    await client.connect();
    try {
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.query(`CREATE SCHEMA ${schema}`);
      for (const [sql, params] of olderStore(postgresDialect, withV4)) await client.query(sql, params);
    } finally {
      await client.end();
    }
    const store = await openStore(`${url}?schema=${schema}`);
    try {
      await expectMigrated(store);
    } finally {
      await store.close();
    }
    const check = new pg.Client({ connectionString: url });
    await check.connect();
    const key = await check.query(
      `SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) ` +
        `WHERE i.indrelid = '${schema}.genai_usage_records'::regclass AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)`,
    );
    await check.end();
    expect(key.rows.map((r: { attname: string }) => r.attname)).toEqual(['recorded_at', 'id', 'tenant']);
  });
});
