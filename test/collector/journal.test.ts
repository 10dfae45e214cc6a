// The collector's write-ahead journal (journalDir): answered once journaled, stored behind it,
// nothing lost across an outage or a crash, nothing stored twice.
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { afterAll, describe, expect, it } from 'vitest';
import { COLLECTOR_DEFAULTS } from '../../src/collector/collector-config.js';
import { startCollector } from '../../src/collector/collector-server.js';
import { IngestJournal, readFrames } from '../../src/collector/ingest-journal.js';
import { decodeJsonSpans } from '../../src/collector/otlp-json.js';
import { spansToRecords } from '../../src/collector/span-records.js';
import { PriceBook } from '../../src/prices/price-book.js';
import { processStartMark } from '../../src/setup/process-alive.js';
import { openStore } from '../../src/store/open-store.js';
import { controllableStore, genAiSpans, request, tempDir, type TestCollector } from './harness.js';

const tmp = tempDir('genai-usage-collector-journal-');
afterAll(() => tmp.cleanup());

const body = (n: number, user: string) => JsonTraceSerializer.serializeRequest(genAiSpans(Array.from({ length: n }, (_, i) => ({ model: 'gpt-4o', input: i + 1, output: 1, user }))))!;
const post = (url: string, bytes: Uint8Array) => request(url, '/v1/traces', { method: 'POST', body: bytes, headers: { 'content-type': 'application/json' } });
const segments = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.bin')) : []);

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function withJournal(
  name: string,
  overrides: { maxQueueRecords?: number; retryAfterSeconds?: number },
  fn: (c: TestCollector, s: Awaited<ReturnType<typeof controllableStore>>, journalDir: string) => Promise<void>,
): Promise<void> {
  const control = await controllableStore(`sqlite:${join(tmp.dir, `${name}.db`)}`);
  const journalDir = join(tmp.dir, `${name}-journal`);
  const logs: string[] = [];
  const running = await startCollector(
    { ...COLLECTOR_DEFAULTS, port: 0, store: 'sqlite::memory:', tokens: [], journalDir, retryAfterSeconds: 1, ...overrides },
    { store: control.store, log: (l) => logs.push(l) },
  );
  try {
    await fn(Object.assign(running, { logs }), control, journalDir);
  } finally {
    control.release();
    control.fail(false);
    await running.close();
    await control.real.close();
  }
}

