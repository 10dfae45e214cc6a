// The ClickHouse servers the tests use (started by .ci/clickhouse.sh): a single server and a
// two-shard cluster. Without them the suites skip with a printed reason, except in CI, where
// that is a failure.
import { createClient } from '@clickhouse/client';
import { parseClickHouseUrl } from '../../src/store/clickhouse/clickhouse-connection.js';

export interface ClickHouseTarget {
  url: string | undefined;
  skipReason: string | undefined;
}

function target(variable: string, what: string): ClickHouseTarget {
  const url = process.env[variable];
  if (url) return { url, skipReason: undefined };
  const reason = `${variable} is not set (as root: source .ci/clickhouse.sh && start_clickhouse <dir>; it installs Debian's clickhouse-server)`;
  if (process.env['CI'] === 'true') throw new Error(`CI=true but ${reason}`);
  console.warn(`skipping ClickHouse ${what} tests: ${reason}`);
  return { url: undefined, skipReason: reason };
}

export const clickhouseSingle = (): ClickHouseTarget => target('GENAI_USAGE_TEST_CLICKHOUSE_URL', 'single-server');
export const clickhouseCluster = (): ClickHouseTarget => target('GENAI_USAGE_TEST_CLICKHOUSE_CLUSTER_URL', 'two-shard');

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
