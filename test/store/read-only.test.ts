import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { StoreError, StoreNotFoundError } from '../../src/store/errors.js';
import { postgresTestUrl } from './postgres-env.js';
import { generateRecords } from './reference.js';

const dir = mkdtempSync(join(tmpdir(), 'genai-usage-readonly-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('openStore(url, { readOnly: true }) on SQLite', () => {
  it('a missing file is a StoreNotFoundError, and neither the file nor its folder is created', async () => {
    const path = join(dir, 'missing', 'usage.db');
    const error = await openStore(`sqlite:${path}`, { readOnly: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreNotFoundError);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toBe(`no usage store at ${path}: the file does not exist (nothing recorded there yet, or another path?)`);
    expect(existsSync(join(dir, 'missing'))).toBe(false);
  });

  it('a SQLite file that is not a usage store is refused and left without our tables', async () => {
    const path = join(dir, 'other.db');
    const other = new Database(path);
    other.exec('CREATE TABLE notes (text TEXT)');
    other.close();
    await expect(openStore(`sqlite:${path}`, { readOnly: true })).rejects.toThrow(`${path} is not a usage store (it has no genai_usage_migrations table)`);
    const check = new Database(path, { readonly: true });
    expect(check.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all()).toEqual([{ name: 'notes' }]);
    check.close();
    // Not even a file of garbage is touched.
    const junk = join(dir, 'junk.db');
    writeFileSync(junk, 'not a database at all');
    await expect(openStore(`sqlite:${junk}`, { readOnly: true })).rejects.toThrow(StoreError);
  });

  it('an in-memory store cannot be read-only (it would always be empty)', async () => {
    await expect(openStore('sqlite::memory:', { readOnly: true })).rejects.toThrow(/in-memory SQLite store starts empty/);
  });

  it('an existing store reads the same rows as a writable one and refuses writes', async () => {
    const url = `sqlite:${join(dir, 'usage.db')}`;
    const writer = await openStore(url);
    const records = generateRecords(50, 7);
    await writer.insert(records);
    const reader = await openStore(url, { readOnly: true });
    try {
      expect(await reader.aggregate({ groupBy: ['model'] })).toEqual(await writer.aggregate({ groupBy: ['model'] }));
      expect((await reader.records({ limit: 1000 })).length).toBe(50);
      await expect(reader.insert(generateRecords(1, 8))).rejects.toThrow(/readonly/i);
    } finally {
      await reader.close();
      await writer.close();
    }
  });
});

const { url: pgUrl, skipReason } = postgresTestUrl();
describe.skipIf(!pgUrl)(`openStore(url, { readOnly: true }) on PostgreSQL${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  it('a schema without a store is a StoreNotFoundError and is not created', async () => {
    const schema = `ro_missing_${process.pid}`;
    const error = await openStore(`${pgUrl}?schema=${schema}`, { readOnly: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreNotFoundError);
    expect((error as Error).message).toMatch(/^no usage store at postgres:\/\/.*: it has no genai_usage_migrations table/);
    const client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [schema]);
      expect(rows).toEqual([]);
    } finally {
      await client.end();
    }
  });

  it('an existing store opens read-only and answers', async () => {
    const url = `${pgUrl}?schema=ro_present_${process.pid}`;
    const writer = await openStore(url);
    try {
      await writer.insert(generateRecords(20, 3));
      const reader = await openStore(url, { readOnly: true });
      try {
        expect(await reader.aggregate({})).toEqual(await writer.aggregate({}));
      } finally {
        await reader.close();
      }
    } finally {
      await writer.close();
    }
  });
});
