// A store written by the release before migration 4 (schema version 2) opens under this one:
// the new columns appear, old rows read back with zeros, and the rollups stay exact.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresDialect, sqliteDialect, type Dialect } from '../../src/store/dialect.js';
import { MIGRATIONS, migrationsTableSql } from '../../src/store/migrations.js';
import { openStore } from '../../src/store/open-store.js';
import { MIGRATIONS_TABLE, RECORDS_TABLE, recordColumnsAt, recordToValues } from '../../src/store/schema.js';
import type { UsageStore } from '../../src/store/usage-store.js';
import type { UsageRecord } from '../../src/usage/usage-record.js';
import { postgresTestUrl } from './postgres-env.js';
import { compareKeys, generateRecords, group, metricOf, sums } from './reference.js';

/** What the old release stored: the same calls without the fields migration 4 added. */
function asVersion2(record: UsageRecord): UsageRecord {
  return {
    ...record,
    cacheWrite1hTokens: 0,
    audioInputTokens: 0,
    audioOutputTokens: 0,
    imageInputTokens: 0,
    imageOutputTokens: 0,
    webSearchRequests: 0,
    serviceTier: undefined,
    cacheReadSavingsUsd: undefined,
    cacheWritePremiumUsd: undefined,
    priceVersion: undefined,
  };
}

const OLD = generateRecords(300, 11);
// Generated ids depend on the index only: give the new calls their own spans.
const NEW = generateRecords(200, 12).map((r) => ({ ...r, spanId: `f${r.spanId.slice(1)}`, id: `${r.traceId}-f${r.spanId.slice(1)}` }));

type Exec = (sql: string, params?: unknown[]) => Promise<void>;

/** Builds a version-2 database the way the old release did: migration 1, rows, then migration 2 (which backfills the rollups). */
async function buildVersion2(exec: Exec, d: Dialect): Promise<void> {
  await exec(migrationsTableSql(d));
  const v1 = recordColumnsAt(1);
  const [m1, m2] = MIGRATIONS as [(typeof MIGRATIONS)[number], (typeof MIGRATIONS)[number]];
  for (const statement of m1.statements(d)) await exec(statement);
  for (const record of OLD) {
    const values = recordToValues(record, d, null).slice(0, v1.length);
    const placeholders = values.map((_, i) => d.placeholder(i + 1));
    await exec(`INSERT INTO ${RECORDS_TABLE} (${v1.map((c) => c.column).join(', ')}) VALUES (${placeholders.join(', ')})`, values);
  }
  for (const statement of m2.statements(d)) await exec(statement);
  for (const m of [m1, m2]) {
    await exec(`INSERT INTO ${MIGRATIONS_TABLE} (version, name, applied_at) VALUES (${d.placeholder(1)}, ${d.placeholder(2)}, ${d.placeholder(3)})`, [m.version, m.name, new Date().toISOString()]);
  }
}

async function expectUpgraded(store: UsageStore): Promise<void> {
  const [before] = await store.aggregate();
  expect(before).toMatchObject({ requests: OLD.length, inputTokens: sums(OLD).inputTokens, audioInputTokens: 0, webSearchRequests: 0, cacheReadSavingsUsd: 0 });
  const old = await store.records({ limit: 1, order: 'asc' });
  expect(old[0]).toMatchObject({ cacheWrite1hTokens: 0, audioOutputTokens: 0, imageInputTokens: 0 });
  expect(old[0]?.serviceTier).toBeUndefined();
  expect(old[0]?.priceVersion).toBeUndefined();
  expect(await store.insert(NEW)).toBe(NEW.length);
  const all = [...OLD.map(asVersion2), ...NEW];
  const expected = sums(all);
  // The rollup path (groupBy model, day-aligned) and the raw path (groupBy session) agree with the reference.
  for (const groupBy of ['model', 'session'] as const) {
    const rows = await store.aggregate({ groupBy });
    const total = (key: 'audioInputTokens' | 'imageOutputTokens' | 'webSearchRequests' | 'cacheWrite1hTokens' | 'requests'): number => rows.reduce((s, r) => s + r[key], 0);
    expect(total('requests')).toBe(all.length);
    expect(total('audioInputTokens')).toBe(expected.audioInputTokens);
    expect(total('imageOutputTokens')).toBe(expected.imageOutputTokens);
    expect(total('webSearchRequests')).toBe(expected.webSearchRequests);
    expect(total('cacheWrite1hTokens')).toBe(expected.cacheWrite1hTokens);
    expect(rows.reduce((s, r) => s + r.cacheReadSavingsUsd, 0)).toBeCloseTo(expected.cacheReadSavingsUsd, 9);
  }
  expect(expected.audioInputTokens).toBeGreaterThan(0);
  // Sessions and traces rank from the run totals migration 6 backfilled (and the inserts since kept up).
  for (const by of ['session', 'trace'] as const) {
    const ranked = group(all, [by])
      .map((g) => ({ key: g.keys[by] ?? null, value: metricOf(g.records, 'costUsd') }))
      .sort((a, b) => b.value - a.value || compareKeys(a.key, b.key));
    expect((await store.top({ by, limit: 5 })).map((r) => r[by])).toEqual(ranked.slice(0, 5).map((e) => e.key));
  }
}

describe('migration 4 upgrades a version-2 store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'genai-usage-upgrade-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('SQLite', async () => {
    const file = join(dir, 'v2.db');
    const db = new Database(file);
    await buildVersion2(async (sql, params = []) => void db.prepare(sql).run(...params), sqliteDialect);
    db.close();
    const store = await openStore(`sqlite:${file}`);
    try {
      await expectUpgraded(store);
    } finally {
      await store.close();
    }
    const check = new Database(file, { readonly: true });
    expect(check.prepare(`SELECT MAX(version) AS v FROM ${MIGRATIONS_TABLE}`).get()).toEqual({ v: MIGRATIONS[MIGRATIONS.length - 1]?.version });
    check.close();
  });

  const { url, skipReason } = postgresTestUrl();
  it.skipIf(skipReason !== undefined)('PostgreSQL', async () => {
    const schema = `t_upgrade_${process.pid}_${Date.now().toString(36)}`;
    const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
    await client.connect();
    let store: UsageStore | undefined;
    try {
      await client.query(`CREATE SCHEMA ${schema}`);
      await buildVersion2(async (sql, params = []) => void (await client.query(sql, params)), postgresDialect);
      store = await openStore(`${url}${url?.includes('?') ? '&' : '?'}schema=${schema}`);
      await expectUpgraded(store);
    } finally {
      await store?.close();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
  });
});
