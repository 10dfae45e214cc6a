// The explorer in a real browser (headless Chromium) over a store filled by the tracked demo
// workload: pages load without console errors or CSP violations, charts draw, numbers equal
// the store API, filters and drill-downs work by mouse and keyboard, hostile ids stay text,
// and the collector's pages need a sign-in. Screenshots go to GENAI_USAGE_UI_SCREENSHOTS
// (docs/ui to refresh the README's) or to a temp dir.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** The page's DOM inside page.evaluate callbacks (the tests compile without the DOM lib). */
declare const document: any;
declare const window: any;
import { openStore, type UsageStore } from '../../src/index.js';
import { detailPath } from '../../src/ui/page.js';
import { startExplorerServer, type RunningExplorer } from '../../src/ui/ui-server.js';
import { startTestCollector, token, type TestCollector } from '../collector/harness.js';
import { chromiumSkipReason, collectProblems, launchChromium, type Browser } from './browser.js';
import { historyStore } from './history.js';
import { XSS_USER, recordWorkloadStore, type WorkloadStore } from './workload.js';

const skip = chromiumSkipReason();
const READ = token('browser-read', ['read']);
const INGEST = token('browser-ingest', ['ingest']);
const shots = process.env['GENAI_USAGE_UI_SCREENSHOTS'] ? resolve(process.env['GENAI_USAGE_UI_SCREENSHOTS']) : mkdtempSync(join(tmpdir(), 'genai-usage-ui-shots-'));
const SLOW = 180_000;

let workload: WorkloadStore;
let history: { url: string; cleanup(): void };
let ui: RunningExplorer;
let historyUi: RunningExplorer;
let collector: TestCollector;
let store: UsageStore;
let browser: Browser;

