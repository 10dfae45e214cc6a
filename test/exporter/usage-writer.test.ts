import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiagLogLevel, diag, trace, type DiagLogger } from '@opentelemetry/api';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UsageWriter } from '../../src/exporter/usage-writer.js';
import { openStore } from '../../src/store/open-store.js';
import type { UsageStore } from '../../src/store/usage-store.js';
import type { UsageRecord } from '../../src/usage/usage-record.js';
import { generateRecords } from '../store/reference.js';
import { PgCluster, pgClusterSkipReason } from './pg-cluster.js';

const dir = mkdtempSync(join(tmpdir(), 'genai-usage-writer-'));
const RECORDS = generateRecords(2000, 7);
let n = 0;
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function sqliteStore(query = ''): Promise<{ store: UsageStore; file: string }> {
  const file = join(dir, `w-${++n}.db`);
  const store = await openStore(`sqlite:${file}${query}`);
  cleanups.push(() => store.close());
  return { store, file };
}

function writer(options: ConstructorParameters<typeof UsageWriter>[0]): UsageWriter {
  const w = new UsageWriter(options);
  cleanups.push(() => w.shutdown(2000));
  return w;
}

/** Records the batch sizes the real store receives. */
function recordBatches(store: UsageStore): number[] {
  const sizes: number[] = [];
  const insert = store.insert.bind(store);
  store.insert = (records, options) => (sizes.push(records.length), insert(records, options));
  return sizes;
}

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function storedIds(store: UsageStore): Promise<string[]> {
  return (await store.records({ limit: 100_000, order: 'asc' })).map((r) => r.id).sort();
}
const idsOf = (records: readonly UsageRecord[]): string[] => records.map((r) => r.id).sort();

function captureDiag(): string[] {
  const warnings: string[] = [];
  const log = (message: string): void => void warnings.push(message);
  const logger: DiagLogger = { error: log, warn: log, info: () => undefined, debug: () => undefined, verbose: () => undefined };
  diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  cleanups.push(() => diag.disable());
  return warnings;
}

describe('UsageWriter', () => {
  it('writes full batches at once and the rest on the timer or on flush', async () => {
    const { store } = await sqliteStore();
    const batches = recordBatches(store);
    const w = writer({ store, maxBatchSize: 50, flushIntervalMs: 60_000 });
    for (const record of RECORDS.slice(0, 120)) w.write(record);
    await waitFor(() => w.stats().written === 100);
    expect(batches).toEqual([50, 50]);
    expect(w.stats().queueDepth).toBe(20);
    await w.forceFlush();
    expect(batches).toEqual([50, 50, 20]);
    expect(await storedIds(store)).toEqual(idsOf(RECORDS.slice(0, 120)));

    const timed = writer({ store, maxBatchSize: 1000, flushIntervalMs: 30 });
    for (const record of RECORDS.slice(200, 205)) timed.write(record);
    await waitFor(() => timed.stats().written === 5, 2000);
    expect(timed.stats()).toMatchObject({ written: 5, dropped: 0, retries: 0, queueDepth: 0 });
  });

  it('makes no spans of its own store I/O', async () => {
    const { store } = await sqliteStore();
    let active: unknown = 'unset';
    const insert = store.insert.bind(store);
    store.insert = (records, options) => {
      // suppressTracing marks the context; any span started here would be non-recording.
      active = trace.getTracer('x').startSpan('probe').isRecording();
      return insert(records, options);
    };
    const w = writer({ store });
    w.write(RECORDS[0] as UsageRecord);
    await w.forceFlush();
    expect(active).toBe(false);
  });

  it('drops the OLDEST records when the queue is full, counts them and warns once', async () => {
    const warnings = captureDiag();
    const { store } = await sqliteStore();
    const w = writer({ store, maxQueueSize: 10, maxBatchSize: 1000, flushIntervalMs: 60_000 });
    for (const record of RECORDS.slice(0, 25)) w.write(record);
    expect(w.stats()).toMatchObject({ dropped: 15, queueDepth: 10 });
    await w.forceFlush();
    expect(await storedIds(store)).toEqual(idsOf(RECORDS.slice(15, 25)));
    expect(warnings.filter((m) => m.includes('dropping'))).toHaveLength(1);
  });

  it('never throws from write(), drops invalid records, and drains on shutdown', async () => {
    const { store } = await sqliteStore();
    const w = writer({ store, flushIntervalMs: 60_000 });
    for (const record of RECORDS.slice(0, 30)) w.write(record);
    expect(() => w.write(null as never)).not.toThrow();
    expect(() => w.write({ id: 'x', recordedAt: new Date(Number.NaN) } as never)).not.toThrow();
    await w.shutdown(5000);
    expect(await storedIds(store)).toEqual(idsOf(RECORDS.slice(0, 30)));
    expect(() => w.write(RECORDS[40] as UsageRecord)).not.toThrow();
    expect(w.stats()).toMatchObject({ written: 30, dropped: 3, queueDepth: 0 });
  });

  it('retries while another connection holds the SQLite write lock, then writes each record once', async () => {
    const { store, file } = await sqliteStore('?busy_timeout=10');
    const locker = new Database(file);
    cleanups.push(() => locker.close());
    locker.exec('BEGIN EXCLUSIVE');
    const w = writer({ store, maxBatchSize: 40, initialBackoffMs: 20, maxBackoffMs: 100 });
    const records = RECORDS.slice(0, 100);
    for (const record of records) w.write(record);
    await waitFor(() => w.stats().retries >= 3);
    expect(w.stats().written).toBe(0);
    expect(w.stats().lastError).toMatch(/locked|busy/i);
    locker.exec('COMMIT');
    await w.forceFlush(5000);
    expect(w.stats()).toMatchObject({ written: 100, dropped: 0, queueDepth: 0, lastError: undefined });
    expect(await storedIds(store)).toEqual(idsOf(records));
    expect((await store.aggregate())[0]?.requests).toBe(100);
  });

  it('spools to disk while the store is unavailable; a new writer replays the spool after a restart', async () => {
    const { store, file } = await sqliteStore('?busy_timeout=10');
    const spoolDir = join(dir, `spool-${++n}`);
    const locker = new Database(file);
    locker.exec('BEGIN EXCLUSIVE');
    const first = new UsageWriter({ store, spoolDir, maxBatchSize: 25, initialBackoffMs: 20, maxBackoffMs: 50 });
    const records = RECORDS.slice(0, 120);
    for (const record of records) first.write(record);
    await first.shutdown(300);
    expect(first.stats()).toMatchObject({ written: 0, dropped: 0, spooled: 120, queueDepth: 0 });
    const files = readdirSync(spoolDir);
    expect(files).toHaveLength(1);
    const lines = readFileSync(join(spoolDir, files[0] as string), 'utf8').trim().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as UsageRecord).id).sort()).toEqual(idsOf(records));
    locker.exec('COMMIT');
    locker.close();

    // "Restart": a fresh writer (a new store connection) on the same spool directory.
    const reopened = await openStore(`sqlite:${file}`);
    cleanups.push(() => reopened.close());
    const second = writer({ store: reopened, spoolDir });
    await waitFor(() => second.stats().replayed === 120);
    expect(readdirSync(spoolDir)).toEqual([]);
    expect(await storedIds(reopened)).toEqual(idsOf(records));
    expect((await reopened.aggregate({ groupBy: 'model' })).reduce((sum, row) => sum + row.requests, 0)).toBe(120);
  });
});

