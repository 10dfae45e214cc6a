// One behavioural suite for every engine: each runner file calls storeSuite with its engine.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StoreQueryError } from '../../src/store/errors.js';
import { histogramIndex } from '../../src/store/histogram.js';
import type { AggregateRow, GroupByDimension, TimeBucket, TopMetric, UsageStore } from '../../src/store/usage-store.js';
import type { UsageRecord } from '../../src/usage/usage-record.js';
import { START, compareKeys, generateRecords, group, matches, metricOf, sums, type RefFilter } from './reference.js';

export interface SuiteTarget {
  /** A fresh, empty store each call. */
  open(): Promise<UsageStore>;
}

const DAY = 864e5;
const RECORDS = generateRecords(900);
const byTimeDesc = (a: UsageRecord, b: UsageRecord): number => b.recordedAt.getTime() - a.recordedAt.getTime() || compareKeys(b.id, a.id);
const ids = (records: readonly UsageRecord[]): string[] => records.map((r) => r.id);

/** Filters the reference understands, each used as store filter too. */
const FILTERS: Array<[string, RefFilter]> = [
  ['userId', { userId: 'u-3' }],
  ['agentName', { agentName: 'Billing' }],
  ['group', { group: 'team-b' }],
  ['model (request)', { model: 'claude-sonnet-4-5' }],
  ['model (response)', { model: 'gpt-4o-mini-2025' }],
  ['provider', { provider: 'gcp.gemini' }],
  ['serviceName', { serviceName: 'batch' }],
  ['sessionId', { sessionId: 's-4' }],
  ['conversationId', { conversationId: 'c-2' }],
  ['traceId', { traceId: RECORDS[41]!.traceId }],
  ['serviceTier', { serviceTier: 'flex' }],
  ['success false', { success: false }],
  ['success true', { success: true }],
  ['from/to aligned', { from: new Date(START + 2 * DAY + 2 * 36e5), to: new Date(START + 9 * DAY) }],
  ['from/to unaligned', { from: new Date(START + 3 * DAY + 1234567), to: new Date(START + 5 * DAY + 7654321) }],
  ['tags', { tags: { feature: 'chat' } }],
  ['tags (two)', { tags: { feature: 'search', tier: 'pro' } }],
  ['combined', { userId: 'u-1', provider: 'openai', success: true, from: new Date(START + DAY) }],
];

function expectMeasures(actual: AggregateRow | undefined, records: readonly UsageRecord[]): void {
  expect(actual).toBeDefined();
  const row = actual as AggregateRow;
  const s = sums(records);
  expect({ ...row, costUsd: undefined, avgDurationMs: undefined, p95DurationMs: undefined, cacheReadSavingsUsd: undefined, cacheWritePremiumUsd: undefined }).toMatchObject({
    requests: s.requests,
    failures: s.failures,
    inputTokens: s.inputTokens,
    outputTokens: s.outputTokens,
    totalTokens: s.totalTokens,
    cacheReadTokens: s.cacheReadTokens,
    cacheWriteTokens: s.cacheWriteTokens,
    reasoningTokens: s.reasoningTokens,
    cacheWrite1hTokens: s.cacheWrite1hTokens,
    audioInputTokens: s.audioInputTokens,
    audioOutputTokens: s.audioOutputTokens,
    imageInputTokens: s.imageInputTokens,
    imageOutputTokens: s.imageOutputTokens,
    webSearchRequests: s.webSearchRequests,
    unpricedRequests: s.unpricedRequests,
  });
  expect(row.cacheReadSavingsUsd).toBeCloseTo(s.cacheReadSavingsUsd, 9);
  expect(row.cacheWritePremiumUsd).toBeCloseTo(s.cacheWritePremiumUsd, 9);
  if (s.costUsd === null) expect(row.costUsd).toBeNull();
  else expect(row.costUsd).toBeCloseTo(s.costUsd, 9);
  if (s.avgDurationMs === null) expect(row.avgDurationMs).toBeNull();
  else expect(row.avgDurationMs).toBeCloseTo(s.avgDurationMs, 6);
  // The histogram estimate lies in the same bucket as the exact nearest-rank p95.
  if (s.p95Exact === null) expect(row.p95DurationMs).toBeNull();
  else expect(histogramIndex(row.p95DurationMs as number)).toBe(histogramIndex(s.p95Exact));
}

