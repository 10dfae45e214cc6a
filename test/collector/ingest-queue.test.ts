// Issue 10 item 5: one request whose records the store refuses must not fail the requests it
// shares a transaction with, nor make the queue fail fast for everyone.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { IngestQueue, RecordsRefusedError, StoreUnavailableError } from '../../src/collector/ingest-queue.js';
import { openStore } from '../../src/store/open-store.js';
import type { UsageStore } from '../../src/store/usage-store.js';
import type { UsageRecord } from '../../src/usage/usage-record.js';
import { generateRecords } from '../store/reference.js';
import { tempDir } from './harness.js';

const tmp = tempDir('genai-usage-queue-');
afterAll(() => tmp.cleanup());

let n = 0;
/** A real SQLite store that refuses records of user `poison` (a trigger: a real SQLITE_CONSTRAINT). */
async function storeRefusingPoison(): Promise<UsageStore> {
  const file = join(tmp.dir, `queue-${++n}.db`);
  await (await openStore(`sqlite:${file}`)).close();
  const db = new Database(file);
  db.exec(`CREATE TRIGGER refuse_poison BEFORE INSERT ON genai_usage_records WHEN NEW.user_id = 'poison' BEGIN SELECT RAISE(ABORT, 'poisoned value'); END`);
  db.close();
  return openStore(`sqlite:${file}`);
}

const options = { maxPendingRecords: 10_000, maxBatchRecords: 10_000, failureBackoffMs: 60_000, writeTimeoutMs: 10_000 };
let seq = 0;
/** Records with ids of their own (generateRecords' ids depend on the position only). */
const records = (count: number, user: string): UsageRecord[] =>
  generateRecords(count, ++seq).map((r) => {
    const traceId = randomBytes(16).toString('hex');
    const spanId = randomBytes(8).toString('hex');
    return { ...r, id: `${traceId}-${spanId}`, traceId, spanId, userId: user };
  });
const settle = (promises: Array<Promise<number>>) => Promise.allSettled(promises);

