import { diag } from '@opentelemetry/api';
import pg from 'pg';
import type { UsageRecord } from '../usage/usage-record.js';
import { postgresDialect } from './dialect.js';
import { redact, StoreError, StoreNotFoundError } from './errors.js';
import { MEASURES } from './measure-columns.js';
import { migrationsTableSql, pendingMigrations, rollupKeyColumns } from './migrations.js';
import { MEASURE_COLUMNS, SQL_ROLLUPS, type RollupDef, type RollupDelta } from './rollup.js';
import { MAINTAINED_ROLLUPS, RUN_METRICS, RUN_TOTALS, runTotalsFor, runTotalsRows, runTotalsUpsertSql, type RunTotalsDef } from './run-totals.js';
import { inSlices } from './in-slices.js';
import { arrayLiterals } from './postgres-arrays.js';
import { MIGRATIONS_TABLE, RECORDS_TABLE, RECORD_COLUMNS, RECORD_COLUMN_NAMES, recordToValues } from './schema.js';
import { SqlUsageStore } from './sql-store.js';

/** Records per INSERT … unnest statement. */
const STATEMENT_ROWS = 10_000;
/** Any constant works: it only has to be the same for every genai-usage process. */
const MIGRATION_LOCK = 727_274_001;

export interface PostgresStoreOptions {
  /** Pool size. Default 4. */
  poolSize?: number;
  /** The store must exist (`StoreNotFoundError` otherwise): no schema or table is created. */
  readOnly?: boolean;
}

const ARRAY_TYPES: Record<string, string> = {
  id: 'text[]',
  text: 'text[]',
  'required-text': 'text[]',
  integer: 'bigint[]',
  real: 'float8[]',
  'required-real': 'float8[]',
  boolean: 'boolean[]',
  time: 'timestamptz[]',
  json: 'jsonb[]',
};

/**
 * PostgreSQL engine (`pg` Pool). Inserts send one array per column through `unnest`
 * (the fastest bulk path short of COPY) with `ON CONFLICT (recorded_at, id, tenant) DO NOTHING`; the rollups are
 * updated from the ids actually inserted, in the same transaction.
 *
 * The URL may carry `?schema=<name>`: tables go into that schema (created if missing).
 */
export class PostgresUsageStore extends SqlUsageStore {
  readonly engine = 'postgres' as const;
  protected readonly dialect = postgresDialect;
  private closed = false;

  private constructor(private readonly pool: pg.Pool) {
    super();
  }

  /** Connects, applies pending migrations (read-only: only to a store that exists) and resolves to a ready store. */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresUsageStore> {
    const { connectionString, schema } = parseUrl(url);
    const pool = new pg.Pool({
      connectionString,
      max: options.poolSize ?? 4,
      connectionTimeoutMillis: 5000,
      // An idle pool must not keep the host process alive.
      allowExitOnIdle: true,
      options: schema ? `-c search_path=${schema}` : undefined,
    });
    // Without a listener, an idle client's error (server restart) would crash the process.
    pool.on('error', (error) => diag.debug(`genai-usage: idle PostgreSQL client error: ${error.message}`));
    const store = new PostgresUsageStore(pool);
    try {
      if (options.readOnly && !(await store.exists())) {
        throw new StoreNotFoundError(`no usage store at ${redact(url)}: it has no ${MIGRATIONS_TABLE} table (nothing recorded there yet, or another database or ?schema=)`);
      }
      await store.migrate(schema);
    } catch (error) {
      await pool.end().catch(() => undefined);
      if (error instanceof StoreError) throw error;
      throw new StoreError(`cannot open PostgreSQL store ${redact(url)}: ${(error as Error).message}`, { cause: error });
    }
    return store;
  }

  protected async all(sql: string, params: readonly unknown[]): Promise<Record<string, unknown>[]> {
    return (await this.pool.query(sql, params as unknown[])).rows as Record<string, unknown>[];
  }

  protected async insertRecords(records: readonly UsageRecord[], tenant: string): Promise<number> {
    let inserted = 0;
    for (let i = 0; i < records.length; i += STATEMENT_ROWS) {
      const chunk = records.slice(i, i + STATEMENT_ROWS);
      const columns: unknown[][] = [...RECORD_COLUMN_NAMES, 'tenant'].map(() => new Array<unknown>(chunk.length));
      let r = 0;
      for await (const slice of inSlices(chunk)) {
        for (const record of slice) {
          const values = recordToValues(record, postgresDialect, tenant);
          for (let c = 0; c < values.length; c++) (columns[c] as unknown[])[r] = values[c];
          r++;
        }
      }
      const literals = await arrayLiterals(columns);
      inserted += await this.transaction(async (client) => {
        const types = [...RECORD_COLUMNS.map((col) => ARRAY_TYPES[col.kind] as string), 'text[]'];
        const result = await client.query(
          `INSERT INTO ${RECORDS_TABLE} (${[...RECORD_COLUMN_NAMES, 'tenant'].join(', ')}) ` +
            `SELECT * FROM unnest(${types.map((t, n) => `$${n + 1}::${t}`).join(', ')}) ON CONFLICT (recorded_at, id, tenant) DO NOTHING RETURNING id, recorded_at`,
          literals,
        );
        const keyOf = (id: string, at: Date): string => `${at.toISOString()} ${id}`;
        const keys = new Set<string>();
        for await (const slice of inSlices(result.rows as Array<{ id: string; recorded_at: Date }>)) for (const row of slice) keys.add(keyOf(row.id, row.recorded_at));
        const seen = new Set<string>();
        // The first record with each inserted key is the one stored (as in SQLite's INSERT OR IGNORE).
        const stored: UsageRecord[] = [];
        for await (const slice of inSlices(chunk)) {
          for (const record of slice) {
            const key = keyOf(record.id, record.recordedAt);
            if (keys.has(key) && !seen.has(key)) {
              seen.add(key);
              stored.push(record);
            }
          }
        }
        for await (const [def, deltas] of this.deltasInSlices(stored, tenant)) await applyDeltas(client, def, deltas, this.stored(def));
        return stored.length;
      });
    }
    return inserted;
  }

