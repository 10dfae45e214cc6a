import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportSpans, expectSuccess, genAiSpans, otlpExporter, request, startTestCollector, tempDir, type Call, type TestCollector } from './harness.js';

const tmp = tempDir('genai-usage-collector-query-');
let collector: TestCollector;
const day = (d: number, h = 10): Date => new Date(Date.UTC(2025, 0, d, h));

// 3 days, 2 users, 3 sessions; costs chosen so every sum is exact in binary.
const CALLS: Call[] = [
  { at: day(1), model: 'gpt-4o', input: 100, output: 10, user: 'u-1', agent: 'Triage', session: 's-1', costUsd: 0.5 },
  { at: day(1, 11), model: 'gpt-4o-mini', input: 200, output: 20, user: 'u-1', agent: 'Billing', session: 's-1', costUsd: 0.25 },
  { at: day(2), model: 'gpt-4o', input: 300, output: 30, user: 'u-2', agent: 'Triage', session: 's-2', costUsd: 2 },
  { at: day(3), model: 'gpt-4o', input: 400, output: 40, user: 'u-2', agent: 'Triage', session: 's-3', costUsd: 1 },
  { at: day(3, 12), model: 'gpt-4o-mini', input: 500, output: 50, user: 'u-1', session: 's-3', costUsd: 0.125 },
];

beforeAll(async () => {
  collector = await startTestCollector(`sqlite:${join(tmp.dir, 'query.db')}`);
  expectSuccess(await exportSpans(otlpExporter('protobuf', collector.url), genAiSpans(CALLS)));
});
afterAll(async () => {
  await collector.close();
  tmp.cleanup();
});

const get = (path: string) => request(collector.url, path);

describe('query API', () => {
  it('records: filters, newest first, and pages with a next link until the end', async () => {
    const first = await get('/api/v1/records?user=u-1&limit=2');
    expect(first.json.records.map((r: any) => r.costUsd)).toEqual([0.125, 0.25]);
    expect(first.json.page).toEqual({ limit: 2, offset: 0, next: '/api/v1/records?user=u-1&limit=2&offset=2' });
    const second = await get(first.json.page.next);
    expect(second.json.records.map((r: any) => r.costUsd)).toEqual([0.5]);
    expect(second.json.page.next).toBeNull();
    const window = await get('/api/v1/records?from=2025-01-02&to=2025-01-03&success=true');
    expect(window.json.records.map((r: any) => r.userId)).toEqual(['u-2']);
    const tagged = await get('/api/v1/records?tag=feature%3Dchat&tag=feature%3Dnone');
    expect(tagged.json.records).toEqual([]);
  });

  it('aggregate: group by several dimensions and a time bucket', async () => {
    const res = await get('/api/v1/aggregate?groupBy=user,model&bucket=day&order=asc');
    expect(res.status).toBe(200);
    expect(res.json.rows.map((r: any) => [r.bucket.slice(0, 10), r.user, r.model, r.requests, r.costUsd])).toEqual([
      ['2025-01-01', 'u-1', 'gpt-4o', 1, 0.5],
      ['2025-01-01', 'u-1', 'gpt-4o-mini', 1, 0.25],
      ['2025-01-02', 'u-2', 'gpt-4o', 1, 2],
      ['2025-01-03', 'u-1', 'gpt-4o-mini', 1, 0.125],
      ['2025-01-03', 'u-2', 'gpt-4o', 1, 1],
    ]);
  });

  it('per-user and per-agent summaries, biggest first', async () => {
    const users = await get('/api/v1/users');
    expect(users.json.users.map((r: any) => [r.user, r.requests, r.costUsd, r.inputTokens])).toEqual([
      ['u-2', 2, 3, 700],
      ['u-1', 3, 0.875, 800],
    ]);
    const byTokens = await get('/api/v1/users?metric=inputTokens&limit=1');
    expect(byTokens.json.users.map((r: any) => r.user)).toEqual(['u-1']);
    expect(byTokens.json.page.next).toBe('/api/v1/users?metric=inputTokens&limit=1&offset=1');
    const agents = await get('/api/v1/agents');
    expect(agents.json.agents.map((r: any) => [r.agent, r.requests])).toEqual([
      ['Triage', 3],
      ['Billing', 1],
      [null, 1],
    ]);
  });

  it('top sessions and one session with per-call detail', async () => {
    const sessions = await get('/api/v1/sessions?limit=2');
    expect(sessions.json.sessions.map((r: any) => [r.session, r.costUsd])).toEqual([
      ['s-2', 2],
      ['s-3', 1.125],
    ]);
    const detail = await get('/api/v1/sessions/s-3');
    expect(detail.status).toBe(200);
    expect(detail.json.totals).toMatchObject({ requests: 2, inputTokens: 900, costUsd: 1.125 });
    expect(detail.json.byModel.map((r: any) => r.model)).toEqual(['gpt-4o', 'gpt-4o-mini']);
    expect(detail.json.calls.map((c: any) => [c.userId, c.requestModel])).toEqual([
      ['u-2', 'gpt-4o'],
      ['u-1', 'gpt-4o-mini'],
    ]);
    expect((await get('/api/v1/sessions/no-such-session')).status).toBe(404);
  });

  it('daily spend, oldest first', async () => {
    const res = await get('/api/v1/daily?from=2025-01-01&to=2025-01-04');
    expect(res.json.days.map((r: any) => [r.bucket.slice(0, 10), r.costUsd, r.requests])).toEqual([
      ['2025-01-01', 0.75, 2],
      ['2025-01-02', 2, 1],
      ['2025-01-03', 1.125, 2],
    ]);
  });

  it.each([
    ['/api/v1/records?usr=u-1', 'usr', /unknown query parameter "usr"; valid: user, agent/],
    ['/api/v1/records?limit=0', 'limit', /limit must be an integer from 1 to 1000/],
    ['/api/v1/records?limit=5000', 'limit', /limit must be an integer from 1 to 1000/],
    ['/api/v1/records?offset=-1', 'offset', /offset must be an integer/],
    ['/api/v1/records?success=yes', 'success', /valid values: true, false/],
    ['/api/v1/records?from=last-tuesday', 'from', /from must be an ISO-8601 date/],
    ['/api/v1/records?from=2025-02-01&to=2025-01-01', 'from', /is after to/],
    ['/api/v1/records?user=a&user=b', 'user', /user may be given once/],
    ['/api/v1/records?tag=novalue', 'tag', /tags must be key=value/],
    ['/api/v1/aggregate?groupBy=planet', 'groupBy', /invalid groupBy "planet"; valid values: user, agent/],
    ['/api/v1/aggregate?bucket=fortnight', 'bucket', /invalid bucket "fortnight"/],
    ['/api/v1/top', 'by', /by is required/],
    ['/api/v1/top?by=user&metric=vibes', 'metric', /invalid metric "vibes"/],
    ['/api/v1/daily?date=2025-02-30', 'date', /date must be a UTC day/],
  ])('%s → 400 naming %s', async (path, parameter, message) => {
    const res = await get(path);
    expect(res.status).toBe(400);
    expect(res.json.parameter).toBe(parameter);
    expect(res.json.error).toMatch(message);
  });

  it('unknown routes are 404, wrong methods 405', async () => {
    expect((await get('/api/v1/nothing')).status).toBe(404);
    const res = await request(collector.url, '/api/v1/records', { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
  });
});
