// The explorer over a real tracked workload: every page's data (.json) equals the store API's
// answer for the same filters, exports carry the same rows, and the HTML shows them escaped.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type UsageStore } from '../../src/index.js';
import { startExplorerServer, type RunningExplorer } from '../../src/ui/ui-server.js';
import { detailPath } from '../../src/ui/page.js';
import { XSS_AGENT, XSS_SESSION, XSS_TAG, XSS_USER, recordWorkloadStore, type WorkloadStore } from './workload.js';

let workload: WorkloadStore;
let server: RunningExplorer;
let store: UsageStore;

beforeAll(async () => {
  workload = await recordWorkloadStore();
  const budgets = join(workload.dir, 'budgets.yaml');
  writeFileSync(budgets, 'budgets:\n  - name: per-user-daily\n    limit: { costUsd: 0.002 }\n    period: daily\n    scope: { user: each }\n  - name: org-monthly-calls\n    limit: { requests: 100 }\n    period: monthly\n');
  server = await startExplorerServer({ store: workload.url, port: 0, budgetsFile: budgets, log: () => undefined });
  store = await openStore(workload.url, { readOnly: true });
});
afterAll(async () => {
  await server?.close();
  await store?.close();
  workload?.cleanup();
});

/** JSON as it travels: Dates become ISO strings. */
const wire = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