function expectAggregate(rows: AggregateRow[], records: readonly UsageRecord[], dims: readonly GroupByDimension[], bucket?: TimeBucket): void {
  const expected = group(records, dims, bucket).sort(
    (a, b) => compareKeys(a.keys['bucket'], b.keys['bucket']) || dims.reduce((r, d) => r || compareKeys(a.keys[d], b.keys[d]), 0),
  );
  expect(rows.map((row) => Object.fromEntries([...(bucket ? ['bucket'] : []), ...dims].map((k) => [k, row[k as 'bucket']])))).toEqual(
    expected.map((e) => e.keys),
  );
  expected.forEach((e, i) => expectMeasures(rows[i], e.records));
}

export function storeSuite(target: SuiteTarget): void {
  describe('queries over generated records', () => {
    let store: UsageStore;
    beforeAll(async () => {
      store = await target.open();
      expect(await store.insert(RECORDS)).toBe(RECORDS.length);
    });
    afterAll(() => store?.close());

    it('round-trips every field of a record', async () => {
      const [stored] = await store.records({ sessionId: RECORDS[0]?.sessionId ?? 's-1', from: RECORDS[0]?.recordedAt, to: new Date((RECORDS[0] as UsageRecord).recordedAt.getTime() + 1), limit: 50 });
      const original = RECORDS[0] as UsageRecord;
      expect(stored).toEqual(Object.fromEntries(Object.entries(original).filter(([, v]) => v !== undefined)));
    });

    it.each(FILTERS)('records() filters by %s', async (_, filter) => {
      const expected = RECORDS.filter((r) => matches(r, filter)).sort(byTimeDesc);
      expect(expected.length).toBeGreaterThan(0);
      expect(ids(await store.records({ ...filter, limit: 5000 }))).toEqual(ids(expected));
    });

    it('records() pages with limit, offset and order; defaults to newest first', async () => {
      const desc = [...RECORDS].sort(byTimeDesc);
      expect(ids(await store.records({ limit: 7, offset: 5 }))).toEqual(ids(desc.slice(5, 12)));
      expect(ids(await store.records({ limit: 4, order: 'asc' }))).toEqual(ids([...desc].reverse().slice(0, 4)));
      expect((await store.records()).length).toBe(RECORDS.length);
    });

    it('records() takes a UTC date, tags as key=value strings and ISO strings', async () => {
      const day = '2025-02-03';
      const from = new Date(`${day}T00:00:00Z`);
      const expectedDay = RECORDS.filter((r) => matches(r, { from, to: new Date(from.getTime() + DAY) })).sort(byTimeDesc);
      expect(ids(await store.records({ date: day, limit: 5000 }))).toEqual(ids(expectedDay));
      const tagged = RECORDS.filter((r) => matches(r, { tags: { feature: 'search', tier: 'pro' } })).sort(byTimeDesc);
      expect(ids(await store.records({ tags: ['feature=search', 'tier=pro'], limit: 5000 }))).toEqual(ids(tagged));
      expect(ids(await store.records({ tags: 'feature=search', from: '2025-02-01', to: '2025-02-10T12:00', limit: 5000 }))).toEqual(
        ids(RECORDS.filter((r) => matches(r, { tags: { feature: 'search' }, from: new Date('2025-02-01T00:00Z'), to: new Date('2025-02-10T12:00Z') })).sort(byTimeDesc)),
      );
    });

    it('aggregate() totals every measure (empty filter and an empty result)', async () => {
      expectAggregate(await store.aggregate(), RECORDS, []);
      const none = await store.aggregate({ userId: 'nobody' });
      expect(none).toHaveLength(1);
      expect(none[0]).toMatchObject({ requests: 0, costUsd: null, avgDurationMs: null, p95DurationMs: null });
    });

    const dims: GroupByDimension[] = ['user', 'agent', 'group', 'model', 'provider', 'service', 'session', 'conversation', 'operation', 'trace', 'rootAgent', 'tier'];
    it.each(dims)('aggregate() groups by %s', async (dim) => {
      expectAggregate(await store.aggregate({ groupBy: dim }), RECORDS, [dim]);
    });

    const buckets: TimeBucket[] = ['hour', 'day', 'week', 'month'];
    it.each(buckets)('aggregate() buckets by %s (UTC, weeks from Monday)', async (bucket) => {
      expectAggregate(await store.aggregate({ bucket }), RECORDS, [], bucket);
    });

    it.each(FILTERS)('aggregate() by model and day, filtered by %s', async (_, filter) => {
      const subset = RECORDS.filter((r) => matches(r, filter));
      expectAggregate(await store.aggregate({ ...filter, groupBy: ['model', 'provider'], bucket: 'day' }), subset, ['model', 'provider'], 'day');
      expectAggregate(await store.aggregate({ ...filter, groupBy: ['user', 'group'], bucket: 'week' }), subset, ['user', 'group'], 'week');
    });

    it('aggregate() with several dimensions, descending buckets, limit and offset', async () => {
      const all = await store.aggregate({ groupBy: ['agent', 'operation', 'session'], bucket: 'month' });
      expectAggregate(all, RECORDS, ['agent', 'operation', 'session'], 'month');
      const desc = await store.aggregate({ bucket: 'day', order: 'desc', limit: 3, offset: 1 });
      const asc = await store.aggregate({ bucket: 'day' });
      expect(desc.map((r) => r.bucket)).toEqual(asc.map((r) => r.bucket).reverse().slice(1, 4));
    });

    const tops: Array<[GroupByDimension, TopMetric, RefFilter]> = [
      ['user', 'costUsd', {}],
      ['session', 'totalTokens', {}],
      ['model', 'requests', { success: true }],
      ['agent', 'inputTokens', { from: new Date(START + DAY), to: new Date(START + 20 * DAY) }],
      ['conversation', 'outputTokens', { provider: 'openai' }],
      ['user', 'costUsd', { model: 'gpt-4o-mini' }],
      ['trace', 'costUsd', {}],
      ['rootAgent', 'costUsd', { success: true }],
      ['session', 'costUsd', { from: new Date(START + DAY), to: new Date(START + 20 * DAY) }],
      ['trace', 'totalTokens', { from: new Date(START + 2 * DAY), userId: 'u-2' }],
    ];
    it.each(tops)('top() by %s and %s', async (by, metric, filter) => {
      const expected = group(RECORDS.filter((r) => matches(r, filter)), [by])
        .map((g) => ({ key: g.keys[by] ?? null, value: metricOf(g.records, metric), records: g.records }))
        .sort((a, b) => b.value - a.value || compareKeys(a.key, b.key))
        .slice(0, 3);
      const rows = await store.top({ by, metric, limit: 3, ...filter });
      expect(rows.map((r) => r[by])).toEqual(expected.map((e) => e.key));
      expected.forEach((e, i) => expectMeasures(rows[i], e.records));
      expect((await store.top({ by: 'user' })).length).toBeLessThanOrEqual(10);
    });

    it('identities() lists each distinct (user, agent, session) with counts and times', async () => {
      const filter = { group: 'team-a' };
      const rows = await store.identities({ ...filter, limit: 5000 });
      const expected = new Map<string, UsageRecord[]>();
      for (const r of RECORDS.filter((x) => matches(x, filter))) {
        const key = JSON.stringify([r.userId ?? null, r.agentName ?? null, r.sessionId ?? null]);
        expected.set(key, [...(expected.get(key) ?? []), r]);
      }
      expect(rows).toHaveLength(expected.size);
      for (const row of rows) {
        const records = expected.get(JSON.stringify([row.userId, row.agentName, row.sessionId])) ?? [];
        expect(row.requests).toBe(records.length);
        expect(row.lastSeen.getTime()).toBe(Math.max(...records.map((r) => r.recordedAt.getTime())));
        expect(row.firstSeen.getTime()).toBe(Math.min(...records.map((r) => r.recordedAt.getTime())));
      }
      const lastSeen = rows.map((r) => r.lastSeen.getTime());
      expect(lastSeen).toEqual([...lastSeen].sort((a, b) => b - a));
    });

    it.each(['json', 'jsonl', 'csv'] as const)('export(%s) streams every matching record, parseable', async (format) => {
      const filter = { provider: 'openai' };
      const expected = RECORDS.filter((r) => matches(r, filter)).sort((a, b) => byTimeDesc(b, a));
      let text = '';
      let chunks = 0;
      let progress = 0;
      for await (const chunk of store.export(format, filter, { onProgress: (n) => (progress = n) })) {
        text += chunk;
        chunks++;
      }
      expect(progress).toBe(expected.length);
      const parsed = parseExport(format, text);
      expect(parsed.map((r) => r['id'])).toEqual(ids(expected));
      expect(parsed[0]?.['inputTokens']?.toString()).toBe(String(expected[0]?.inputTokens));
      expect(parsed[0]?.['recordedAt']).toBe(expected[0]?.recordedAt.toISOString());
      if (format === 'csv') expect(JSON.parse(parsed[3]?.['tags'] as string)).toEqual(expected[3]?.tags);
      else expect(parsed[3]?.['tags']).toEqual(expected[3]?.tags);
      expect(chunks).toBeGreaterThan(2);
    });

    it('export() pages past the page size in both orders and honours limit and offset', async () => {
      const all = [...RECORDS].sort(byTimeDesc);
      const read = async (filter: object): Promise<string[]> => {
        let text = '';
        for await (const chunk of store.export('jsonl', filter)) text += chunk;
        return text.split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { id: string }).id);
      };
      expect(await read({ order: 'desc' })).toEqual(ids(all));
      expect(await read({ order: 'asc', limit: 10, offset: 3 })).toEqual(ids([...all].reverse().slice(3, 13)));
      let empty = '';
      for await (const chunk of store.export('json', { userId: 'nobody' })) empty += chunk;
      expect(JSON.parse(empty)).toEqual([]);
    });

    const INJECTIONS = [`'; DROP TABLE genai_usage_records; --`, `x' OR '1'='1`, `" OR 1=1 --`, `u-1' --`, '%', '_', '\\', `$1`, '?'];
    const STRING_KEYS = ['userId', 'agentName', 'group', 'model', 'provider', 'serviceName', 'sessionId', 'conversationId', 'traceId', 'serviceTier'] as const;
    it('binds every filter value: SQL-injection strings match nothing and change nothing', async () => {
      for (const evil of INJECTIONS) {
        for (const key of STRING_KEYS) {
          expect(await store.records({ [key]: evil })).toEqual([]);
          expect((await store.aggregate({ [key]: evil, groupBy: 'model' })).length).toBe(0);
          expect(await store.top({ by: 'user', [key]: evil })).toEqual([]);
          expect(await store.identities({ [key]: evil })).toEqual([]);
          expect(await store.delete({ [key]: evil })).toBe(0);
        }
        expect(await store.records({ tags: { [evil]: evil } })).toEqual([]);
        expect(await store.records({ tags: `feature=${evil}` })).toEqual([]);
        expect(await store.delete({ tags: { feature: evil } })).toBe(0);
      }
      expect((await store.aggregate())[0]?.requests).toBe(RECORDS.length);
    });

    it('rejects bad queries with a typed error naming the key and the valid values', async () => {
      const cases: Array<[() => unknown, string, string[] | undefined]> = [
        [() => store.records({ usr: 'u-1' } as never), 'usr', undefined],
        [() => store.records({ from: 'yesterday' }), 'from', undefined],
        [() => store.records({ to: '2025-02-30' }), 'to', undefined],
        [() => store.records({ date: '2025-1-5' }), 'date', undefined],
        [() => store.records({ limit: -1 }), 'limit', undefined],
        [() => store.records({ order: 'up' as never }), 'order', ['asc', 'desc']],
        [() => store.records({ success: 'yes' as never }), 'success', ['true', 'false']],
        [() => store.records({ tags: 'feature' }), 'tags', undefined],
        [() => store.records({ userId: '' }), 'userId', undefined],
        [() => store.aggregate({ groupBy: 'team' as never }), 'groupBy', dims],
        [() => store.aggregate({ bucket: 'year' as never }), 'bucket', buckets],
        [() => store.top({ by: 'user', metric: 'cost' as never }), 'metric', ['costUsd', 'totalTokens', 'inputTokens', 'outputTokens', 'requests']],
        [() => store.top({ by: 'tenant' as never }), 'by', dims],
        [() => store.export('xml' as never), 'format', ['json', 'csv', 'jsonl']],
        [() => store.delete({}), 'filter', undefined],
        [() => store.delete({ userId: 'u-1', limit: 3 }), 'limit', undefined],
        [() => store.prune({ olderThan: 'ninety days' }), 'olderThan', undefined],
        // Stored text never holds NUL or unpaired surrogates; PostgreSQL would fail on NUL.
        [() => store.records({ userId: 'u-\u00001' }), 'userId', undefined],
        [() => store.aggregate({ sessionId: 's-\ud800' }), 'sessionId', undefined],
        [() => store.records({ tags: { feature: 'chat\u0000' } }), 'tags', undefined],
        [() => store.records({ tags: 'fea\u0000ture=chat' }), 'tags', undefined],
      ];
      for (const [call, key, valid] of cases) {
        const error = await Promise.resolve().then(call).then(() => undefined, (e: unknown) => e);
        expect(error, key).toBeInstanceOf(StoreQueryError);
        expect((error as StoreQueryError).key).toBe(key);
        if (valid) {
          expect((error as StoreQueryError).validValues).toEqual(valid);
          for (const v of valid) expect((error as Error).message).toContain(v);
        }
      }
      expect((await store.aggregate())[0]?.requests).toBe(RECORDS.length);
    });
  });

  describe('writes', () => {
    let store: UsageStore;
    afterEach(() => store?.close());

    it('insert() is idempotent by id, within and across batches', async () => {
      store = await target.open();
      const records = RECORDS.slice(0, 100);
      expect(await store.insert(records.slice(0, 60))).toBe(60);
      expect(await store.insert(records)).toBe(40);
      expect(await store.insert(records)).toBe(0);
      const duplicate = { ...(records[0] as UsageRecord), inputTokens: 999_999 };
      expect(await store.insert([duplicate, duplicate])).toBe(0);
      expect(await store.insert([])).toBe(0);
      // Rollup-backed and raw aggregates both count each record once.
      expectAggregate(await store.aggregate({ groupBy: 'model' }), records, ['model']);
      expectAggregate(await store.aggregate({ groupBy: 'session' }), records, ['session']);
      expect((await store.records({ limit: 500 })).length).toBe(100);
    });

    it('insert() keeps the same span of two tenants apart; re-sending within a tenant still dedupes', async () => {
      store = await target.open();
      const records = RECORDS.slice(0, 30);
      // Tenant b sends the same ids first: tenant a's copies must not vanish.
      expect(await store.insert(records, { tenant: 'b' })).toBe(30);
      expect(await store.insert(records, { tenant: 'a' })).toBe(30);
      expect(await store.insert(records.slice(0, 10))).toBe(10);
      expect(await store.insert(records, { tenant: 'a' })).toBe(0);
      expect(await store.insert(records.slice(0, 10))).toBe(0);
      expect(ids(await store.records({ tenant: 'a', limit: 100 }))).toEqual(ids([...records].sort(byTimeDesc)));
      expect((await store.records({ tenant: 'b', limit: 100 })).length).toBe(30);
      expect((await store.records({ limit: 100 })).length).toBe(70);
      expectAggregate(await store.aggregate({ tenant: 'a', groupBy: 'model' }), records, ['model']);
      expectAggregate(await store.aggregate({ tenant: 'b', groupBy: 'user', bucket: 'day' }), records, ['user'], 'day');
      expect(await store.delete({ tenant: 'b' })).toBe(30);
      expectAggregate(await store.aggregate({ tenant: 'a', groupBy: 'agent' }), records, ['agent']);
      expect((await store.aggregate())[0]?.requests).toBe(40);
    });

    it('insert() stores NUL and unpaired surrogates as U+FFFD, alike in every engine', async () => {
      store = await target.open();
      const base = RECORDS[0] as UsageRecord;
      const odd = { ...base, userId: 'u-\u0000-1', agentName: 'a-\ud800', sessionId: 's-\udc00x', tags: { 'k\u0000': 'v-\ud83d', ok: '\ud83d\ude00' } };
      expect(await store.insert([odd])).toBe(1);
      const [stored] = await store.records({});
      expect(stored).toMatchObject({ userId: 'u-\uFFFD-1', agentName: 'a-\uFFFD', sessionId: 's-\uFFFDx', tags: { 'k\uFFFD': 'v-\uFFFD', ok: '\ud83d\ude00' } });
      expect((await store.records({ userId: 'u-\uFFFD-1' })).length).toBe(1);
    });

    it('records() newest first once the newest hours were deleted, and below an upper bound', async () => {
      store = await target.open();
      await store.insert(RECORDS);
      const desc = [...RECORDS].sort(byTimeDesc);
      const newestHour = new Date(Math.floor((desc[0] as UsageRecord).recordedAt.getTime() / 36e5) * 36e5);
      const cut = new Date(newestHour.getTime() - 5 * 36e5);
      expect(await store.delete({ from: cut })).toBe(RECORDS.filter((r) => r.recordedAt >= cut).length);
      const left = desc.filter((r) => r.recordedAt < cut);
      expect(ids(await store.records({ limit: 5 }))).toEqual(ids(left.slice(0, 5)));
      expect(ids(await store.records({ limit: 3, offset: 4 }))).toEqual(ids(left.slice(4, 7)));
      const to = (left[10] as UsageRecord).recordedAt;
      expect(ids(await store.records({ to, limit: 4 }))).toEqual(ids(left.filter((r) => r.recordedAt < to).slice(0, 4)));
      const user = (left[0] as UsageRecord).userId as string;
      expect(ids(await store.records({ userId: user, limit: 6 }))).toEqual(ids(left.filter((r) => r.userId === user).slice(0, 6)));
    });

    it('delete() removes matching records and keeps every aggregate in step', async () => {
      store = await target.open();
      await store.insert(RECORDS);
      const doomed = { userId: 'u-2', provider: 'openai' };
      const expectedGone = RECORDS.filter((r) => matches(r, doomed)).length;
      expect(await store.delete(doomed)).toBe(expectedGone);
      const remaining = RECORDS.filter((r) => !matches(r, doomed));
      expect((await store.records({ ...doomed })).length).toBe(0);
      expectAggregate(await store.aggregate({ groupBy: ['model', 'provider'], bucket: 'hour' }), remaining, ['model', 'provider'], 'hour');
      expectAggregate(await store.aggregate({ groupBy: 'user', bucket: 'day' }), remaining, ['user'], 'day');
      // A tag filter deletes through the raw path; rollups still follow.
      const tagged = RECORDS.filter((r) => !matches(r, doomed) && matches(r, { tags: { tier: 'free' } })).length;
      expect(await store.delete({ tags: { tier: 'free' } })).toBe(tagged);
      const left = remaining.filter((r) => !matches(r, { tags: { tier: 'free' } }));
      expectAggregate(await store.aggregate({ groupBy: 'agent' }), left, ['agent']);
      // Re-inserting deleted records stores them again.
      expect(await store.insert(RECORDS)).toBe(RECORDS.length - left.length);
      expectAggregate(await store.aggregate({ groupBy: 'group' }), RECORDS, ['group']);
    });

    it('top() ranks sessions and traces exactly when runs cross the range bounds: every metric, page by page, per tenant, after a delete', async () => {
      store = await target.open();
      await store.insert(RECORDS);
      // Sessions and traces of the generated records span days, so day-aligned ranges cut through many of them.
      const day0 = Date.UTC(2025, 0, 29);
      const ranges: RefFilter[] = [
        {},
        { from: new Date(day0 + 3 * DAY) },
        { to: new Date(day0 + 10 * DAY) },
        { from: new Date(day0 + 2 * DAY), to: new Date(day0 + 9 * DAY) },
        { from: new Date(day0 + 5 * DAY), to: new Date(day0 + 6 * DAY) },
      ];
      // Cost and calls rank through an index; the others scan the run totals.
      const metrics: TopMetric[] = ['costUsd', 'requests', 'outputTokens'];
      const check = async (records: readonly UsageRecord[], tenant?: string): Promise<void> => {
        for (const by of ['session', 'trace'] as const) {
          for (const metric of metrics) {
            for (const range of ranges) {
              const expected = group(records.filter((r) => matches(r, range)), [by])
                .map((g) => ({ key: g.keys[by] ?? null, value: metricOf(g.records, metric), records: g.records }))
                .sort((a, b) => b.value - a.value || compareKeys(a.key, b.key));
              for (const offset of [0, 4]) {
                const rows = await store.top({ by, metric, limit: 4, offset, ...range, ...(tenant === undefined ? {} : { tenant }) });
                const want = expected.slice(offset, offset + 4);
                expect(rows.map((r) => r[by]), `${by} by ${metric} ${JSON.stringify(range)} offset ${offset}`).toEqual(want.map((e) => e.key));
                want.forEach((e, i) => expectMeasures(rows[i], e.records));
              }
            }
          }
        }
      };
      await check(RECORDS);
      // A second tenant: each tenant ranks its own runs, and a ranking across tenants adds a key's parts.
      const second = RECORDS.slice(0, 300);
      await store.insert(second, { tenant: 'b' });
      await check(second, 'b');
      await check([...RECORDS, ...second]);
      // A delete leaves runs with fewer days than their recorded span.
      await store.delete({ tenant: 'b' });
      await store.delete({ userId: 'u-2' });
      await check(RECORDS.filter((r) => r.userId !== 'u-2'));
    });

    it('top() by calls ranks one-call runs after the others, by key, across pages (they are not in the calls index)', async () => {
      store = await target.open();
      // Traces of 3, 2 and 2 calls and eight of one call, inserted in no particular key order.
      const sizes: Array<[string, number]> = [['7c', 1], ['a0', 2], ['03', 1], ['f1', 3], ['5e', 1], ['b2', 1], ['11', 2], ['e9', 1], ['44', 1], ['c8', 1], ['2d', 1]];
      const records = sizes.flatMap(([suffix, calls], t) =>
        Array.from({ length: calls }, (_, c) => {
          const base = RECORDS[t * 3 + c] as UsageRecord;
          const traceId = suffix.padStart(32, '0');
          return { ...base, id: `${traceId}-${String(c).padStart(16, '0')}`, traceId, spanId: String(c).padStart(16, '0'), recordedAt: new Date(START + 3 * DAY + t * 60_000 + c) };
        }),
      );
      await store.insert(records);
      const expected = group(records, ['trace'])
        .map((g) => ({ key: g.keys.trace ?? null, calls: g.records.length }))
        .sort((a, b) => b.calls - a.calls || compareKeys(a.key, b.key));
      expect(expected.map((e) => e.calls)).toEqual([3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1]);
      for (const [offset, limit] of [[0, 2], [2, 3], [4, 4], [9, 5], [0, 20]] as const) {
        for (const range of [{}, { from: new Date(START + 3 * DAY - (START % DAY)), to: new Date(START + 5 * DAY - (START % DAY)) }]) {
          const rows = await store.top({ by: 'trace', metric: 'requests', offset, limit, ...range });
          expect(rows.map((r) => [r.trace, r.requests]), `offset ${offset} limit ${limit} ${JSON.stringify(range)}`).toEqual(
            expected.slice(offset, offset + limit).map((e) => [e.key, e.calls]),
          );
        }
      }
    });

    it('prune() deletes records older than a Date or a duration', async () => {
      store = await target.open();
      const now = Date.now();
      const aged = RECORDS.slice(0, 50).map((r, i) => ({ ...r, recordedAt: new Date(now - i * 3 * DAY - 1000) }));
      await store.insert(aged);
      const older = (days: number): number => aged.filter((r) => r.recordedAt.getTime() < now - days * DAY).length;
      const expected90 = older(90);
      expect(expected90).toBeGreaterThan(0);
      expect(await store.prune({ olderThan: '90d' })).toBe(expected90);
      const cutoff = new Date(now - 30 * DAY);
      expect(await store.prune({ olderThan: cutoff })).toBe(older(30) - expected90);
      expect((await store.aggregate())[0]?.requests).toBe(aged.length - older(30));
      expect(await store.prune({ olderThan: '2w' })).toBe(older(14) - older(30));
    });
  });
}

function parseExport(format: 'json' | 'jsonl' | 'csv', text: string): Array<Record<string, unknown>> {
  if (format === 'json') return JSON.parse(text) as Array<Record<string, unknown>>;
  if (format === 'jsonl') return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
  const rows = parseCsv(text);
  const header = rows[0] as string[];
  return rows.slice(1).map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i]])));
}

/** A small RFC 4180 reader (quoted fields, doubled quotes, CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(cell), (cell = '');
    else if (ch === '\r' && text[i + 1] === '\n') row.push(cell), rows.push(row), (row = []), (cell = ''), i++;
    else cell += ch;
  }
  return rows;
}
