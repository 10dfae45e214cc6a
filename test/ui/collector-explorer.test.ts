// The explorer inside the collector: a browser signs in with a read token (form POST, HttpOnly
// cookie, never a URL), each token sees only its tenant, and everything else gets the login page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type UsageStore } from '../../src/index.js';
import { exportSpans, expectSuccess, genAiSpans, otlpExporter, request, startTestCollector, tempDir, token, type TestCollector } from '../collector/harness.js';

const ACME_INGEST = token('acme-ingest', ['ingest'], 'acme');
const BETA_INGEST = token('beta-ingest', ['ingest'], 'beta');
const ACME_READ = token('acme-read', ['read'], 'acme');
const BETA_READ = token('beta-read', ['read'], 'beta');
const ADMIN = token('admin', ['read', 'metrics']);

let collector: TestCollector;
let store: UsageStore;
const tmp = tempDir('genai-usage-ui-collector-');

beforeAll(async () => {
  const url = `sqlite:${tmp.dir}/usage.db`;
  collector = await startTestCollector(url, { tokens: [ACME_INGEST, BETA_INGEST, ACME_READ, BETA_READ, ADMIN] });
  expectSuccess(await exportSpans(otlpExporter('json', collector.url, { token: ACME_INGEST.token }), genAiSpans([
    { model: 'gpt-4o-mini', input: 100, output: 20, user: 'acme-alice', agent: 'Triage', session: 's-a1', costUsd: 0.01 },
    { model: 'gpt-4o', input: 300, output: 60, user: 'acme-bob', agent: 'Billing', session: 's-a1', costUsd: 0.05 },
  ])));
  expectSuccess(await exportSpans(otlpExporter('protobuf', collector.url, { token: BETA_INGEST.token }), genAiSpans([
    { model: 'claude-haiku-4-5', provider: 'anthropic', input: 900, output: 90, user: 'beta-carol', agent: 'Research', session: 's-b1', costUsd: 0.2 },
  ])));
  store = await openStore(url, { readOnly: true });
});
afterAll(async () => {
  await collector?.close();
  await store?.close();
  tmp.cleanup();
});

function login(form: Record<string, string>, headers: Record<string, string> = {}): ReturnType<typeof request> {
  const host = new URL(collector.url).host;
  return request(collector.url, '/login', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: `http://${host}`, ...headers },
    body: new URLSearchParams(form).toString(),
  });
}

