// The ClickHouse servers the tests use (started by .ci/clickhouse.sh): a single server and a
// two-shard cluster. Without them the suites skip with a printed reason, except in CI, where
// that is a failure.
import { createClient } from '@clickhouse/client';
import { createRequire } from 'node:module';
import { parseClickHouseUrl } from '../../src/store/clickhouse/clickhouse-connection.js';

export interface ClickHouseTarget {
  url: string | undefined;
  skipReason: string | undefined;
}

/** Why a ClickHouse suite cannot run: printed, and the suite skipped; in CI, a failure. */
function unavailable(what: string, reason: string): string {
  if (process.env['CI'] === 'true') throw new Error(`CI=true but ${reason}`);
  console.warn(`skipping ClickHouse ${what} tests: ${reason}`);
  return reason;
}

function target(variable: string, what: string): ClickHouseTarget {
  const url = process.env[variable];
  if (url) return { url, skipReason: undefined };
  return { url: undefined, skipReason: unavailable(what, `${variable} is not set (as root: source .ci/clickhouse.sh && start_clickhouse <dir>; it installs Debian's clickhouse-server)`) };
}

export const clickhouseSingle = (): ClickHouseTarget => target('GENAI_USAGE_TEST_CLICKHOUSE_URL', 'single-server');
export const clickhouseCluster = (): ClickHouseTarget => target('GENAI_USAGE_TEST_CLICKHOUSE_CLUSTER_URL', 'two-shard');

/** The HTTP front on chDB, a current ClickHouse engine (test/chdb, installed by ./dev.sh test). */
export const CHDB_FRONT = new URL('../chdb/chdb-http-server.mjs', import.meta.url);

export function clickhouseCurrentSkipReason(): string | undefined {
  try {
    createRequire(CHDB_FRONT).resolve('chdb');
    return undefined;
  } catch {
    return unavailable('current-engine', 'chdb is not installed in test/chdb (./dev.sh test installs it; or: npm install --prefix test/chdb)');
  }
}

/** The same server URL with another database (and the URL's query string kept). */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url.replace(/^clickhouse(\+https?)?:/, 'http:'));
  parsed.pathname = `/${database}`;
  return `${url.slice(0, url.indexOf('//'))}${parsed.toString().slice('http:'.length)}`;
}

/** Runs a statement on the server a store URL names (DROP DATABASE … in cleanups). */
export async function runOn(url: string, query: string): Promise<void> {
  const parsed = parseClickHouseUrl(url);
  // DROP DATABASE unlinks every part file: minutes on a busy disk.
  const client = createClient({ url: parsed.origin, username: parsed.username, password: parsed.password, request_timeout: 600_000 });
  try {
    await client.command({ query });
  } finally {
    await client.close();
  }
}
