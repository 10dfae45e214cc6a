import { redact, StoreError } from './errors.js';
import type { UsageStore } from './usage-store.js';

/** The store `startUsageTracking` and the CLI use when neither an option nor `GENAI_USAGE_STORE` names one. */
export const DEFAULT_STORE_URL = 'sqlite:./genai-usage.db';

const VALID_FORMS =
  'sqlite:<path>, sqlite::memory:, postgres://user:pass@host:port/db[?schema=name], postgresql://..., clickhouse://user:pass@host:8123/db[?cluster=name], clickhouse+https://...';

export interface OpenStoreOptions {
  /** SQLite: ms a write waits on another connection's lock (also URL `?busy_timeout=`). Default 250. */
  busyTimeoutMs?: number;
  /** PostgreSQL: pool size. Default 4. */
  poolSize?: number;
  /**
   * Open a store that must already exist, for reading: nothing is created (no file, folder,
   * schema or table) and a missing store is a `StoreNotFoundError`; engines that can, open a
   * read-only connection. A store of an older schema is still migrated. Default false.
   */
  readOnly?: boolean;
  /** ClickHouse: the `remote_servers` cluster to shard over (also URL `?cluster=`); default a single server. */
  cluster?: string;
}

/**
 * Opens the usage store a URL names and applies pending schema migrations:
 * - `sqlite:<path>` (relative to the working directory), `sqlite:///abs/path`, `sqlite::memory:`
 * - `postgres://…` or `postgresql://…`, optionally `?schema=<name>`
 * - `clickhouse://user:pass@host:8123/db` or `clickhouse+https://…:8443/db`, optionally `?cluster=<name>`
 *
 * Callers pass the option, else `GENAI_USAGE_STORE`, else {@link DEFAULT_STORE_URL}.
 * @throws StoreError for any other form, naming the valid ones, or when the store cannot be opened;
 *   `StoreNotFoundError` (a StoreError) when `readOnly` and the store does not exist.
 */
export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<UsageStore> {
  if (typeof url !== 'string' || url.trim() === '') throw new StoreError(`a store URL is required; valid forms: ${VALID_FORMS}`);
  const trimmed = url.trim();
  // Each engine (and its driver) is loaded when a URL names it, not when the package is imported.
  if (/^postgres(ql)?:\/\//i.test(trimmed)) {
    const { PostgresUsageStore } = await import('./postgres-store.js');
    return PostgresUsageStore.open(trimmed, { poolSize: options.poolSize, readOnly: options.readOnly });
  }
  if (/^clickhouse(\+https?)?:\/\//i.test(trimmed)) {
    const { ClickHouseUsageStore } = await import('./clickhouse/clickhouse-store.js');
    return ClickHouseUsageStore.open(trimmed, { cluster: options.cluster, readOnly: options.readOnly });
  }
  if (/^sqlite:/i.test(trimmed)) {
    const { path, busyTimeoutMs } = parseSqliteUrl(trimmed);
    const { SqliteUsageStore } = await import('./sqlite-store.js');
    return new SqliteUsageStore(path, { busyTimeoutMs: options.busyTimeoutMs ?? busyTimeoutMs, readOnly: options.readOnly });
  }
  throw new StoreError(`unsupported store URL ${JSON.stringify(redact(trimmed))}; valid forms: ${VALID_FORMS}`);
}

export function parseSqliteUrl(url: string): { path: string; busyTimeoutMs: number | undefined } {
  let rest = url.slice('sqlite:'.length);
  let busyTimeoutMs: number | undefined;
  const query = rest.indexOf('?');
  if (query >= 0) {
    const params = new URLSearchParams(rest.slice(query + 1));
    rest = rest.slice(0, query);
    for (const [key, value] of params) {
      if (key !== 'busy_timeout' || !/^\d+$/.test(value)) {
        throw new StoreError(`unsupported SQLite URL parameter ${key}=${value}; valid: busy_timeout=<ms>`);
      }
      busyTimeoutMs = Number(value);
    }
  }
  // sqlite:///abs/path is the URL spelling of /abs/path.
  if (rest.startsWith('//')) rest = rest.slice(2);
  if (rest === '') throw new StoreError(`the SQLite URL ${JSON.stringify(url)} has no path; valid forms: ${VALID_FORMS}`);
  return { path: rest, busyTimeoutMs };
}
