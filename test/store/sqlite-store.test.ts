import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { sqliteDialect } from '../../src/store/dialect.js';
import { StoreError } from '../../src/store/errors.js';
import { MIGRATIONS, migrationsTableSql } from '../../src/store/migrations.js';
import { RECORD_COLUMN_NAMES, recordToValues } from '../../src/store/schema.js';
import { openStore } from '../../src/store/open-store.js';
import { generateRecords } from './reference.js';
import { storeSuite } from './store-suite.js';

const dir = mkdtempSync(join(tmpdir(), 'genai-usage-sqlite-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SQLite store (file)', () => {
  storeSuite({ open: () => openStore(`sqlite:${join(dir, `suite-${++n}.db`)}`) });
});

describe('SQLite store (:memory:)', () => {
  storeSuite({ open: () => openStore('sqlite::memory:') });
});

describe('SQLite store specifics', () => {
  it('migrates once, records the versions, and reopens an existing file', async () => {
    const file = join(dir, 'reopen.db');
    const first = await openStore(`sqlite:${file}`);
    await first.insert(generateRecords(10));
    await first.close();
    const second = await openStore(`sqlite://${file}`);
    expect((await second.aggregate())[0]?.requests).toBe(10);
    await second.close();
    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT version FROM genai_usage_migrations ORDER BY version').all()).toEqual(MIGRATIONS.map((m) => ({ version: m.version })));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('migration 5 backfills the session and trace rollups from records stored before it', async () => {
    const file = join(dir, 'v4.db');
    const records = generateRecords(300, 9);
    const db = new Database(file);
    db.exec(migrationsTableSql(sqliteDialect));
    for (const m of MIGRATIONS.filter((m) => m.version <= 4)) {
      for (const statement of m.statements(sqliteDialect)) db.exec(statement);
      db.prepare('INSERT INTO genai_usage_migrations VALUES (?, ?, ?)').run(m.version, m.name, '2025-01-01');
    }
    const columns = [...RECORD_COLUMN_NAMES, 'tenant'];
    const insert = db.prepare(`INSERT INTO genai_usage_records (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
    for (const r of records) insert.run(recordToValues(r, sqliteDialect, ''));
    db.close();
    const store = await openStore(`sqlite:${file}`);
    const expected = (dim: 'session' | 'trace'): Map<string | null, number> => {
      const out = new Map<string | null, number>();
      for (const r of records) {
        const key = (dim === 'session' ? r.sessionId : r.traceId) ?? null;
        out.set(key, (out.get(key) ?? 0) + r.inputTokens);
      }
      return out;
    };
    for (const dim of ['session', 'trace'] as const) {
      const rows = await store.aggregate({ groupBy: dim, from: '2025-01-01', to: '2026-01-01' });
      expect(new Map(rows.map((row) => [row[dim] ?? null, row.inputTokens]))).toEqual(expected(dim));
    }
    await store.close();
  });

  it('refuses a database migrated by a newer version', async () => {
    const file = join(dir, 'newer.db');
    await (await openStore(`sqlite:${file}`)).close();
    const db = new Database(file);
    db.prepare(`INSERT INTO genai_usage_migrations VALUES (99, 'future', '2099-01-01')`).run();
    db.close();
    await expect(openStore(`sqlite:${file}`)).rejects.toThrow(/version 99, newer/);
  });

  it('stays readable by another connection while it writes (WAL)', async () => {
    const file = join(dir, 'concurrent.db');
    const store = await openStore(`sqlite:${file}`);
    await store.insert(generateRecords(100, 1));
    const reader = new Database(file, { readonly: true });
    reader.exec('BEGIN');
    expect(reader.prepare('SELECT COUNT(*) AS n FROM genai_usage_records').get()).toEqual({ n: 100 });
    // The reader's open transaction must not block the writer, and sees its snapshot.
    expect(await store.insert(generateRecords(300, 2).slice(100))).toBe(200);
    expect(reader.prepare('SELECT COUNT(*) AS n FROM genai_usage_records').get()).toEqual({ n: 100 });
    reader.exec('COMMIT');
    expect(reader.prepare('SELECT COUNT(*) AS n FROM genai_usage_records').get()).toEqual({ n: 300 });
    reader.close();
    await store.close();
  });

  it('names the valid URL forms for an unsupported one', async () => {
    for (const url of ['mysql://localhost/x', 'genai-usage.db', '', 'sqlite:', 'sqlite:x.db?cache=shared']) {
      const error = await openStore(url).catch((e: unknown) => e);
      expect(error, url).toBeInstanceOf(StoreError);
      expect((error as Error).message).toMatch(/sqlite:<path>|busy_timeout/);
    }
  });
});
