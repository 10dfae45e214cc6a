// Collector scale-out: two collector instances on one store, as behind a load balancer, each
// answering once stored or, with its own journal, once journaled. Senders spread batches over
// both and re-send a third of them to the other instance (a client that never saw the first
// answer): every span is stored, and counted, once.
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { clickhouseSingle, runOn, withDatabase } from '../store/clickhouse-env.js';
import { postgresTestUrl } from '../store/postgres-env.js';
import { exportSpans, expectSuccess, genAiSpans, otlpExporter, startTestCollector, tempDir, type TestCollector } from './harness.js';

const clickhouse = clickhouseSingle();
const postgres = postgresTestUrl();
const tmp = tempDir('genai-usage-scale-out-');
afterAll(() => tmp.cleanup());

/** [engine, answered when, store URL, drop] — each case on its own database or schema. */
const targets: Array<[string, string, string | undefined, () => Promise<void>]> = ['stored', 'journaled'].flatMap((mode) => {
  const name = `t_scale_${mode}_${process.pid}_${Date.now().toString(36)}`;
  return [
    ['ClickHouse', mode, clickhouse.url && withDatabase(clickhouse.url, name), () => runOn(clickhouse.url as string, `DROP DATABASE IF EXISTS ${name}`)],
    [
      'PostgreSQL',
      mode,
      postgres.url && `${postgres.url}${postgres.url.includes('?') ? '&' : '?'}schema=${name}`,
      async () => {
        const client = new pg.Client({ connectionString: postgres.url });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
        await client.end();
      },
    ],
  ] as Array<[string, string, string | undefined, () => Promise<void>]>;
});

async function drained(c: TestCollector): Promise<void> {
  while (c.deps.queue.depth() > 0) await new Promise((r) => setTimeout(r, 10));
}

const SENDERS = 4;
const BATCHES = 30;
const SPANS = 10;

describe.each(targets)('two collectors on one %s store, answering once %s', (engine, mode, url, drop) => {
  const collectors: TestCollector[] = [];
  afterAll(async () => {
    await Promise.all(collectors.map((c) => c.close()));
    if (url) await drop();
  }, 600_000);

  it.skipIf(url === undefined)('ingest concurrently, with re-sends across instances: nothing lost, nothing counted twice', async () => {
    const journal = (i: number) => (mode === 'journaled' ? { journalDir: join(tmp.dir, `${engine}-${i}`) } : {});
    collectors.push(await startTestCollector(url as string, journal(0)), await startTestCollector(url as string, journal(1)));
    const exporters = collectors.map((c) => otlpExporter('protobuf', c.url, { timeoutMillis: 60_000 }));
    let resent = 0;
    const senders = Array.from({ length: SENDERS }, async (_, s) => {
      for (let b = 0; b < BATCHES; b++) {
        const spans = genAiSpans(Array.from({ length: SPANS }, (_, i) => ({ model: 'gpt-4o', input: 100 + i, output: 10, user: `u-${(s + b + i) % 7}`, costUsd: 0.001 })));
        const first = (s + b) % 2;
        expectSuccess(await exportSpans(exporters[first] as never, spans));
        if ((s * BATCHES + b) % 3 === 0) {
          // Journaled on ClickHouse, a copy written while the first one is still being written
          // can count twice in the rollups (docs/clickhouse.md): re-send as a sender that timed
          // out would, after the first instance has stored the batch.
          if (mode === 'journaled' && engine === 'ClickHouse') await drained(collectors[first] as TestCollector);
          resent += SPANS;
          expectSuccess(await exportSpans(exporters[1 - first] as never, spans));
        }
      }
    });
    await Promise.all(senders);
    // Journaled: answered before stored; wait until both journals are drained.
    for (const c of collectors) await drained(c);
    const expected = SENDERS * BATCHES * SPANS;
    expect(resent).toBeGreaterThan(0);
    // Both instances took part and saw duplicates.
    for (const c of collectors) expect(c.deps.metrics.recordsWritten).toBeGreaterThan(0);
    const duplicates = collectors.reduce((n, c) => n + c.deps.metrics.recordsDuplicate, 0);
    expect(duplicates).toBe(resent);
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
