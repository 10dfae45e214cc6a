// Collector scale-out: two collector instances on one store, as behind a load balancer.
// Senders spread batches over both and re-send a third of them to the other instance (a
// client that never saw the first answer): every span is stored, and counted, once.
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { clickhouseSingle, runOn, withDatabase } from '../store/clickhouse-env.js';
import { postgresTestUrl } from '../store/postgres-env.js';
import { exportSpans, expectSuccess, genAiSpans, otlpExporter, startTestCollector, type TestCollector } from './harness.js';

const name = `t_scale_${process.pid}_${Date.now().toString(36)}`;
const clickhouse = clickhouseSingle();
const postgres = postgresTestUrl();
const targets: Array<[string, string | undefined, () => Promise<void>]> = [
  ['ClickHouse', clickhouse.url && withDatabase(clickhouse.url, name), () => runOn(clickhouse.url as string, `DROP DATABASE IF EXISTS ${name}`)],
  [
    'PostgreSQL',
    postgres.url && `${postgres.url}${postgres.url.includes('?') ? '&' : '?'}schema=${name}`,
    async () => {
      const client = new pg.Client({ connectionString: postgres.url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
      await client.end();
    },
  ],
];

const SENDERS = 4;
const BATCHES = 30;
const SPANS = 10;

describe.each(targets)('two collectors on one %s store', (_engine, url, drop) => {
  const collectors: TestCollector[] = [];
  afterAll(async () => {
    await Promise.all(collectors.map((c) => c.close()));
    if (url) await drop();
  }, 600_000);

  it.skipIf(url === undefined)('ingest concurrently, with re-sends across instances: nothing lost, nothing counted twice', async () => {
    collectors.push(await startTestCollector(url as string), await startTestCollector(url as string));
    const exporters = collectors.map((c) => otlpExporter('protobuf', c.url, { timeoutMillis: 60_000 }));
    let resent = 0;
    const senders = Array.from({ length: SENDERS }, async (_, s) => {
      for (let b = 0; b < BATCHES; b++) {
        const spans = genAiSpans(Array.from({ length: SPANS }, (_, i) => ({ model: 'gpt-4o', input: 100 + i, output: 10, user: `u-${(s + b + i) % 7}`, costUsd: 0.001 })));
        const first = (s + b) % 2;
        expectSuccess(await exportSpans(exporters[first] as never, spans));
        if ((s * BATCHES + b) % 3 === 0) {
          resent += SPANS;
          expectSuccess(await exportSpans(exporters[1 - first] as never, spans));
        }
      }
    });
    await Promise.all(senders);
    const expected = SENDERS * BATCHES * SPANS;
    expect(resent).toBeGreaterThan(0);
    // Both instances took part and saw duplicates.
    for (const c of collectors) expect(c.deps.metrics.recordsWritten).toBeGreaterThan(0);
    expect(collectors.reduce((n, c) => n + c.deps.metrics.recordsDuplicate, 0)).toBe(resent);
    const store = await openStore(url as string);
    try {
      const records = await store.records({ limit: 100_000 });
      expect(records.length).toBe(expected);
      expect(new Set(records.map((r) => r.id)).size).toBe(expected);
      const [total] = await store.aggregate();
      expect(total?.requests).toBe(expected);
      expect(total?.inputTokens).toBe(SENDERS * BATCHES * (SPANS * 100 + (SPANS * (SPANS - 1)) / 2));
      const byUser = await store.aggregate({ groupBy: 'user', bucket: 'day' });
      expect(byUser.reduce((n, row) => n + row.requests, 0)).toBe(expected);
    } finally {
      await store.close();
    }
  }, 180_000);
});