describe('IngestQueue isolates a request the store refuses', () => {
  it('stores every other request of the shared batch, refuses only the culprit, and keeps accepting', async () => {
    const store = await storeRefusingPoison();
    const queue = new IngestQueue(store, options);
    try {
      // Submitted in one turn of the event loop: one batch, one transaction per tenant.
      const a = [1, 2, 3].map((i) => queue.submit(records(5, `a-${i}`), 'tenant-a'));
      const bGood = [queue.submit(records(4, 'b-1'), 'tenant-b'), queue.submit(records(4, 'b-2'), 'tenant-b')];
      const bPoison = queue.submit([...records(2, 'b-3'), ...records(1, 'poison')], 'tenant-b');
      const results = await settle([...a, ...bGood, bPoison]);
      expect(results.slice(0, 5).map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
      const refused = results[5] as PromiseRejectedResult;
      expect(refused.status).toBe('rejected');
      expect(refused.reason).toBeInstanceOf(RecordsRefusedError);
      expect((refused.reason as Error).message).toMatch(/the store refused these records: poisoned value/);
      expect(queue.storeHealthy()).toBe(true);
      expect(await queue.submit(records(1, 'after'), 'tenant-a')).toBe(1);
      const stored = await store.records({ limit: 1000 });
      expect(stored.length).toBe(15 + 8 + 1);
      expect(stored.some((r) => r.userId === 'poison' || r.userId === 'b-3')).toBe(false);
      // The rollups agree with the rows: nothing of the refused request was counted.
      expect((await store.aggregate())[0]?.requests).toBe(24);
    } finally {
      await queue.close();
      await store.close();
    }
  });

  it('a refused request alone in its batch gets the same answer, without failing fast', async () => {
    const store = await storeRefusingPoison();
    const queue = new IngestQueue(store, options);
    try {
      await expect(queue.submit(records(1, 'poison'), undefined)).rejects.toBeInstanceOf(RecordsRefusedError);
      expect(queue.storeHealthy()).toBe(true);
      expect(await queue.submit(records(2, 'fine'), undefined)).toBe(2);
    } finally {
      await queue.close();
      await store.close();
    }
  });

  it('a store that is down still fails every request with 503 semantics and fails fast', async () => {
    const store = await storeRefusingPoison();
    await store.close();
    const queue = new IngestQueue(store, options);
    const results = await settle([queue.submit(records(1, 'x'), 'a'), queue.submit(records(1, 'y'), 'a'), queue.submit(records(1, 'z'), 'b')]);
    expect(results.map((r) => r.status === 'rejected' && r.reason instanceof StoreUnavailableError)).toEqual([true, true, true]);
    expect(queue.storeHealthy()).toBe(false);
    await expect(queue.submit(records(1, 'later'), 'a')).rejects.toBeInstanceOf(StoreUnavailableError);
    await queue.close();
  });
});

describe('IngestQueue waits for a fuller batch when maxBatchDelayMs is set', () => {
  /** A real SQLite store whose insert records the batch sizes it is given. */
  async function sizedStore(): Promise<{ store: UsageStore; sizes: number[] }> {
    const store = await openStore(`sqlite:${join(tmp.dir, `gather-${++n}.db`)}`);
    const sizes: number[] = [];
    const insert = store.insert.bind(store);
    store.insert = (batch, opts) => (sizes.push(batch.length), insert(batch, opts));
    return { store, sizes };
  }
  const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('a request arriving while the batch waits joins it; without the delay it gets a write of its own', async () => {
    for (const [delay, expected] of [
      [5_000, [7]],
      [0, [3, 4]],
    ] as const) {
      const { store, sizes } = await sizedStore();
      // A body still being received keeps the batch open however long the gap.
      let receiving = true;
      const queue = new IngestQueue(store, { ...options, maxBatchDelayMs: delay, receiving: () => receiving });
      try {
        const first = queue.submit(records(3, 'a'), undefined);
        await later(50);
        receiving = false;
        const second = queue.submit(records(4, 'b'), undefined);
        await Promise.all([first, second]);
        expect(sizes, `maxBatchDelayMs ${delay}`).toEqual(expected);
      } finally {
        await queue.close();
        await store.close();
      }
    }
  });

  it('a full batch is written without waiting, and close() ends the wait', async () => {
    const { store, sizes } = await sizedStore();
    // An hour: the test would time out if either wait ran its course.
    const queue = new IngestQueue(store, { ...options, maxBatchRecords: 5, maxBatchDelayMs: 3_600_000, receiving: () => true });
    try {
      expect(await Promise.all([queue.submit(records(2, 'a'), undefined), later(20).then(() => queue.submit(records(3, 'b'), undefined))])).toEqual([5, 5]);
      expect(sizes).toEqual([5]);
      const pending = queue.submit(records(1, 'c'), undefined);
      await later(20);
      await queue.close();
      expect(await pending).toBe(1);
      expect(sizes).toEqual([5, 1]);
    } finally {
      await store.close();
    }
  });
});

describe('IngestQueue with concurrent writes', () => {
  const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  /** A real SQLite store whose inserts can be held, recording which are in progress at once. */
  async function heldStore() {
    const store = await openStore(`sqlite:${join(tmp.dir, `concurrent-${++n}.db`)}`);
    const gates: Array<() => void> = [];
    const writes: Array<{ users: string[]; open: number }> = [];
    let open = 0;
    const proxy: UsageStore = Object.create(store, {
      insert: {
        value: async (batch: UsageRecord[], opts?: { tenant?: string }) => {
          open++;
          writes.push({ users: [...new Set(batch.map((r) => r.userId ?? ''))], open });
          await new Promise<void>((resolve) => gates.push(resolve));
          open--;
          return store.insert(batch, opts);
        },
      },
    });
    const until = async (condition: () => boolean) => {
      while (!condition()) await later(2);
    };
    return { store, proxy, gates, writes, until };
  }

  it('starts a second write while the first is held, up to maxConcurrentWrites', async () => {
    const { store, proxy, gates, writes, until } = await heldStore();
    const queue = new IngestQueue(proxy, { ...options, maxConcurrentWrites: 2 });
    try {
      const a = queue.submit(records(3, 'a'), undefined);
      await until(() => writes.length === 1);
      const b = queue.submit(records(3, 'b'), undefined);
      await until(() => writes.length === 2);
      expect(writes[1]).toEqual({ users: ['b'], open: 2 });
      // Both slots busy: the third waits for one to end.
      const c = queue.submit(records(3, 'c'), undefined);
      await later(30);
      expect(writes.length).toBe(2);
      expect(queue.depth()).toBe(9);
      gates.shift()!();
      await until(() => writes.length === 3);
      expect(writes[2]).toEqual({ users: ['c'], open: 2 });
      for (const gate of gates.splice(0)) gate();
      expect(await Promise.all([a, b, c])).toEqual([3, 3, 3]);
      expect((await store.aggregate())[0]?.requests).toBe(9);
    } finally {
      for (const gate of gates) gate();
      await queue.close();
      await store.close();
    }
  });

  it('a request re-sending a record that is being written waits for that write, and counts once', async () => {
    const { store, proxy, gates, writes, until } = await heldStore();
    const queue = new IngestQueue(proxy, { ...options, maxConcurrentWrites: 4 });
    try {
      const sent = records(2, 'first');
      const first = queue.submit(sent, undefined);
      await until(() => writes.length === 1);
      // The same spans again (a sender that timed out and retried), and an unrelated request.
      const again = queue.submit(sent, undefined);
      const other = queue.submit(records(1, 'other'), undefined);
      await until(() => writes.length === 2);
      await later(30);
      // Only the unrelated request got a slot beside the held write.
      expect(writes.map((w) => w.users)).toEqual([['first'], ['other']]);
      gates.shift()!();
      gates.shift()!();
      expect(await first).toBe(2);
      expect(await other).toBe(1);
      await until(() => gates.length === 1);
      gates.shift()!();
      // Written after the first copy committed: its check found both records stored.
      expect(await again).toBe(0);
      expect((await store.aggregate())[0]?.requests).toBe(3);
    } finally {
      for (const gate of gates) gate();
      await queue.close();
      await store.close();
    }
  });
});