const pgSkip = pgClusterSkipReason();
describe.skipIf(pgSkip !== undefined)('UsageWriter with a PostgreSQL outage', () => {
  let cluster: PgCluster;
  beforeAll(async () => {
    cluster = await PgCluster.create();
  }, 60_000);
  afterAll(() => cluster?.destroy());

  it('keeps records through a server stop and start: every record arrives exactly once', async () => {
    const w = writer({ store: () => openStore(cluster.url), maxBatchSize: 50, flushIntervalMs: 20, initialBackoffMs: 50, maxBackoffMs: 400 });
    const records = RECORDS.slice(0, 900);
    for (const record of records.slice(0, 300)) w.write(record);
    await w.forceFlush(10_000);
    expect(w.stats().written).toBe(300);
    cluster.stop();
    for (const record of records.slice(300, 600)) {
      w.write(record);
      if (Math.random() < 0.05) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await waitFor(() => w.stats().retries >= 2);
    cluster.start();
    for (const record of records.slice(600)) w.write(record);
    await w.forceFlush(15_000);
    expect(w.stats()).toMatchObject({ dropped: 0, queueDepth: 0 });
    const check = await openStore(cluster.url);
    cleanups.push(() => check.close());
    expect(await storedIds(check)).toEqual(idsOf(records));
    // The rollup counts only rows actually inserted, so a retried batch never counts twice.
    expect((await check.aggregate({ groupBy: 'provider' })).reduce((sum, row) => sum + row.requests, 0)).toBe(900);
  });

  it('opens the store lazily and spools when PostgreSQL is down at start; replays after it returns', async () => {
    const spoolDir = join(dir, `pg-spool-${++n}`);
    const url = `${cluster.url}?schema=spool_case`;
    cluster.stop();
    const first = new UsageWriter({ store: () => openStore(url), spoolDir, initialBackoffMs: 50, maxBackoffMs: 200 });
    const records = RECORDS.slice(1000, 1400);
    for (const record of records) first.write(record);
    await first.shutdown(1500);
    expect(first.stats()).toMatchObject({ written: 0, dropped: 0, spooled: 400 });
    cluster.start();
    const second = writer({ store: () => openStore(url), spoolDir, initialBackoffMs: 50 });
    await waitFor(() => second.stats().replayed === 400, 15_000);
    expect(readdirSync(spoolDir)).toEqual([]);
    const check = await openStore(url);
    cleanups.push(() => check.close());
    expect(await storedIds(check)).toEqual(idsOf(records));
  });
});
