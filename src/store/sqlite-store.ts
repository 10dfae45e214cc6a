import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { UsageRecord } from '../usage/usage-record.js';
import { sqliteDialect } from './dialect.js';
import { StoreError, StoreNotFoundError } from './errors.js';
import { LATEST_VERSION, MIGRATIONS, migrationsTableSql, rollupKeyColumns } from './migrations.js';
import { MEASURE_COLUMNS, ROLLUPS, type RollupDef, type RollupDelta } from './rollup.js';
import { MIGRATIONS_TABLE, RECORDS_TABLE, RECORD_COLUMN_NAMES, recordToValues } from './schema.js';
import { SqlUsageStore } from './sql-store.js';

/** Default `busy_timeout`: how long a write waits for another process's lock before failing (and being retried by the writer). */
export const DEFAULT_SQLITE_BUSY_TIMEOUT_MS = 250;

/** Records per transaction when a large array is inserted at once. */
const TRANSACTION_ROWS = 10_000;

export interface SqliteStoreOptions {
  /** Milliseconds a statement waits on a lock held by another connection; URL `?busy_timeout=`. Default 250. */
  busyTimeoutMs?: number;
  /**
   * The file must already be a usage store (`StoreNotFoundError` otherwise): nothing is created,
   * folders included, and the connection is read-only (a store of an older schema is migrated
   * first, through a short write connection).
   */
  readOnly?: boolean;
}

/**
 * SQLite engine (better-sqlite3): WAL so readers (the CLI) never block the writer, prepared
 * statements, one transaction per batch. Calls are synchronous on the calling thread, so the
 * writer keeps batches small and the busy timeout short.
 */
export class SqliteUsageStore extends SqlUsageStore {
  readonly engine = 'sqlite' as const;
  protected readonly dialect = sqliteDialect;
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly insertRecord: Database.Statement;
  private readonly upserts: Map<RollupDef, Database.Statement>;
  private readonly insertChunk: (records: readonly UsageRecord[], tenant: string | null) => number;
  private readonly deleteTx: (where: string, params: readonly unknown[]) => number;

