// UsageWriter's ClickHouse defaults against the real server: larger batches and queue than
// PostgreSQL's, because every ClickHouse insert costs a new part per table whatever its size.
import { afterAll, describe, expect, it } from 'vitest';
import { UsageSpanExporter } from '../../src/exporter/usage-span-exporter.js';
import { UsageWriter } from '../../src/exporter/usage-writer.js';
import { openStore } from '../../src/store/open-store.js';
import type { UsageStore } from '../../src/store/usage-store.js';
import { generateRecords } from '../store/reference.js';
import { clickhouseSingle, runOn, withDatabase } from '../store/clickhouse-env.js';

const { url, skipReason } = clickhouseSingle();
const database = `writer_defaults_${process.pid}`;

describe.skipIf(skipReason !== undefined)('UsageWriter on ClickHouse', () => {
  let store: UsageStore | undefined;
  afterAll(async () => {
    await store?.close();
    if (url) for (const db of [database, `${database}_url`]) await runOn(url, `DROP DATABASE IF EXISTS ${db}`);
  });

  it('queues 20,000 records and writes them 10,000 per insert unless told otherwise', async () => {
    store = await openStore(withDatabase(url as string, database));
    const batches: number[] = [];
    const insert = store.insert.bind(store);
    store.insert = (records, options) => (batches.push(records.length), insert(records, options));
    const writer = new UsageWriter({ store, flushIntervalMs: 60_000 });
    const records = generateRecords(15_000, 11);
    // One synchronous burst: a 10,000-record queue (the PostgreSQL default) would drop 5,000.
    for (const record of records) writer.write(record);
    await writer.forceFlush(120_000);
    expect(writer.stats()).toMatchObject({ written: 15_000, dropped: 0, queueDepth: 0 });
    expect(batches).toEqual([10_000, 5_000]);
    const [total] = await store.aggregate({});
    expect(total?.requests).toBe(15_000);

    const given = new UsageWriter({ store, maxQueueSize: 300, flushIntervalMs: 60_000 });
    for (const record of generateRecords(300, 12)) given.write(record);
    await given.forceFlush(120_000);
    // A queue the user sized keeps its size; batches are at most half of it.
    expect(batches.slice(2)).toEqual([150, 150]);
    expect(given.stats()).toMatchObject({ written: 300, dropped: 0 });
    await given.shutdown(10_000);
    await writer.shutdown(10_000);
  }, 180_000);

  it('has the ClickHouse queue before a store given by URL is open', async () => {
    const exporter = new UsageSpanExporter({ store: withDatabase(url as string, `${database}_url`), flushIntervalMs: 60_000 });
    // Written before the first write opens (and migrates) the store.
    for (const record of generateRecords(15_000, 13)) exporter.writer.write(record);
    await exporter.writer.forceFlush(120_000);
    expect(exporter.writer.stats()).toMatchObject({ written: 15_000, dropped: 0 });
    await exporter.shutdown();
  }, 180_000);
});