async function json(path: string): Promise<{ status: number; body: Record<string, any> }> {
  const res = await fetch(`${server.url}${path}`);
  expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

async function page(path: string): Promise<{ status: number; html: string; headers: Headers }> {
  const res = await fetch(`${server.url}${path}`);
  return { status: res.status, html: await res.text(), headers: res.headers };
}

describe('page data equals the store API for the same filters', () => {
  it('overview: totals, series, top tables, failures and unpriced models', async () => {
    const { status, body } = await json('/overview.json?range=all');
    expect(status).toBe(200);
    expect(body.totals).toEqual(wire((await store.aggregate({}))[0]));
    expect(body.totals.requests).toBe(29);
    expect(body.series).toEqual(wire(await store.aggregate({ bucket: 'day' })));
    for (const by of ['model', 'provider', 'user', 'agent'] as const) expect(body[`${by}s`]).toEqual(wire(await store.top({ by, limit: 10 })));
    const failed = (await store.aggregate({ success: false, groupBy: ['provider', 'model'] })).sort((a, b) => b.failures - a.failures);
    expect(body.failures).toEqual(wire(failed));
    expect(body.recentFailures).toEqual(wire(await store.records({ success: false, limit: 10 })));
    const unpriced = (await store.aggregate({ success: true, groupBy: ['provider', 'model'] })).filter((r) => r.unpricedRequests > 0);
    expect(body.unpriced.map((r: { model: string }) => r.model)).toEqual(['acme-local-7b']);
    expect(body.unpriced).toEqual(wire(unpriced));
  });

  it('filters change the numbers: user, agent, model, provider, tag and a custom range', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const cases: Array<[string, Record<string, unknown>]> = [
      ['user=alice', { userId: 'alice' }],
      ['agent=Researcher', { agentName: 'Researcher' }],
      ['model=gpt-4o-mini', { model: 'gpt-4o-mini' }],
      ['provider=anthropic', { provider: 'anthropic' }],
      ['tag=feature%3Dchat', { tags: ['feature=chat'] }],
      [`from=${today}&to=${today}`, { from: `${today}T00:00:00Z`, to: new Date(Date.parse(`${today}T00:00:00Z`) + 864e5) }],
      ['user=carol&provider=openai', { userId: 'carol', provider: 'openai' }],
    ];
    const all = (await store.aggregate({}))[0];
    for (const [query, filter] of cases) {
      const { body } = await json(`/overview.json?${query.startsWith('from=') ? '' : 'range=all&'}${query}`);
      const expected = (await store.aggregate(filter))[0];
      expect(body.totals, query).toEqual(wire(expected));
      if (!query.startsWith('from=')) expect(body.totals.requests, query).toBeLessThan(all?.requests ?? 0);
      expect(body.users, query).toEqual(wire(await store.top({ ...filter, by: 'user', limit: 10 })));
    }
  });

  it('users, agents, models, providers: ranked, sortable and paged like top()', async () => {
    for (const [section, by] of [['users', 'user'], ['agents', 'agent'], ['models', 'model'], ['providers', 'provider']] as const) {
      const { body } = await json(`/${section}.json?range=all`);
      expect(body[section], section).toEqual(wire((await store.top({ by, limit: 51 })).slice(0, 50)));
      const sorted = await json(`/${section}.json?range=all&sort=requests`);
      expect(sorted.body[section], section).toEqual(wire((await store.top({ by, metric: 'requests', limit: 51 })).slice(0, 50)));
    }
    const paged = await json('/users.json?range=all&sort=totalTokens&offset=2');
    expect(paged.body.users).toEqual(wire(await store.top({ by: 'user', metric: 'totalTokens', limit: 50, offset: 2 })));
  });

  it('a user detail page: totals, breakdowns, sessions and latest calls for that user only', async () => {
    const { status, body } = await json(`${detailPath('users', XSS_USER)}.json?range=all`);
    expect(status).toBe(200);
    expect(body.id).toBe(XSS_USER);
    expect(body.totals).toEqual(wire((await store.aggregate({ userId: XSS_USER }))[0]));
    expect(body.byModel).toEqual(wire(await store.top({ userId: XSS_USER, by: 'model', limit: 20 })));
    expect(body.sessions).toEqual(wire(await store.top({ userId: XSS_USER, by: 'session', limit: 20 })));
    expect(body.recentCalls).toEqual(wire(await store.records({ userId: XSS_USER, limit: 20 })));
    const alice = await json('/users/alice.json?range=all');
    expect(alice.body.totals).toEqual(wire((await store.aggregate({ userId: 'alice' }))[0]));
  });

  it('sessions and traces: top by cost, and each call of one in order', async () => {
    const sessions = await json('/sessions.json?range=all');
    expect(sessions.body.sessions).toEqual(wire((await store.top({ by: 'session', limit: 51 })).slice(0, 50)));
    const traces = await json('/traces.json?range=all');
    const topTraces = await store.top({ by: 'trace', limit: 51 });
    expect(traces.body.traces).toEqual(wire(topTraces.slice(0, 50)));
    // Two requests of the demo workload and the hostile call: three traces.
    expect(topTraces).toHaveLength(3);
    const traceId = topTraces[0]?.trace as string;
    const one = await json(`/traces/${traceId}.json?range=all`);
    expect(one.body.calls).toEqual(wire(await store.records({ traceId, order: 'asc', limit: 201 })));
    expect(one.body.calls.length).toBe(14);
    expect(one.body.totals).toEqual(wire((await store.aggregate({ traceId }))[0]));
    const session = await json(`/sessions/s-alice-1-0.json?range=all`);
    expect(session.body.calls).toEqual(wire(await store.records({ sessionId: 's-alice-1-0', order: 'asc', limit: 201 })));
    expect(session.body.traces).toEqual(wire(await store.top({ sessionId: 's-alice-1-0', by: 'trace', limit: 50 })));
    // The hand-off chain is on the calls.
    expect(session.body.calls.map((c: { handoffChain?: string }) => c.handoffChain)).toContain('Triage > Billing');
    // A session id that ends in .json is a detail page, not a format.
    const hostile = await json(`${detailPath('sessions', XSS_SESSION)}.json?range=all`);
    expect(hostile.body.id).toBe(XSS_SESSION);
    expect(hostile.body.calls).toHaveLength(1);
  });

  it('budgets: each copy used equals the store aggregate for its scope and period', async () => {
    const { body } = await json('/budgets.json');
    const perUser = body.budgets.filter((s: { budget: string }) => s.budget === 'per-user-daily');
    expect(perUser.length).toBe(5);
    const startOfDay = new Date(new Date().toISOString().slice(0, 10));
    for (const s of perUser) {
      const [row] = await store.aggregate({ userId: s.scope.user, from: startOfDay });
      expect(s.used, s.scope.user).toBeCloseTo(row?.costUsd ?? 0, 12);
      expect(s.utilization).toBeCloseTo(s.used / 0.002, 9);
    }
    const org = body.budgets.find((s: { budget: string }) => s.budget === 'org-monthly-calls');
    // Request budgets count successful calls.
    const month = new Date(`${new Date().toISOString().slice(0, 7)}-01T00:00:00Z`);
    const [all] = await store.aggregate({ from: month });
    expect(org.used).toBe((all?.requests ?? 0) - (all?.failures ?? 0));
    expect(org.used).toBeGreaterThan(20);
    expect(org.resetsAt).toMatch(/^\d{4}-\d{2}-01T00:00:00\.000Z$/);
  });

  it('CSV and JSONL exports carry the rows on screen, raw values, spreadsheet formulas defused', async () => {
    const csv = await fetch(`${server.url}/users.csv?range=all`);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename="users-users.csv"');
    const lines = (await csv.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('user,costUsd,requests,failures,inputTokens,outputTokens,totalTokens,unpricedRequests,avgDurationMs,p95DurationMs');
    const top = await store.top({ by: 'user', limit: 50 });
    expect(lines).toHaveLength(top.length + 1);
    expect(lines[1]).toBe([top[0]?.user, top[0]?.costUsd, top[0]?.requests, top[0]?.failures, top[0]?.inputTokens, top[0]?.outputTokens, top[0]?.totalTokens, top[0]?.unpricedRequests, top[0]?.avgDurationMs, top[0]?.p95DurationMs].join(','));
    const jsonl = await (await fetch(`${server.url}/overview.jsonl?range=all&table=unpriced`)).text();
    const rows = jsonl.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((r) => r.model)).toEqual(['acme-local-7b']);
    const bad = await fetch(`${server.url}/overview.csv?range=all&table=nope`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain('valid: series, models, providers, users, agents, failures, recentFailures, unpriced');
    const agents = await (await fetch(`${server.url}${detailPath('users', XSS_USER)}.csv?range=all&table=byAgent`)).text();
    // The agent name starts with a quote, not a formula character: kept; CSV quoting applies.
    expect(agents.split('\r\n')[1]?.startsWith(`"""><svg`)).toBe(true);
  });
});

describe('the HTML', () => {
  it('escapes attacker-chosen ids, agents and tags everywhere they appear', async () => {
    for (const path of ['/users?range=all', `${detailPath('users', XSS_USER)}?range=all`, `/?range=all&tag=${encodeURIComponent(`feature=${XSS_TAG}`)}`, `${detailPath('sessions', XSS_SESSION)}?range=all`, `/agents?range=all`]) {
      const { status, html } = await page(path);
      expect(status, path).toBe(200);
      for (const evil of [XSS_USER, XSS_AGENT, XSS_SESSION, XSS_TAG, '<script>document', '<img src=x', '<svg onload', '<b onmouseover']) expect(html, path).not.toContain(evil);
    }
    const { html } = await page('/users?range=all');
    expect(html).toContain('&lt;img src=x onerror=&quot;document.title=&#39;pwned-user&#39;&quot;&gt;&quot;&#39;&amp;&lt;script&gt;');
  });

  it('has no inline script or style, a strict CSP, no CORS and no caching of data', async () => {
    const res = await fetch(`${server.url}/?range=all`, { headers: { origin: 'https://evil.example' } });
    const html = await res.text();
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts.length).toBe(2);
    for (const tag of scripts) expect(tag).toMatch(/ src="\/assets\/[^"]+"/);
    // Real tags only: escaped text (an XSS user id shown as text) starts with &lt;, not <.
    expect(html).not.toMatch(/<style\b|<[a-z][^>]*\s(style|on[a-z]+)=/i);
    const preflight = await fetch(`${server.url}/overview.json`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
    expect(preflight.status).toBe(405);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('every number cell carries its exact value; links keep the filters; rows drill down', async () => {
    const { html } = await page('/users?range=all&provider=openai');
    const top = await store.top({ by: 'user', provider: 'openai', limit: 50 });
    expect(html).toContain(`<a href="/users/alice?range=all&amp;provider=openai">alice</a>`);
    for (const row of top) expect(html).toContain(`data-col="requests" data-value="${row.requests}"`);
    expect(html).toContain('href="/sessions?range=all&amp;provider=openai"');
    expect(html).toContain('aria-sort="descending"');
  });

  it('says what to do when a range or a detail has no calls', async () => {
    const empty = await page('/?from=2001-01-01&to=2001-01-31');
    expect(empty.status).toBe(200);
    expect(empty.html).toContain('No calls in this range. Pick a longer range (All time) or clear the filters.');
    const none = await page('/users/nobody?range=all');
    expect(none.status).toBe(404);
    expect(none.html).toContain('No calls for user &quot;nobody&quot; with these filters.');
  });
});

describe('bad requests', () => {
  it('a bad filter is a 400 naming the parameter and the valid values', async () => {
    const cases: Array<[string, string, string]> = [
      ['/?range=yesterday', 'range', 'valid: today, 7d, 30d, 90d, all'],
      ['/users.json?sort=cost', 'sort', 'valid: costUsd, totalTokens, inputTokens, outputTokens, requests'],
      ['/overview.json?bucket=year', 'bucket', 'valid: hour, day, week, month'],
      ['/overview.json?from=2025-02-30', 'from', 'ISO-8601'],
      ['/overview.json?from=2025-02-10&to=2025-02-01', 'to', 'must be after'],
      ['/overview.json?usr=alice', 'usr', 'valid: range, from, to'],
      ['/overview.json?tag=feature', 'tag', 'key=value'],
      ['/overview.json?user=a&user=b', 'user', 'once'],
      [`/overview.json?user=${'x'.repeat(600)}`, 'user', 'longer than 512'],
      ['/overview.json?user=a%00b', 'user', 'NUL'],
    ];
    for (const [path, param, text] of cases) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status, path).toBe(400);
      const body = path.startsWith('/?') ? { parameter: param, error: await res.text() } : ((await res.json()) as { parameter: string; error: string });
      expect(body.parameter, path).toBe(param);
      expect(body.error, path).toContain(text);
    }
  });

  it('is read-only, answers only loopback host names, and serves only its own assets', async () => {
    for (const method of ['POST', 'PUT', 'DELETE']) expect((await fetch(`${server.url}/users`, { method })).status).toBe(405);
    const rebound = await new Promise<number>((resolve, reject) => {
      import('node:http').then(({ request }) => {
        const req = request(`${server.url}/overview.json`, { headers: { host: 'evil.example:4320' } }, (res) => (res.resume(), resolve(res.statusCode ?? 0)));
        req.on('error', reject);
        req.end();
      }, reject);
    });
    expect(rebound).toBe(421);
    const js = await fetch(`${server.url}/assets/uPlot.iife.min.js?v=1`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const etag = js.headers.get('etag') as string;
    expect((await fetch(`${server.url}/assets/uPlot.iife.min.js`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    for (const path of ['/assets/..%2Fpackage.json', '/assets/explorer.ts', '/assets/constructor', '/nope', '/users/a/b']) expect((await fetch(`${server.url}${path}`)).status, path).toBe(404);
  });
});