  /** `path` is a file path or `:memory:`. */
  constructor(path: string, options: SqliteStoreOptions = {}) {
    super();
    const busyTimeout = `busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? DEFAULT_SQLITE_BUSY_TIMEOUT_MS))}`;
    if (options.readOnly) {
      this.db = openReadOnly(path, busyTimeout);
    } else {
      if (path !== ':memory:' && path !== '') mkdirSync(dirname(path), { recursive: true });
      try {
        this.db = new Database(path);
      } catch (error) {
        throw new StoreError(`cannot open SQLite database ${path}: ${(error as Error).message}`, { cause: error });
      }
      this.db.pragma(busyTimeout);
    }
    if (!options.readOnly && path !== ':memory:') this.db.pragma('journal_mode = WAL');
    // NORMAL is durable across application crashes in WAL mode; only an OS crash can lose the last commits.
    this.db.pragma('synchronous = NORMAL');
    // Random ids dirty index pages all over the file; checkpointing every ~40 MB of WAL instead
    // of every 4 MB lets repeated writes to a page coalesce (+35% insert rate measured).
    this.db.pragma('wal_autocheckpoint = 10000');
    this.db.pragma('cache_size = -32768');
    if (!options.readOnly) migrate(this.db);
    const columns = [...RECORD_COLUMN_NAMES, 'tenant'];
    this.insertRecord = this.db.prepare(`INSERT OR IGNORE INTO ${RECORDS_TABLE} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
    this.upserts = new Map(ROLLUPS.map((def) => [def, this.db.prepare(upsertSql(def))]));
    this.insertChunk = this.db.transaction((records: readonly UsageRecord[], tenant: string | null) => {
      const inserted: UsageRecord[] = [];
      for (const record of records) {
        if (this.insertRecord.run(...recordToValues(record, sqliteDialect, tenant)).changes > 0) inserted.push(record);
      }
      for (const [def, deltas] of this.deltasFor(inserted, tenant)) this.applyDeltas(def, deltas);
      return inserted.length;
    });
    this.deleteTx = this.db.transaction((where: string, params: readonly unknown[]) => {
      for (const def of ROLLUPS) this.applyDeltas(def, this.subtractions(def, this.prepare(this.rollupSubtractionSql(def, where)).all(...params) as Record<string, unknown>[]));
      const deleted = this.db.prepare(`DELETE FROM ${RECORDS_TABLE} ${where}`).run(...params).changes;
      for (const def of ROLLUPS) this.db.prepare(`DELETE FROM ${def.table} WHERE requests <= 0`).run();
      return deleted;
    });
  }

  protected async all(sql: string, params: readonly unknown[]): Promise<Record<string, unknown>[]> {
    return this.prepare(sql).all(...params) as Record<string, unknown>[];
  }

  protected async insertRecords(records: readonly UsageRecord[], tenant: string | null): Promise<number> {
    let inserted = 0;
    for (let i = 0; i < records.length; i += TRANSACTION_ROWS) inserted += this.insertChunk(records.slice(i, i + TRANSACTION_ROWS), tenant);
    return inserted;
  }

  protected async deleteWhere(where: string, params: readonly unknown[]): Promise<number> {
    return this.deleteTx(where, params);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private prepare(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      // Query text varies only with the filter's shape, so the cache stays small; bound it anyway.
      if (this.statements.size > 500) this.statements.clear();
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private applyDeltas(def: RollupDef, deltas: readonly RollupDelta[]): void {
    const upsert = this.upserts.get(def) as Database.Statement;
    for (const delta of deltas) {
      upsert.run(delta.bucketStart, ...delta.key.map((k) => (typeof k === 'boolean' ? (k ? 1 : 0) : k)), ...delta.values);
    }
  }

}

function upsertSql(def: RollupDef): string {
  const keys = rollupKeyColumns(def);
  const columns = [...keys, ...MEASURE_COLUMNS];
  return (
    `INSERT INTO ${def.table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) ` +
    `ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${MEASURE_COLUMNS.map((col) => `${col} = ${col} + excluded.${col}`).join(', ')}`
  );
}

/** Applies the pending migrations; a schema newer than this version is a StoreError. */
function migrate(db: Database.Database): void {
  db.exec(migrationsTableSql(sqliteDialect));
  const current = (): number =>
    Number((db.prepare(`SELECT MAX(version) AS v FROM ${MIGRATIONS_TABLE}`).get() as { v: number | null }).v ?? 0);
  if (current() === LATEST_VERSION) return;
  // IMMEDIATE takes the write lock first, so two processes opening a new file migrate once.
  db.transaction(() => {
    const version = current();
    if (version > LATEST_VERSION) {
      throw new StoreError(`the database schema is version ${version}, newer than this genai-usage supports (${LATEST_VERSION}); upgrade genai-usage`);
    }
    for (const migration of MIGRATIONS.filter((m) => m.version > version)) {
      for (const statement of migration.statements(sqliteDialect)) db.exec(statement);
      db.prepare(`INSERT INTO ${MIGRATIONS_TABLE} (version, name, applied_at) VALUES (?, ?, ?)`).run(migration.version, migration.name, new Date().toISOString());
    }
  }).immediate();
}

/**
 * A read-only connection to an existing usage store. Never creates the file or its folders;
 * a file that is not a usage store is refused, one of an older schema is migrated first.
 */
function openReadOnly(path: string, busyTimeout: string): Database.Database {
  if (path === ':memory:' || path === '') throw new StoreNotFoundError('an in-memory SQLite store starts empty and cannot be opened read-only; name a file: sqlite:<path>');
  if (!existsSync(path)) throw new StoreNotFoundError(`no usage store at ${path}: the file does not exist (nothing recorded there yet, or another path?)`);
  const open = (readonly: boolean) => {
    try {
      const db = new Database(path, { readonly, fileMustExist: true });
      db.pragma(busyTimeout);
      return db;
    } catch (error) {
      throw new StoreError(`cannot open SQLite database ${path}: ${(error as Error).message}`, { cause: error });
    }
  };
  let db = open(true);
  let version: number;
  try {
    const found = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(MIGRATIONS_TABLE);
    if (!found) throw new StoreNotFoundError(`${path} is not a usage store (it has no ${MIGRATIONS_TABLE} table)`);
    version = Number((db.prepare(`SELECT MAX(version) AS v FROM ${MIGRATIONS_TABLE}`).get() as { v: number | null }).v ?? 0);
  } catch (error) {
    db.close();
    if (error instanceof StoreError) throw error;
    throw new StoreError(`cannot read SQLite database ${path}: ${(error as Error).message}`, { cause: error });
  }
  if (version > LATEST_VERSION) {
    db.close();
    throw new StoreError(`the database schema is version ${version}, newer than this genai-usage supports (${LATEST_VERSION}); upgrade genai-usage`);
  }
  if (version < LATEST_VERSION) {
    db.close();
    const writer = open(false);
    try {
      migrate(writer);
    } finally {
      writer.close();
    }
    db = open(true);
  }
  return db;
}
