import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { PgCluster, pgClusterSkipReason } from '../exporter/pg-cluster.js';
import { postgresTestUrl } from '../store/postgres-env.js';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import * as A from '../../src/semconv.js';
import { exportSpans, expectSuccess, genAiSpans, otlpExporter, request, startTestCollector, tempDir, token, type TestCollector } from './harness.js';

const { url, skipReason } = postgresTestUrl();
// One schema per test file run: files run in parallel against the shared server.
const schema = `t_collector_${process.pid}_${Date.now().toString(36)}`;

describe.skipIf(skipReason !== undefined)('OTLP → collector → PostgreSQL', () => {
  let collector: TestCollector;
  beforeAll(async () => {
    collector = await startTestCollector(`${url}?schema=${schema}`);
  });
  afterAll(async () => {
    await collector?.close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });

  it('protobuf and JSON senders land in PostgreSQL and the API aggregates them', async () => {
    expectSuccess(await exportSpans(otlpExporter('protobuf', collector.url, { gzip: true }), genAiSpans([
      { model: 'gpt-4o', input: 100, output: 10, user: 'u-1', costUsd: 0.5 },
      { model: 'gpt-4o', input: 300, output: 30, user: 'u-2', costUsd: 1.5 },
    ], 'svc-proto')));
    const jsonSpans = genAiSpans([{ model: 'claude-haiku-4-5', provider: 'anthropic', input: 50, output: 5, user: 'u-1', costUsd: 0.25 }], 'svc-json');
    const json = otlpExporter('json', collector.url);
    expectSuccess(await exportSpans(json, jsonSpans));
    expectSuccess(await exportSpans(json, jsonSpans)); // re-sent: no duplicate
    const byService = await request(collector.url, '/api/v1/aggregate?groupBy=service');
    expect(byService.json.rows.map((r: any) => [r.service, r.requests, r.inputTokens, r.costUsd])).toEqual([
      ['svc-json', 1, 50, 0.25],
      ['svc-proto', 2, 400, 2],
    ]);
    const users = await request(collector.url, '/api/v1/users');
    expect(users.json.users.map((r: any) => [r.user, r.costUsd])).toEqual([
      ['u-2', 1.5],
      ['u-1', 0.75],
    ]);
  });
});

