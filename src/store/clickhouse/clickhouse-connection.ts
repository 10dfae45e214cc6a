import { createClient, type ClickHouseClient, type ClickHouseSettings } from '@clickhouse/client';
import { redact, StoreError, StoreNotFoundError } from '../errors.js';
import { MIGRATIONS_TABLE, RECORDS_TABLE } from '../schema.js';
import {
  CLICKHOUSE_LATEST_VERSION,
  CLICKHOUSE_MIGRATIONS,
  migrationsTableStatements,
  missingColumnStatements,
  table,
  type Layout,
} from './clickhouse-schema.js';
import { sqlIdentifier, sqlNumber, sqlString } from './literal.js';

export interface ClickHouseStoreOptions {
  /**
   * Cluster mode: the `remote_servers` cluster whose shards hold the data. Tables are created
   * `ON CLUSTER` (the servers need ZooKeeper for distributed DDL), rows live in `*_local`
   * tables on every shard and are read and written through Distributed tables. Also URL
   * `?cluster=<name>`. Default: a single server.
   */
  cluster?: string;
  /** Milliseconds a request may take. Default 60,000 (a delete's mutation may wait longer; it polls). */
  requestTimeoutMs?: number;
  /** The store must exist (`StoreNotFoundError` otherwise): no database or table is created. */
  readOnly?: boolean;
}

export interface ParsedClickHouseUrl {
  /** http(s)://host:port for the client. */
  origin: string;
  username: string;
  password: string;
  database: string;
  cluster: string | undefined;
}

const URL_FORMS = 'clickhouse://user:pass@host:8123/db[?cluster=name], clickhouse+https://user:pass@host:8443/db';

/** `clickhouse://` (HTTP, port 8123) or `clickhouse+https://` (port 8443), database from the path (default `default`). */
export function parseClickHouseUrl(url: string): ParsedClickHouseUrl {
  const match = /^clickhouse(\+https?)?:\/\//i.exec(url);
  if (!match) throw new StoreError(`not a ClickHouse URL; valid forms: ${URL_FORMS}`);
  const https = match[1]?.toLowerCase() === '+https';
  let parsed: URL;
  try {
    parsed = new URL(`${https ? 'https' : 'http'}://${url.slice(match[0].length)}`);
  } catch (error) {
    throw new StoreError(`invalid ClickHouse URL ${redact(url)}; valid forms: ${URL_FORMS}`, { cause: error });
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\/+|\/+$/g, '')) || 'default';
  const cluster = parsed.searchParams.get('cluster') ?? undefined;
  for (const key of parsed.searchParams.keys()) {
    if (key !== 'cluster') throw new StoreError(`unsupported ClickHouse URL parameter ${JSON.stringify(key)}; valid: cluster=<remote_servers name>`);
  }
  for (const [what, name] of [['database', database], ['cluster', cluster]] as const) {
    if (name !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(name)) {
      // Both are written into DDL as identifiers, so only plain names are accepted.
      throw new StoreError(`invalid ClickHouse ${what} name ${JSON.stringify(name)} in the store URL: use letters, digits and _`);
    }
  }
  return {
    origin: `${parsed.protocol}//${parsed.hostname.includes(':') ? `[${parsed.hostname}]` : parsed.hostname}:${parsed.port || (https ? 8443 : 8123)}`,
    username: decodeURIComponent(parsed.username) || 'default',
    password: decodeURIComponent(parsed.password),
    database,
    cluster,
  };
}

/** Settings every request carries: big IN lists in the insert path's id checks, synchronous Distributed inserts. */
export function baseSettings(cluster: string | undefined): ClickHouseSettings {
  return {
    max_query_size: '16777216',
    // A Distributed insert returns only once every shard has the rows, so a failed shard fails
    // the write (and the writer retries) instead of queueing rows on the entry server's disk.
    ...(cluster ? { insert_distributed_sync: 1 } : {}),
  } as ClickHouseSettings;
}

export function makeClient(parsed: ParsedClickHouseUrl, database: string, options: ClickHouseStoreOptions, cluster: string | undefined): ClickHouseClient {
  return createClient({
    url: parsed.origin,
    username: parsed.username,
    password: parsed.password,
    database,
    request_timeout: options.requestTimeoutMs ?? 60_000,
    compression: { response: true, request: false },
    clickhouse_settings: baseSettings(cluster),
  });
}

/** `major.minor` of the server, e.g. 18.16; decides nothing yet but is reported (docs/schema.md, "Versions"). */
export async function serverVersion(client: ClickHouseClient): Promise<string> {
  const rows = (await (await client.query({ query: 'SELECT version() AS v', format: 'JSONEachRow' })).json()) as Array<{ v: string }>;
  return rows[0]?.v ?? 'unknown';
}

/** Creates the database and applies pending migrations, then adds RECORD_COLUMNS the table lacks. */
export async function migrate(parsed: ParsedClickHouseUrl, options: ClickHouseStoreOptions, layout: Layout): Promise<void> {
  const admin = makeClient(parsed, 'default', options, layout.cluster);
  try {
    if (options.readOnly) {
      const found = Number(await scalar(admin, `SELECT count() AS n FROM system.tables WHERE database = ${sqlString(layout.database)} AND name = ${sqlString(MIGRATIONS_TABLE)}`));
      if (found === 0) {
        throw new StoreNotFoundError(`no usage store at ${redact(parsed.origin)}/${layout.database}: it has no ${MIGRATIONS_TABLE} table (nothing recorded there yet, or another database)`);
      }
    } else {
      await admin.command({ query: `CREATE DATABASE IF NOT EXISTS ${sqlIdentifier(layout.database)}${layout.cluster ? ` ON CLUSTER ${sqlIdentifier(layout.cluster)}` : ''}` });
      for (const statement of migrationsTableStatements(layout)) await admin.command({ query: statement });
    }
    const version = Number(await scalar(admin, `SELECT max(version) AS v FROM ${table(layout, MIGRATIONS_TABLE)}`));
    if (version > CLICKHOUSE_LATEST_VERSION) {
      throw new StoreError(`the database schema is version ${version}, newer than this genai-usage supports (${CLICKHOUSE_LATEST_VERSION}); upgrade genai-usage`);
    }
    for (const migration of CLICKHOUSE_MIGRATIONS.filter((m) => m.version > version)) {
      for (const statement of migration.statements(layout)) await admin.command({ query: statement });
      await admin.command({
        query: `INSERT INTO ${table(layout, MIGRATIONS_TABLE)} (version, name, applied_at) VALUES (${sqlNumber(migration.version)}, ${sqlString(migration.name)}, now())`,
      });
    }
    const columns = (await (
      await admin.query({
        query: `SELECT name FROM system.columns WHERE database = ${sqlString(layout.database)} AND table = ${sqlString(layout.cluster ? `${RECORDS_TABLE}_local` : RECORDS_TABLE)}`,
        format: 'JSONEachRow',
      })
    ).json()) as Array<{ name: string }>;
    for (const statement of missingColumnStatements(layout, new Set(columns.map((c) => c.name)))) await admin.command({ query: statement });
  } finally {
    await admin.close();
  }
}

export async function scalar(client: ClickHouseClient, query: string): Promise<unknown> {
  const rows = (await (await client.query({ query, format: 'JSONEachRow' })).json()) as Array<Record<string, unknown>>;
  const first = rows[0];
  return first ? Object.values(first)[0] : undefined;
}
