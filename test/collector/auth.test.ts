import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportSpans, expectSuccess, genAiSpans, otlpExporter, request, startTestCollector, tempDir, token, type TestCollector } from './harness.js';

const tmp = tempDir('genai-usage-collector-auth-');
const T = {
  ingestA: token('ingest-a', ['ingest'], 'tenant-a'),
  ingestB: token('ingest-b', ['ingest'], 'tenant-b'),
  readA: token('read-a', ['read'], 'tenant-a'),
  readB: token('read-b', ['read'], 'tenant-b'),
  admin: token('admin', ['read', 'metrics']),
  ingestGlobal: token('ingest-global', ['ingest']),
};
let collector: TestCollector;

beforeAll(async () => {
  collector = await startTestCollector(`sqlite:${join(tmp.dir, 'auth.db')}`, { tokens: Object.values(T) });
  expectSuccess(await exportSpans(otlpExporter('protobuf', collector.url, { token: T.ingestA.token }), genAiSpans([{ model: 'm-a', input: 10, output: 1, user: 'alice', session: 'sess-a' }])));
  expectSuccess(await exportSpans(otlpExporter('json', collector.url, { token: T.ingestB.token }), genAiSpans([{ model: 'm-b', input: 20, output: 2, user: 'bob', session: 'sess-b' }])));
});
afterAll(async () => {
  await collector.close();
  tmp.cleanup();
});

const READ_PATHS = [
  '/api/v1/records',
  '/api/v1/aggregate?groupBy=model',
  '/api/v1/top?by=user',
  '/api/v1/users',
  '/api/v1/agents',
  '/api/v1/sessions',
  '/api/v1/sessions/sess-a',
  '/api/v1/daily',
];
type Endpoint = { method: 'GET' | 'POST'; path: string; good: string; wrongScope: string };
const ENDPOINTS: Endpoint[] = [
  { method: 'POST', path: '/v1/traces', good: T.ingestA.token, wrongScope: T.readA.token },
  { method: 'GET', path: '/metrics', good: T.admin.token, wrongScope: T.ingestA.token },
  ...READ_PATHS.map((path): Endpoint => ({ method: 'GET', path, good: T.admin.token, wrongScope: T.ingestA.token })),
];

const call = (e: Endpoint, auth?: string) =>
  request(collector.url, e.path, {
    method: e.method,
    headers: { ...(e.method === 'POST' ? { 'content-type': 'application/json' } : {}), ...(auth ? { authorization: auth } : {}) },
    body: e.method === 'POST' ? '{"resourceSpans":[]}' : undefined,
  });

describe.each(ENDPOINTS)('auth on $method $path', (endpoint) => {
  it('no token → 401 with a Bearer challenge', async () => {
    const res = await call(endpoint);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });
  it('wrong token → 401, malformed header → 401', async () => {
    expect((await call(endpoint, 'Bearer not-a-valid-token-at-all')).status).toBe(401);
    expect((await call(endpoint, `Basic ${endpoint.good}`)).status).toBe(401);
  });
  it('right token, wrong scope → 403', async () => {
    const res = await call(endpoint, `Bearer ${endpoint.wrongScope}`);
    expect(res.status).toBe(403);
    expect(res.text).toMatch(/lacks the (ingest|read|metrics) scope/);
  });
  it('right token and scope → 200', async () => {
    expect((await call(endpoint, `Bearer ${endpoint.good}`)).status).toBe(200);
  });
});

describe('tenant isolation', () => {
  it('health probes are open (no data in them)', async () => {
    expect((await request(collector.url, '/healthz')).status).toBe(200);
    expect((await request(collector.url, '/readyz')).status).toBe(200);
  });

  it('a tenant-less read token sees every tenant', async () => {
    const res = await request(collector.url, '/api/v1/records', { token: T.admin.token });
    expect(res.json.records.map((r: any) => r.userId).sort()).toEqual(['alice', 'bob']);
  });

  it.each(READ_PATHS)("a tenant's read token never sees another tenant's records: %s", async (path) => {
    const res = await request(collector.url, path, { token: T.readA.token });
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('bob');
    expect(res.text).not.toContain('sess-b');
    expect(res.text).not.toContain('m-b');
  });

  it("another tenant's session is a 404, its own is visible", async () => {
    expect((await request(collector.url, '/api/v1/sessions/sess-b', { token: T.readA.token })).status).toBe(404);
    const own = await request(collector.url, '/api/v1/sessions/sess-b', { token: T.readB.token });
    expect(own.status).toBe(200);
    expect(own.json.calls.map((c: any) => c.userId)).toEqual(['bob']);
  });

  it("a span first posted by another tenant does not make this tenant's copy vanish (issue 10 item 6)", async () => {
    const spans = genAiSpans([{ model: 'm-shared', input: 30, output: 3, user: 'carol' }]);
    // The same span (same trace and span ids): tenant b first, then tenant a, then a again.
    expectSuccess(await exportSpans(otlpExporter('protobuf', collector.url, { token: T.ingestB.token }), spans));
    expectSuccess(await exportSpans(otlpExporter('json', collector.url, { token: T.ingestA.token }), spans));
    expectSuccess(await exportSpans(otlpExporter('protobuf', collector.url, { token: T.ingestA.token }), spans));
    for (const read of [T.readA, T.readB]) {
      const res = await request(collector.url, '/api/v1/records?model=m-shared', { token: read.token });
      expect(res.json.records.map((r: any) => [r.userId, r.inputTokens]), read.name).toEqual([['carol', 30]]);
    }
    const all = await request(collector.url, '/api/v1/aggregate?model=m-shared', { token: T.admin.token });
    expect(all.json.rows[0].requests).toBe(2);
  });

  it('tokens never appear in the logs', () => {
    expect(collector.logs.length).toBeGreaterThan(0);
    for (const spec of Object.values(T)) for (const line of collector.logs) expect(line).not.toContain(spec.token);
  });
});
