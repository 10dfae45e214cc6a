import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { UsageRecord } from '../usage/usage-record.js';
import { sqliteDialect } from './dialect.js';
import { StoreError, StoreNotFoundError } from './errors.js';
import { migrationsTableSql, pendingMigrations, rollupKeyColumns } from './migrations.js';
import { MEASURE_COLUMNS, SQL_ROLLUPS, type RollupDef, type RollupDelta } from './rollup.js';
import { MIGRATIONS_TABLE, RECORDS_TABLE, RECORD_COLUMN_NAMES, recordToValues } from './schema.js';
import { MAINTAINED_ROLLUPS, RUN_METRICS, RUN_TOTALS, runTotalsFor, runTotalsRows, runTotalsUpsertSql } from './run-totals.js';
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
  /** Per rollup: upserts by the blocks of measure columns they touch (see applyDeltas). */
  private readonly upserts = new Map<RollupDef, Map<number, Database.Statement>>();
  private readonly insertChunk: (records: readonly UsageRecord[], tenant: string) => number;
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
    this.insertChunk = this.db.transaction((records: readonly UsageRecord[], tenant: string) => {
      const inserted: UsageRecord[] = [];
      for (const record of records) {
        if (this.insertRecord.run(recordToValues(record, sqliteDialect, tenant)).changes > 0) inserted.push(record);
      }
      for (const [def, deltas] of this.deltasFor(inserted, tenant)) this.applyDeltas(def, deltas);
      return inserted.length;
    });
    this.deleteTx = this.db.transaction((where: string, params: readonly unknown[]) => {
      for (const def of MAINTAINED_ROLLUPS) this.applyDeltas(def, this.subtractions(def, this.prepare(this.rollupSubtractionSql(def, where)).all(...params) as Record<string, unknown>[]));
      const deleted = this.db.prepare(`DELETE FROM ${RECORDS_TABLE} ${where}`).run(...params).changes;
      for (const def of [...SQL_ROLLUPS, ...RUN_TOTALS]) this.db.prepare(`DELETE FROM ${def.table} WHERE requests <= 0`).run();
      return deleted;
    });
  }

  protected async all(sql: string, params: readonly unknown[]): Promise<Record<string, unknown>[]> {
    return this.prepare(sql).all(...params) as Record<string, unknown>[];
  }

  protected async insertRecords(records: readonly UsageRecord[], tenant: string): Promise<number> {
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

  /** Applies a rollup's deltas: to its table when it has one, and to the run totals they feed. */
  private applyDeltas(def: RollupDef, deltas: readonly RollupDelta[]): void {
    if (this.stored(def)) this.upsertRollup(def, deltas);
    const totals = runTotalsFor(def.table);
    if (totals && deltas.length > 0) {
      const sql = runTotalsUpsertSql(totals, sqliteDialect, `VALUES (?, ?, ?, ?, ${RUN_METRICS.map(() => '?').join(', ')})`);
      const upsert = this.prepare(sql);
      for (const row of runTotalsRows(deltas)) upsert.run(row);
    }
  }

  /**
   * Upserts rollup rows. Most rows of a batch sum one or a few records, so most of the ~50
   * measure columns (the duration histogram especially) are 0 in them. Each row binds and
   * updates only the blocks of 8 columns that hold a non-zero value, with one statement per
   * block set, prepared once: per-column shapes were nearly unique per row (which histogram
   * buckets, which token parts), so their statements were prepared again for most rows.
   */
  private upsertRollup(def: RollupDef, deltas: readonly RollupDelta[]): void {
    let statements = this.upserts.get(def);
    if (!statements) this.upserts.set(def, (statements = new Map()));
    for (const delta of deltas) {
      const args: unknown[] = [delta.bucketStart];
      for (const k of delta.key) args.push(typeof k === 'boolean' ? (k ? 1 : 0) : k);
      const values = delta.values;
      let blocks = 0;
      for (let i = 0; i < values.length; i++) if (values[i] !== 0) blocks |= 1 << (i >> BLOCK_BITS);
      for (let i = 0; i < values.length; i++) if (blocks & (1 << (i >> BLOCK_BITS))) args.push(values[i]);
      let upsert = statements.get(blocks);
      if (!upsert) {
        const columns = MEASURE_COLUMNS.filter((_, i) => blocks & (1 << (i >> BLOCK_BITS)));
        upsert = this.db.prepare(upsertSql(def, columns));
        statements.set(blocks, upsert);
      }
      upsert.run(args);
    }
  }

}

/** Measure columns go in blocks of 2^3 = 8: at most 2^7 statements per rollup for ~50 columns. */
const BLOCK_BITS = 3;

/** Adds `measures` to a rollup row (the others keep their value; a new row has 0 in them). */
function upsertSql(def: RollupDef, measures: readonly string[]): string {
  const keys = rollupKeyColumns(def);
  const columns = [...keys, ...measures];
  const update = measures.length ? `DO UPDATE SET ${measures.map((col) => `${col} = ${col} + excluded.${col}`).join(', ')}` : 'DO NOTHING';
  return `INSERT INTO ${def.table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) ON CONFLICT (${keys.join(', ')}) ${update}`;
}

/** Applies the pending migrations; a schema newer than this version is a StoreError. */
function migrate(db: Database.Database): void {
  db.exec(migrationsTableSql(sqliteDialect));
  if (pendingMigrations(appliedVersions(db)).length === 0) return;
  // IMMEDIATE takes the write lock first, so two processes opening a new file migrate once.
  db.transaction(() => {
    const applied = appliedVersions(db);
    for (const migration of pendingMigrations(applied)) {
      for (const statement of migration.statements(sqliteDialect, applied)) db.exec(statement);
      db.prepare(`INSERT INTO ${MIGRATIONS_TABLE} (version, name, applied_at) VALUES (?, ?, ?)`).run(migration.version, migration.name, new Date().toISOString());
      applied.add(migration.version);
    }
  }).immediate();
}

function appliedVersions(db: Database.Database): Set<number> {
  return new Set((db.prepare(`SELECT version FROM ${MIGRATIONS_TABLE}`).all() as Array<{ version: number }>).map((r) => Number(r.version)));
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
  let pending: number;
  try {
    const found = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(MIGRATIONS_TABLE);
    if (!found) throw new StoreNotFoundError(`${path} is not a usage store (it has no ${MIGRATIONS_TABLE} table)`);
    pending = pendingMigrations(appliedVersions(db)).length;
  } catch (error) {
    db.close();
    if (error instanceof StoreError) throw error;
    throw new StoreError(`cannot read SQLite database ${path}: ${(error as Error).message}`, { cause: error });
  }
  if (pending > 0) {
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