describe('collector journal (journalDir)', () => {
  it('answers 200 once journaled while the store is held, and stores the records behind it', async () => {
    await withJournal('held', {}, async (c, s, dir) => {
      s.hold();
      const res = await post(c.url, body(4, 'u-held'));
      expect(res.status).toBe(200);
      // Answered, not stored yet: the store has nothing and the journal has the request.
      expect(await s.real.records({ userId: 'u-held' })).toHaveLength(0);
      expect(c.deps.queue.depth()).toBe(4);
      expect(segments(dir)).toHaveLength(1);
      s.release();
      await until(async () => (await s.real.records({ userId: 'u-held' })).length === 4, 'the held records');
      await until(() => c.deps.queue.depth() === 0, 'the journal to drain');
    });
  });

  it('rides out a store outage: senders get 200, /readyz stays ready and names the store, records land once when it is back', async () => {
    await withJournal('outage', { retryAfterSeconds: 1 }, async (c, s) => {
      s.fail(true);
      for (let i = 0; i < 3; i++) expect((await post(c.url, body(5, 'u-outage'))).status).toBe(200);
      await until(() => !c.deps.queue.storeHealthy(), 'the store write to fail');
      const ready = await request(c.url, '/readyz');
      expect(ready.status).toBe(200);
      expect(ready.json.store).toMatch(/unavailable/);
      expect(await s.real.records({ userId: 'u-outage' })).toHaveLength(0);
      s.fail(false);
      await until(async () => (await s.real.records({ userId: 'u-outage' })).length === 15, 'the records after the outage');
      await until(() => c.deps.queue.depth() === 0, 'the journal to drain');
      expect(await s.real.records({ userId: 'u-outage', limit: 100 })).toHaveLength(15);
    });
  });

  it('answers 429 with Retry-After once maxQueueRecords are journaled and not stored', async () => {
    await withJournal('full', { maxQueueRecords: 8 }, async (c, s) => {
      s.hold();
      expect((await post(c.url, body(5, 'u-full'))).status).toBe(200);
      const refused = await post(c.url, body(5, 'u-full'));
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(refused.json.message).toMatch(/journal/);
      // Full, not only too full for this request: refused from the headers, before the body is read.
      const fits = await post(c.url, body(3, 'u-full'));
      expect(fits.status, fits.text).toBe(200);
      const atLimit = await post(c.url, body(1, 'u-full'));
      expect(atLimit.status).toBe(429);
      expect(atLimit.json.message).toMatch(/the ingest journal is full \(8 records not yet stored, maxQueueRecords\)/);
      // Full: not ready either, until the store takes some.
      const ready = await request(c.url, '/readyz');
      expect([ready.status, ready.json.reason]).toEqual([503, 'the ingest journal is full']);
      s.release();
      await until(() => c.deps.queue.depth() === 0, 'the journal to drain');
      expect((await request(c.url, '/readyz')).status).toBe(200);
    });
  });

  it('a second collector on the same directory is refused with the reason', async () => {
    await withJournal('locked', {}, async (c, s, dir) => {
      await expect(startCollector({ ...COLLECTOR_DEFAULTS, port: 0, store: 'sqlite::memory:', tokens: [], journalDir: dir }, { store: s.store, log: () => undefined })).rejects.toThrow(
        /journal directory .* is already open in this process: give each collector its own journalDir/,
      );
    });
  });

  it('the lock: refused while another live process holds it, taken when its holder is gone or the pid now names another process', async () => {
    const dir = join(tmp.dir, 'lock-journal');
    const lock = join(dir, 'journal.lock');
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      await until(() => processStartMark(other.pid!) !== undefined, 'the other process to start');
      await (await IngestJournal.open(dir)).journal.close();
      const takenWith = async (content: string) => {
        writeFileSync(lock, content);
        const { journal } = await IngestJournal.open(dir);
        expect(readFileSync(lock, 'utf8')).toMatch(new RegExp(`^${process.pid}\\b`));
        await journal.close();
      };
      writeFileSync(lock, `${other.pid} ${processStartMark(other.pid!)}`);
      await expect(IngestJournal.open(dir)).rejects.toThrow(`the journal directory ${dir} is in use by process ${other.pid}: give each collector its own journalDir`);
      // An older lock file (a pid alone) of a live process is respected too.
      writeFileSync(lock, `${other.pid}`);
      await expect(IngestJournal.open(dir)).rejects.toThrow(/in use by process/);
      // The pid is alive but started at another time: the number was reused.
      await takenWith(`${other.pid} 1`);
      // Our own pid, and this process does not hold the directory: a restarted container's collector got the same pid.
      await takenWith(`${process.pid} ${processStartMark(process.pid)}`);
    } finally {
      other.kill();
    }
    const exited = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    await new Promise((r) => exited.on('exit', r));
    writeFileSync(lock, `${exited.pid}`);
    const { journal } = await IngestJournal.open(dir);
    await journal.close();
    expect(existsSync(lock)).toBe(false);
  });

  it('a start that cannot listen releases the journal for the next attempt', async () => {
    await withJournal('port', {}, async (c, s) => {
      const dir = join(tmp.dir, 'port-retry-journal');
      const taken = { ...COLLECTOR_DEFAULTS, port: c.port, store: 'sqlite::memory:', tokens: [], journalDir: dir };
      await expect(startCollector(taken, { store: s.store, log: () => undefined })).rejects.toThrow(/EADDRINUSE/);
      const second = await startCollector({ ...taken, port: 0 }, { store: s.store, log: () => undefined });
      await second.close();
    });
  });

  it('stores what a previous run journaled, skips a line cut short, and counts a record already stored once', async () => {
    const url = `sqlite:${join(tmp.dir, 'replay.db')}`;
    const dir = join(tmp.dir, 'replay-journal');
    const store = await openStore(url);
    const { journal } = await IngestJournal.open(dir);
    // Two requests journaled by a run that stopped before storing them (one as its OTLP body,
    // one as records)...
    const bodyA = body(3, 'u-replay-a');
    const first = spansToRecords(decodeJsonSpans(new TextDecoder().decode(bodyA)), new PriceBook()).records;
    await journal.append(first, undefined, { kind: 'json', body: bodyA });
    const second = spansToRecords(decodeJsonSpans(new TextDecoder().decode(body(3, 'u-replay-b'))), new PriceBook()).records;
    await journal.append(second, 'acme', { kind: 'records' });
    await journal.close();
    // ...one of which had reached the store just before the stop, and a last frame cut short.
    await store.insert(first);
    const torn = readFileSync(join(dir, segments(dir)[0] as string)).subarray(0, 30);
    appendFileSync(join(dir, segments(dir)[0] as string), torn);
    const logs: string[] = [];
    const running = await startCollector({ ...COLLECTOR_DEFAULTS, port: 0, store: url, tokens: [], journalDir: dir }, { store, log: (l) => logs.push(l) });
    try {
      await until(() => running.deps.queue.depth() === 0, 'the recovered entries to be stored');
      expect(logs.join('\n')).toMatch(/6 record\(s\) a previous run accepted are being stored; 1 unreadable request\(s\) skipped/);
      expect(await store.records({ userId: 'u-replay-a' })).toHaveLength(3);
      expect(await store.records({ userId: 'u-replay-b', tenant: 'acme' })).toHaveLength(3);
      const [total] = await store.aggregate({});
      expect(total?.requests).toBe(6);
    } finally {
      await running.close();
    }
    // Stored: nothing is left to replay.
    expect(segments(dir)).toHaveLength(0);
    await store.close();
  });

  it('a collector killed after answering loses nothing: the next one on the journal stores every record once', async () => {
    const APP = join(import.meta.dirname, 'apps/run-collector.mjs');
    const db = join(tmp.dir, 'crash.db');
    const dir = join(tmp.dir, 'crash-journal');
    await (await openStore(`sqlite:${db}`)).close();
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GENAI_USAGE_')));
    const start = () => {
      const child = spawn(process.execPath, [APP, '--port', '0', '--store', `sqlite:${db}`, '--journal-dir', dir], { env: clean, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr!.on('data', (d) => (stderr += d));
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      return { child, stderr: () => stderr, exited };
    };
    const listening = async (stderr: () => string) => {
      let match: RegExpExecArray | null = null;
      await until(() => (match = /listening on (http:\/\/\S+?),/.exec(stderr())) !== null, `the collector to listen:\n${stderr()}`);
      return match![1] as string;
    };
    const first = start();
    const url = await listening(first.stderr);
    // Another connection holds SQLite's write lock: the collector's writes fail (busy) meanwhile.
    const blocker = new Database(db);
    blocker.exec('BEGIN IMMEDIATE');
    for (let i = 0; i < 4; i++) expect((await post(url, body(5, 'u-crash'))).status).toBe(200);
    first.child.kill('SIGKILL');
    await first.exited;
    blocker.exec('ROLLBACK');
    blocker.close();
    const reader = await openStore(`sqlite:${db}`);
    expect(await reader.records({ userId: 'u-crash' })).toHaveLength(0);
    const second = start();
    await listening(second.stderr);
    try {
      await until(async () => (await reader.records({ userId: 'u-crash', limit: 100 })).length === 20, `the journaled records:\n${second.stderr()}`);
      expect(second.stderr()).toMatch(/20 record\(s\) a previous run accepted are being stored/);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
    const [total] = await reader.aggregate({});
    expect(total?.requests).toBe(20);
    expect(segments(dir)).toHaveLength(0);
    await reader.close();
  });

  it('reads every intact frame around a damaged one and a tail cut short', async () => {
    const dir = join(tmp.dir, 'frames-journal');
    const { journal } = await IngestJournal.open(dir);
    for (const tenant of ['a', 'b', 'c']) await journal.append([], tenant, { kind: 'json', body: new TextEncoder().encode(`{"tenant":"${tenant}"}`) });
    const file = join(dir, segments(dir)[0] as string);
    const data = readFileSync(file);
    await journal.close();
    const intact = readFrames(data);
    expect(intact.frames.map((f) => [f.tenant, f.kind, f.body.toString()])).toEqual([
      ['a', 'json', '{"tenant":"a"}'],
      ['b', 'json', '{"tenant":"b"}'],
      ['c', 'json', '{"tenant":"c"}'],
    ]);
    expect(intact.unreadable).toBe(0);
    // A flipped bit in the second frame's body fails its CRC; a last frame cut short.
    const damaged = Buffer.concat([data, data.subarray(0, 20)]);
    const second = damaged.indexOf('{"tenant":"b"}');
    damaged[second + 3] = (damaged[second + 3] as number) ^ 0x01;
    const read = readFrames(damaged);
    expect(read.frames.map((f) => f.tenant)).toEqual(['a', 'c']);
    expect(read.unreadable).toBe(2);
  });

  it('seals a segment past 32 MiB and deletes each one once everything in it is stored', async () => {
    const dir = join(tmp.dir, 'rotate-journal');
    const { journal } = await IngestJournal.open(dir);
    const big = new Uint8Array(9 * 1024 * 1024).fill(0x20);
    const entries = [];
    for (let i = 0; i < 5; i++) entries.push(await journal.append([], `t${i}`, { kind: 'json', body: big }));
    // Four 9 MiB frames fill the first segment past 32 MiB; the fifth starts the next one.
    expect(segments(dir)).toHaveLength(2);
    for (const entry of entries.slice(0, 3)) journal.done(entry);
    expect(segments(dir)).toHaveLength(2);
    journal.done(entries[3]!);
    await until(() => segments(dir).length === 1, 'the sealed segment to be deleted');
    journal.done(entries[4]!);
    await journal.close();
    expect(segments(dir)).toHaveLength(0);
    expect(existsSync(join(dir, 'journal.lock'))).toBe(false);
  });

  it('rejects a journalDir that cannot be a directory with the reason', async () => {
    const file = join(tmp.dir, 'not-a-dir');
    writeFileSync(file, 'x');
    const store = await openStore('sqlite::memory:');
    await expect(startCollector({ ...COLLECTOR_DEFAULTS, port: 0, store: 'sqlite::memory:', tokens: [], journalDir: file }, { store, log: () => undefined })).rejects.toThrow(/EEXIST|ENOTDIR/);
    await store.close();
  });
});