async function cookieFor(secret: string): Promise<string> {
  const res = await fetch(`${collector.url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: collector.url },
    body: new URLSearchParams({ token: secret, next: '/' }).toString(),
  });
  expect(res.status).toBe(303);
  return (res.headers.get('set-cookie') ?? '').split(';')[0] as string;
}

describe('sign-in', () => {
  it('a missing or wrong token gets the login page (HTML) or a 401 (data), never the data', async () => {
    const page = await request(collector.url, '/users?range=all');
    expect(page.status).toBe(401);
    expect(page.text).toContain('<form method="post" action="/login"');
    expect(page.text).toContain('name="next" value="/users?range=all"');
    expect(page.text).not.toContain('acme-alice');
    const data = await request(collector.url, '/users.json?range=all');
    expect(data.status).toBe(401);
    expect(data.headers.get('www-authenticate')).toContain('Bearer');
    const forged = await request(collector.url, '/users?range=all', { headers: { cookie: 'genai_usage_token=tok-not-a-real-token-000000' } });
    expect(forged.status).toBe(401);
    expect(forged.text).toContain('That token is not valid (it may have been revoked)');
    const wrong = await login({ token: 'tok-wrong-0123456789abcdef', next: '/' });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('That token is not valid.');
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const ingestOnly = await login({ token: ACME_INGEST.token, next: '/' });
    expect(ingestOnly.status).toBe(403);
    expect(ingestOnly.text).toContain('lacks the read scope');
  });

  it('a read token signs in: 303 to next, the token only in an HttpOnly SameSite=Strict cookie', async () => {
    const res = await fetch(`${collector.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: collector.url },
      body: new URLSearchParams({ token: ACME_READ.token, next: '/users?range=all' }).toString(),
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/users?range=all');
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toBe(`genai_usage_token=${ACME_READ.token}; Path=/; HttpOnly; SameSite=Strict`);
    const page = await request(collector.url, '/users?range=all', { headers: { cookie: cookie.split(';')[0] as string } });
    expect(page.status).toBe(200);
    expect(page.text).toContain('acme-alice');
    // No page ever links to a URL with the token in it.
    expect(page.text).not.toContain(ACME_READ.token);
    expect(page.text).toContain('<form method="post" action="/logout"');
  });

  it('refuses sign-in from another site, a token in the URL, and redirects only to local paths', async () => {
    expect((await login({ token: ACME_READ.token, next: '/' }, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await login({ token: ACME_READ.token, next: '/' }, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    const query = await request(collector.url, `/users.json?token=${ACME_READ.token}`);
    expect(query.status).toBe(401);
    for (const next of ['//evil.example/x', 'https://evil.example', '/\\evil.example']) {
      const res = await fetch(`${collector.url}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: collector.url },
        body: new URLSearchParams({ token: ACME_READ.token, next }).toString(),
      });
      expect(res.headers.get('location'), next).toBe('/');
    }
  });

  it('sign-out forgets the cookie', async () => {
    const res = await fetch(`${collector.url}/logout`, { method: 'POST', redirect: 'manual', headers: { origin: collector.url, cookie: await cookieFor(ACME_READ.token) } });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login');
    expect(res.headers.get('set-cookie')).toContain('genai_usage_token=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0');
  });
});

describe('tenant isolation and the read scope', () => {
  it("each token's pages show only its tenant's records, whatever the URL asks for", async () => {
    const acme = await cookieFor(ACME_READ.token);
    const beta = await cookieFor(BETA_READ.token);
    const acmeOverview = await request(collector.url, '/overview.json?range=all', { headers: { cookie: acme } });
    expect(acmeOverview.json.totals).toEqual(JSON.parse(JSON.stringify((await store.aggregate({ tenant: 'acme' }))[0])));
    expect(acmeOverview.json.totals.requests).toBe(2);
    expect(acmeOverview.json.users.map((u: { user: string }) => u.user).sort()).toEqual(['acme-alice', 'acme-bob']);
    const betaUsers = await request(collector.url, '/users.json?range=all', { headers: { cookie: beta } });
    expect(betaUsers.json.users.map((u: { user: string }) => u.user)).toEqual(['beta-carol']);
    // Asking for another tenant's user or session finds nothing.
    expect((await request(collector.url, '/users/acme-alice.json?range=all', { headers: { cookie: beta } })).status).toBe(404);
    expect((await request(collector.url, '/sessions/s-a1?range=all', { headers: { cookie: beta } })).status).toBe(404);
    const acmeSession = await request(collector.url, '/sessions/s-a1.json?range=all', { headers: { cookie: acme } });
    expect(acmeSession.json.calls).toHaveLength(2);
    // A token without a tenant sees everything; a bearer header works for scripts.
    const admin = await request(collector.url, '/overview.json?range=all', { token: ADMIN.token });
    expect(admin.json.totals.requests).toBe(3);
  });

  it('keeps the collector API and ingest as they were', async () => {
    expect((await request(collector.url, '/api/v1/users', { token: ACME_READ.token })).json.users).toHaveLength(2);
    expect((await request(collector.url, '/v1/traces')).status).toBe(405);
    expect((await request(collector.url, '/api/v1/nope', { token: ACME_READ.token })).status).toBe(404);
  });
});

describe('without tokens (loopback only)', () => {
  it('the explorer is open, with no sign-in', async () => {
    const open = await startTestCollector(`sqlite:${tmp.dir}/usage.db`);
    try {
      const page = await request(open.url, '/users?range=all');
      expect(page.status).toBe(200);
      expect(page.text).toContain('beta-carol');
      expect(page.text).not.toContain('action="/logout"');
      expect((await fetch(`${open.url}/login`, { redirect: 'manual' })).status).toBe(303);
    } finally {
      await open.close();
    }
  });
});