describe.skipIf(skipReason !== undefined)('one poisoned request does not block other tenants (PostgreSQL)', () => {
  const poisonSchema = `${schema}_poison`;
  const tokenA = token('tenant-a', ['ingest', 'read'], 'tenant-a');
  const tokenB = token('tenant-b', ['ingest', 'read'], 'tenant-b');
  let collector: TestCollector;
  beforeAll(async () => {
    collector = await startTestCollector(`${url}?schema=${poisonSchema}`, { tokens: [tokenA, tokenB] });
    // A real refusal by the server for one value (SQLSTATE 23514), standing in for any value
    // the store cannot hold that gets past the collector's own checks.
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`ALTER TABLE ${poisonSchema}.genai_usage_records ADD CONSTRAINT refuse_poison CHECK (user_id IS DISTINCT FROM 'poison')`);
    await client.end();
  });
  afterAll(async () => {
    await collector?.close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${poisonSchema} CASCADE`);
    await client.end();
  });

  const post = (tok: string, user: string, n = 5, attributes: Record<string, string> = {}) =>
    request(collector.url, '/v1/traces', {
      method: 'POST',
      token: tok,
      headers: { 'content-type': 'application/json' },
      body: JsonTraceSerializer.serializeRequest(genAiSpans(Array.from({ length: n }, (_, i) => ({ model: 'gpt-4o', input: i + 1, output: 1, user, attributes }))))!,
    });

  it("tenant A's requests all succeed while tenant B sends a poisoned one; only that one is refused", async () => {
    const a = Array.from({ length: 100 }, (_, i) => post(tokenA.token, `a-${i % 7}`));
    const b = Array.from({ length: 10 }, (_, i) => (i === 5 ? post(tokenB.token, 'poison', 1) : post(tokenB.token, `b-${i}`)));
    // NUL in user.id never reaches the store: rejected per span at the boundary.
    const nul = post(tokenB.token, 'b-nul', 2, { [A.ATTR_USER_ID]: 'b-\u0000-nul' });
    const [aResults, bResults, nulResult] = await Promise.all([Promise.all(a), Promise.all(b), nul]);
    expect(aResults.map((r) => r.status)).toEqual(aResults.map(() => 200));
    expect(bResults.map((r) => r.status)).toEqual(bResults.map((_, i) => (i === 5 ? 400 : 200)));
    expect(bResults[5]?.json.message).toMatch(/the store refused these records: .*refuse_poison/);
    expect(nulResult.status).toBe(200);
    expect(nulResult.json.partialSuccess).toMatchObject({ rejectedSpans: '2' });
    expect((await request(collector.url, '/readyz')).status).toBe(200);
    const aRecords = await request(collector.url, '/api/v1/aggregate', { token: tokenA.token });
    expect(aRecords.json.rows[0].requests).toBe(500);
    const bRecords = await request(collector.url, '/api/v1/aggregate', { token: tokenB.token });
    expect(bRecords.json.rows[0].requests).toBe(45);
  });

  it('a query filter with NUL is a 400 naming the parameter, not a 500', async () => {
    const res = await request(collector.url, `/api/v1/records?user=${encodeURIComponent('a\u0000b')}`, { token: tokenA.token });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ parameter: 'user' });
    expect(res.json.error).toMatch(/without NUL/);
    const session = await request(collector.url, `/api/v1/sessions/${encodeURIComponent('s\u0000')}`, { token: tokenA.token });
    expect(session.status).toBe(400);
  });
});

describe.skipIf(pgClusterSkipReason() !== undefined).each(['stored', 'journaled'])('store outage: PostgreSQL stops while senders keep sending, answered once %s', (mode) => {
  let cluster: PgCluster;
  let collector: TestCollector;
  const journal = tempDir('genai-usage-pg-outage-');
  beforeAll(async () => {
    cluster = await PgCluster.create();
    collector = await startTestCollector(cluster.url, mode === 'journaled' ? { journalDir: join(journal.dir, 'journal') } : {});
  });
  afterAll(async () => {
    await collector?.close();
    cluster?.destroy();
    journal.cleanup();
  });

  const answer = mode === 'stored' ? 'answers 503 + Retry-After during the outage' : 'answers 200 throughout the outage (journaled)';
  it(`${answer}; after the restart every span is stored exactly once`, async () => {
    const exporter = otlpExporter('protobuf', collector.url, { timeoutMillis: 30_000, concurrencyLimit: 500 });
    const exports: Array<Promise<ExportResult>> = [];
    let sent = 0;
    let sending = true;
    const sender = (async () => {
      for (let i = 0; sending; i++) {
        const spans = genAiSpans(Array.from({ length: 5 }, (_, j) => ({ model: 'gpt-4o', input: i * 10 + j, output: 1, user: `u-${j}` })));
        sent += 5;
        exports.push(exportSpans(exporter, spans));
        await sleep(50);
      }
    })();
    await sleep(500);
    cluster.stop();
    await sleep(1500);
    cluster.start();
    await sleep(1000);
    sending = false;
    await sender;
    const results = await Promise.all(exports);
    expect(results.filter((r) => r.code !== ExportResultCode.SUCCESS).map((r) => r.error?.message)).toEqual([]);
    expect(collector.deps.metrics.storeErrors).toBeGreaterThan(0);
    if (mode === 'stored') {
      // The outage was real: requests were turned away and retried.
      expect(collector.deps.metrics.requestCount('traces', 503)).toBeGreaterThan(0);
    } else {
      // Every request was taken the first time; the journal held them until the store was back.
      expect(collector.deps.metrics.requestCount('traces', 503)).toBe(0);
      expect(collector.deps.metrics.requestCount('traces', 200)).toBe(exports.length);
      while (collector.deps.queue.depth() > 0) await sleep(20);
    }
    const store = await openStore(cluster.url);
    try {
      const records = await store.records({ limit: 100_000 });
      expect(records.length).toBe(sent);
      expect(new Set(records.map((r) => r.id)).size).toBe(sent);
      // The rollups agree: nothing was counted twice by a retried transaction.
      const [total] = await store.aggregate({ groupBy: [] });
      expect(total?.requests).toBe(sent);
      const byUser = await store.aggregate({ groupBy: 'user' });
      expect(byUser.reduce((n, row) => n + row.requests, 0)).toBe(sent);
    } finally {
      await store.close();
    }
    expect((await request(collector.url, '/readyz')).status).toBe(200);
  });
});