describe.skipIf(skip !== undefined)('the explorer in Chromium', () => {
  beforeAll(async () => {
    workload = await recordWorkloadStore('genai-usage-ui-browser-');
    const budgets = join(workload.dir, 'budgets.yaml');
    writeFileSync(
      budgets,
      [
        'budgets:',
        '  - { name: org-monthly, limit: { costUsd: 5 }, period: monthly, warnAt: [0.8] }',
        '  - { name: per-user-daily, limit: { costUsd: 0.004 }, period: daily, scope: { user: each }, enforce: hard }',
        '  - { name: agent-calls-weekly, limit: { requests: 30 }, period: weekly, scope: { agent: each } }',
        '',
      ].join('\n'),
    );
    ui = await startExplorerServer({ store: workload.url, port: 0, budgetsFile: budgets, log: () => undefined });
    history = await historyStore(workload);
    historyUi = await startExplorerServer({ store: history.url, port: 0, budgetsFile: budgets, log: () => undefined });
    collector = await startTestCollector(workload.url, { tokens: [READ, INGEST] });
    store = await openStore(workload.url, { readOnly: true });
    browser = await launchChromium();
    mkdirSync(shots, { recursive: true });
  }, SLOW);

  afterAll(async () => {
    await browser?.close();
    await Promise.all([ui?.close(), historyUi?.close(), collector?.close(), store?.close()]);
    workload?.cleanup();
    history?.cleanup();
    if (!process.env['GENAI_USAGE_UI_SCREENSHOTS']) rmSync(shots, { recursive: true, force: true });
  });

  async function open(path: string, base = ui.url, width = 1280): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width, height: width < 500 ? 844 : 900 });
    const problems = collectProblems(page);
    await page.goto(`${base}${path}`);
    return { page, problems };
  }

  const dataValue = async (page: Page, selector: string): Promise<number> => Number(await page.locator(selector).first().getAttribute('data-value'));

  it('every page loads without console errors or CSP violations, at 1280 and 390 px, and draws its charts', async () => {
    const [firstTrace] = await store.top({ by: 'trace', limit: 1 });
    const pages: Array<[string, string]> = [
      ['overview', '/'],
      ['users', '/users'],
      ['user-detail', '/users/alice'],
      ['agents', '/agents'],
      ['models', '/models'],
      ['providers', '/providers'],
      ['sessions', '/sessions'],
      ['session-detail', '/sessions/s-alice-1-0'],
      ['traces', '/traces'],
      ['trace-detail', detailPath('traces', firstTrace?.trace as string)],
      ['budgets', '/budgets'],
    ];
    for (const width of [1280, 390]) {
      for (const [name, path] of pages) {
        const { page, problems } = await open(path, ui.url, width);
        await page.waitForLoadState('load');
        expect(problems, `${name} at ${width}px`).toEqual([]);
        expect(await page.locator('h1').count(), name).toBe(1);
        // The page itself never scrolls sideways; wide tables scroll inside their own region.
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, `${name} at ${width}px overflows by ${overflow}px`).toBeLessThanOrEqual(1);
        if (name === 'overview' || name === 'user-detail') expect(await page.locator('figure.chart .uplot').count(), name).toBe(2);
        await page.close();
      }
    }
  }, SLOW);

  it('shows the store API totals, and the filters change them', async () => {
    const { page, problems } = await open('/?range=all');
    const [all] = await store.aggregate({});
    expect(await dataValue(page, '[data-card="requests"] dd')).toBe(all?.requests);
    expect(await dataValue(page, '[data-card="cost"] dd')).toBe(all?.costUsd);
    await page.getByLabel('User', { exact: true }).fill('carol');
    await page.getByLabel('User', { exact: true }).press('Enter');
    await page.waitForURL(/user=carol/);
    const [carol] = await store.aggregate({ userId: 'carol' });
    expect(await dataValue(page, '[data-card="requests"] dd')).toBe(carol?.requests);
    expect(await dataValue(page, '[data-card="cost"] dd')).toBe(carol?.costUsd);
    expect(carol?.requests).toBeLessThan(all?.requests ?? 0);
    await page.getByRole('link', { name: 'Today' }).click();
    await page.waitForURL(/range=today/);
    expect(page.url()).toContain('user=carol');
    await page.getByRole('link', { name: 'Remove filter User carol' }).click();
    await page.waitForURL((url) => !url.search.includes('user='));
    expect(await dataValue(page, '[data-card="requests"] dd')).toBe(all?.requests);
    expect(problems).toEqual([]);
    await page.close();
  }, SLOW);

  it('drills down: users → a user → a session → a trace, each call in order', async () => {
    const { page, problems } = await open('/users?range=all');
    await page.getByRole('link', { name: 'alice', exact: true }).click();
    await page.waitForURL(/\/users\/alice\?range=all/);
    expect(await page.locator('h1').textContent()).toBe('User: alice');
    const [alice] = await store.aggregate({ userId: 'alice' });
    expect(await dataValue(page, '[data-card="requests"] dd')).toBe(alice?.requests);
    await page.locator('table[data-table="sessions"] tbody a').first().click();
    await page.waitForURL(/\/sessions\/s-alice-/);
    const sessionId = decodeURIComponent(new URL(page.url()).pathname.split('/')[2] as string);
    const calls = await store.records({ sessionId, order: 'asc', limit: 500 });
    const rows = page.locator('table[data-table="calls"] tbody tr');
    expect(await rows.count()).toBe(calls.length);
    expect(await rows.first().locator('th').textContent()).toBe(`${calls[0]?.recordedAt.toISOString().slice(0, 19).replace('T', ' ')} UTC`);
    expect(await page.locator('table[data-table="calls"] [data-col="agents"]').allTextContents()).toContain('Triage > Billing');
    await rows.first().locator('[data-col="traceId"] a').click();
    await page.waitForURL(/\/traces\//);
    const traceId = decodeURIComponent(new URL(page.url()).pathname.split('/')[2] as string);
    expect(await page.locator('table[data-table="calls"] tbody tr').count()).toBe((await store.records({ traceId, limit: 500 })).length);
    expect(problems).toEqual([]);
    await page.close();
  }, SLOW);

  it('renders a hostile user id as text: no markup, no script, and its link still works', async () => {
    const { page, problems } = await open('/users?range=all');
    const link = page.locator('table[data-table="users"] tbody th a').filter({ hasText: 'pwned-user' });
    expect(await link.textContent()).toBe(XSS_USER);
    expect(await page.evaluate(() => document.querySelectorAll('img, svg:not(.uplot svg), script:not([src])').length)).toBe(0);
    await link.click();
    await page.waitForURL(/\/users\//);
    expect(await page.locator('h1').textContent()).toBe(`User: ${XSS_USER}`);
    expect(await page.title()).toBe(`User: ${XSS_USER} · genai-usage`);
    expect(problems).toEqual([]);
    await page.close();
  }, SLOW);

  it('works from the keyboard: skip link, "/" to the filters, Enter on links', async () => {
    const { page, problems } = await open('/?range=all');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    let reached = false;
    for (let i = 0; i < 12 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = (await page.evaluate(() => document.activeElement?.textContent)) === 'Users';
    }
    expect(reached).toBe(true);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/users\?range=all/);
    await page.keyboard.press('/');
    expect(await page.evaluate(() => document.activeElement?.name)).toBe('user');
    await page.keyboard.type('bob');
    await page.keyboard.press('Enter');
    await page.waitForURL(/user=bob/);
    expect(await page.locator('table[data-table="users"] tbody tr').count()).toBe(1);
    expect(problems).toEqual([]);
    await page.close();
  }, SLOW);

  it("the collector's explorer: no or a wrong token gets the login page; a read token signs in to an HttpOnly cookie", async () => {
    const page = await browser.context.newPage();
    await page.goto(`${collector.url}/users?range=all`);
    expect(await page.locator('h1').textContent()).toBe('Sign in');
    await page.getByLabel('Token').fill('tok-wrong-0123456789abcdef');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForLoadState('load');
    expect(await page.locator('.error').textContent()).toBe('That token is not valid.');
    await page.getByLabel('Token').fill(INGEST.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.locator('.error').textContent()).toContain('lacks the read scope');
    await page.getByLabel('Token').fill(READ.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${collector.url}/users?range=all`);
    expect(await page.locator('h1').textContent()).toBe('Users');
    expect(page.url()).not.toContain(READ.token);
    const cookie = (await browser.context.cookies(collector.url)).find((c) => c.name === 'genai_usage_token');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(await page.evaluate(() => document.cookie)).not.toContain('genai_usage_token');
    await page.screenshot({ path: join(shots, 'signed-in.png') });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login$/);
    await page.goto(`${collector.url}/users?range=all`);
    expect(await page.locator('h1').textContent()).toBe('Sign in');
    await page.screenshot({ path: join(shots, 'login.png') });
    await page.close();
  }, SLOW);

  it('says EXCEEDED and warning in words on the budgets page, beside the bars', async () => {
    const { page, problems } = await open('/budgets');
    const statuses = (await (await fetch(`${ui.url}/budgets.json`)).json()) as { budgets: Array<{ budget: string; exceeded: boolean }> };
    const exceeded = statuses.budgets.filter((s) => s.exceeded).length;
    expect(exceeded).toBeGreaterThan(0);
    expect(await page.locator('tr.exceeded').count()).toBe(exceeded);
    for (const text of await page.locator('tr.exceeded td strong').allTextContents()) expect(text).toBe('EXCEEDED');
    expect(await page.locator('meter').count()).toBe(statuses.budgets.length);
    expect(problems).toEqual([]);
    await page.close();
  }, SLOW);

  it('screenshots of each page (two weeks of the workload replayed), 1280 px and 390 px', async () => {
    const replayed = await openStore(history.url, { readOnly: true });
    const [firstTrace] = await replayed.top({ by: 'trace', limit: 1 });
    await replayed.close();
    const shotsOf: Array<[string, string, number, boolean]> = [
      ['overview', '/?range=30d', 1280, true],
      ['users', '/users', 1280, false],
      ['user-detail', '/users/alice', 1280, true],
      ['agents', '/agents', 1280, false],
      ['models', '/models', 1280, false],
      ['sessions', '/sessions', 1280, false],
      ['session-detail', '/sessions/s-alice-1-0', 1280, false],
      ['traces', '/traces', 1280, false],
      ['trace-detail', detailPath('traces', firstTrace?.trace as string), 1280, false],
      ['budgets', '/budgets', 1280, false],
      ['overview-390', '/?range=30d', 390, false],
      ['session-detail-390', '/sessions/s-alice-1-0', 390, false],
    ];
    for (const [name, path, width, full] of shotsOf) {
      const { page, problems } = await open(path, historyUi.url, width);
      await page.waitForLoadState('load');
      await page.screenshot({ path: join(shots, `${name}.png`), fullPage: full });
      expect(problems, name).toEqual([]);
      await page.close();
    }
  }, SLOW);
});