  protected async deleteWhere(where: string, params: readonly unknown[]): Promise<number> {
    return this.transaction(async (client) => {
      for (const def of MAINTAINED_ROLLUPS) {
        const rows = (await client.query(this.rollupSubtractionSql(def, where), params as unknown[])).rows as Record<string, unknown>[];
        await applyDeltas(client, def, this.subtractions(def, rows), this.stored(def));
      }
      const deleted = (await client.query(`DELETE FROM ${RECORDS_TABLE} ${where}`, params as unknown[])).rowCount ?? 0;
      for (const def of [...SQL_ROLLUPS, ...RUN_TOTALS]) await client.query(`DELETE FROM ${def.table} WHERE requests <= 0`);
      return deleted;
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  private async transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // A checked-out client that loses its server emits 'error'; unheard, that would crash the host.
    let lost: Error | undefined;
    const onError = (error: Error): void => void (lost = error);
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      client.off('error', onError);
      client.release();
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.off('error', onError);
      // Discard the connection: after a server restart it is dead, and the pool makes a new one.
      client.release(lost ?? (error instanceof Error ? error : true));
      throw error;
    }
  }

  private async exists(): Promise<boolean> {
    const { rows } = await this.pool.query('SELECT to_regclass($1) IS NOT NULL AS found', [MIGRATIONS_TABLE]);
    return rows[0]?.found === true;
  }

  private async migrate(schema: string | undefined): Promise<void> {
    await this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await client.query(migrationsTableSql(postgresDialect));
      const { rows } = await client.query(`SELECT version FROM ${MIGRATIONS_TABLE}`);
      const applied = new Set(rows.map((row: { version: number }) => Number(row.version)));
      for (const migration of pendingMigrations(applied)) {
        for (const statement of migration.statements(postgresDialect, applied)) await client.query(statement);
        await client.query(`INSERT INTO ${MIGRATIONS_TABLE} (version, name, applied_at) VALUES ($1, $2, now())`, [migration.version, migration.name]);
        applied.add(migration.version);
      }
    });
  }
}

/** Upserts a rollup's deltas (unless it has no table) and the run totals they feed. */
async function applyDeltas(client: pg.PoolClient, def: RollupDef, deltas: readonly RollupDelta[], stored: boolean): Promise<void> {
  if (deltas.length === 0) return;
  if (stored) await upsertRollup(client, def, deltas);
  const totals = runTotalsFor(def.table);
  if (totals) await addRunTotals(client, totals, deltas);
}

async function upsertRollup(client: pg.PoolClient, def: RollupDef, deltas: readonly RollupDelta[]): Promise<void> {
  const keys = rollupKeyColumns(def);
  const columns = [...keys, ...MEASURE_COLUMNS];
  const types = [
    'timestamptz[]',
    ...def.dims.map((dim) => (dim === 'success' ? 'boolean[]' : 'text[]')),
    ...MEASURES.map((m) => (m.real ? 'float8[]' : 'bigint[]')),
  ];
  const arrays: unknown[][] = columns.map(() => new Array<unknown>(deltas.length));
  deltas.forEach((delta, r) => [delta.bucketStart, ...delta.key, ...delta.values].forEach((value, c) => ((arrays[c] as unknown[])[r] = value)));
  const literals = await arrayLiterals(arrays);
  await client.query(
    `INSERT INTO ${def.table} AS r (${columns.join(', ')}) SELECT * FROM unnest(${types.map((t, n) => `$${n + 1}::${t}`).join(', ')}) ` +
      `ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${MEASURE_COLUMNS.map((col) => `${col} = r.${col} + excluded.${col}`).join(', ')}`,
    literals,
  );
}

async function addRunTotals(client: pg.PoolClient, totals: RunTotalsDef, deltas: readonly RollupDelta[]): Promise<void> {
  const rows = runTotalsRows(deltas);
  const column = (c: number): unknown[] => rows.map((row) => row[c]);
  const metricTypes = RUN_METRICS.map((col) => (col === 'cost_usd' ? 'float8[]' : 'bigint[]'));
  await client.query(
    runTotalsUpsertSql(totals, postgresDialect, `SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], ${metricTypes.map((t, i) => `$${i + 5}::${t}`).join(', ')})`),
    await arrayLiterals([column(0), column(1), column(2), column(3), ...RUN_METRICS.map((_, i) => column(i + 4))]),
  );
}

/** Splits our `schema` parameter off the URL; pg gets the rest. */
function parseUrl(url: string): { connectionString: string; schema: string | undefined } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new StoreError(`invalid PostgreSQL URL ${redact(url)}`, { cause: error });
  }
  const schema = parsed.searchParams.get('schema') ?? undefined;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    // The name is written into SQL as an identifier, so only plain lowercase names are accepted.
    throw new StoreError(`invalid schema ${JSON.stringify(schema)} in the store URL: use lowercase letters, digits and _`);
  }
  parsed.searchParams.delete('schema');
  return { connectionString: parsed.toString(), schema };
}

/** The URL without its password, for messages. */
export { redact };
