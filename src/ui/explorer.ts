import type { IncomingMessage, ServerResponse } from 'node:http';
import { loadBudgetsFile } from '../budgets/parse-budgets.js';
import { StoreNotFoundError, StoreError, StoreQueryError } from '../store/errors.js';
import type { UsageStore } from '../store/usage-store.js';
import { asset } from './assets.js';
import { loopbackHost, presentedToken, type ExplorerAuth, type Viewer } from './auth.js';
import { html } from './html.js';
import { loginPage, messagePage, shell } from './layout.js';
import { handleLogin, handleLogout } from './login.js';
import { SECTIONS, type Page, type PageContext, type PageResult } from './page.js';
import { budgetsPage } from './pages/budgets.js';
import { dimensionPages } from './pages/dimensions.js';
import { overviewPage } from './pages/overview.js';
import { runPages } from './pages/runs.js';
import { readOnlyView } from './reader.js';
import { redirect, securityHeaders, sendBody, sendHtml, sendJson } from './respond.js';
import { tableCsv, tableJsonl } from './table.js';
import { ViewError, href, parseView, type View } from './view.js';

export interface ExplorerOptions {
  /** Opens the store (read-only) on first use; called again after a failure, so a store created later is picked up. */
  openStore: () => Promise<UsageStore>;
  /** The store as shown to people (password redacted). */
  storeLabel: string;
  /** Token checks (the collector). Without them the explorer only answers to loopback host names. */
  auth?: ExplorerAuth;
  /** A budgets file (YAML or JSON), read on each visit to /budgets. */
  budgetsFile?: string;
  /** Where unexpected errors are logged; never given a token. */
  log?: (message: string) => void;
  /** Clock, for tests. */
  now?: () => Date;
}

type Format = 'html' | 'json' | 'csv' | 'jsonl';
const PAGES: Page[] = [overviewPage, ...dimensionPages, ...runPages, budgetsPage];
const SECTION_IDS = new Set<string>(SECTIONS.map(([id]) => id));

/** Every path the explorer answers, in the collector's `:param` route syntax. */
export const EXPLORER_PATHS: readonly string[] = ['/', '/login', '/logout', '/assets/:file', '/overview', ...SECTIONS.slice(1).flatMap(([id]) => [`/${id}`, `/${id}/:id`]), ...SECTIONS.flatMap(([id]) => ['json', 'csv', 'jsonl'].map((f) => `/${id}.${f}`))];

/**
 * The spend explorer: server-rendered pages over a usage store, the same URL with `.json`,
 * `.csv` or `.jsonl` for the data behind it. Served by `genai-usage ui` and by the collector.
 */
export class Explorer {
  #store: Promise<UsageStore> | undefined;
  private readonly now: () => Date;
  private readonly log: (message: string) => void;

  constructor(private readonly options: ExplorerOptions) {
    this.now = options.now ?? (() => new Date());
    this.log = options.log ?? ((message) => process.stderr.write(`genai-usage ui: ${message}\n`));
  }

  /** Answers one request; never throws. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      await this.route(req, res);
    } catch (error) {
      this.log(`internal error on ${req.method} ${(req.url ?? '').split('?')[0]}: ${(error as Error)?.stack ?? String(error)}`);
      sendHtml(res, 500, messagePage({ title: 'Error', storeLabel: this.options.storeLabel, message: 'Something went wrong on the server; the error is in its log.' }).value);
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://explorer.invalid');
    const segments = url.pathname.split('/').filter(Boolean);
    if (!this.options.auth && !loopbackHost(req)) {
      return sendBody(res, 421, 'text/plain; charset=utf-8', 'This explorer answers only to localhost / 127.0.0.1 (it has no sign-in).\n');
    }
    if (segments[0] === 'assets' && segments.length === 2 && req.method === 'GET') return this.serveAsset(req, res, segments[1] as string);
    if (url.pathname === '/login' || url.pathname === '/logout') {
      if (!this.options.auth) return redirect(res, '/');
      if (url.pathname === '/logout') return req.method === 'POST' ? handleLogout(req, res) : sendBody(res, 405, 'text/plain; charset=utf-8', 'use POST\n', { allow: 'POST' });
      if (req.method === 'POST') return handleLogin(req, res, this.options.auth, this.options.storeLabel);
      if (req.method === 'GET') return sendHtml(res, 200, loginPage({ storeLabel: this.options.storeLabel, next: url.searchParams.get('next') ?? '/' }).value);
    }
    if (req.method !== 'GET') return sendBody(res, 405, 'text/plain; charset=utf-8', 'the explorer is read-only: use GET\n', { allow: 'GET' });
    const target = resolvePath(segments);
    if (!target) return this.notFound(res, url);
    const viewer = this.viewer(req);
    if (viewer === 'anonymous' || viewer === 'no-read') {
      const next = `${url.pathname}${url.search}`;
      const status = viewer === 'anonymous' ? 401 : 403;
      const message = viewer === 'anonymous' ? (presentedToken(req) ? 'That token is not valid (it may have been revoked): sign in again.' : undefined) : 'This token lacks the read scope.';
      if (target.format !== 'html') return sendJson(res, status, { error: message ?? 'sign in: send Authorization: Bearer <token with the read scope>' }, status === 401 ? { 'www-authenticate': 'Bearer realm="genai-usage-collector"' } : {});
      return sendHtml(res, status, loginPage({ storeLabel: this.options.storeLabel, next, message }).value);
    }
    await this.servePage(res, url, target, viewer);
  }

  /** The viewer, 'anonymous' (no or a bad token) or 'no-read'; undefined when there is no sign-in. */
  private viewer(req: IncomingMessage): Viewer | 'anonymous' | 'no-read' | undefined {
    const auth = this.options.auth;
    if (!auth) return undefined;
    const token = presentedToken(req);
    const viewer = token ? auth.authenticate(token) : undefined;
    if (!viewer) return 'anonymous';
    return viewer.canRead ? viewer : 'no-read';
  }

  private async servePage(res: ServerResponse, url: URL, target: Target, viewer: Viewer | undefined): Promise<void> {
    const signedIn = viewer?.name;
    const label = this.options.storeLabel;
    let view: View;
    let result: PageResult;
    try {
      view = parseView(url.searchParams, this.now());
      const store = readOnlyView(await this.store(), viewer?.tenant);
      const ctx: PageContext = { store, view, path: target.path, id: target.id, now: this.now(), budgets: target.page.section === 'budgets' ? this.budgets() : undefined };
      result = await target.page.load(ctx);
    } catch (error) {
      const bad = error instanceof ViewError ? { param: error.param, message: error.message } : error instanceof StoreQueryError ? { param: error.key, message: error.message } : undefined;
      if (bad) {
        if (target.format !== 'html') return sendJson(res, 400, { error: bad.message, parameter: bad.param });
        return sendHtml(res, 400, messagePage({ title: 'Bad filter', storeLabel: label, signedIn, path: target.path, message: html`<p>${bad.message}</p><p><a href="${target.path}">Reset the filters</a></p>` }).value);
      }
      if (error instanceof StoreError) {
        const missing = error instanceof StoreNotFoundError;
        if (!missing) this.log(`store error: ${error.message}`);
        if (target.format !== 'html') return sendJson(res, 503, { error: error.message });
        const message = missing
          ? html`<p>${error.message}.</p><p>Record some calls first: start your app with <code>startUsageTracking({ store: '…' })</code> (or <code>node --import genai-usage/register</code> with <code>GENAI_USAGE_STORE</code>), or try <code>npx genai-usage demo</code>. Then reload this page.</p>`
          : html`<p>The store cannot be read: ${error.message}</p><p>Reload once it is back.</p>`;
        return sendHtml(res, 503, messagePage({ title: missing ? 'No usage store yet' : 'Store unavailable', storeLabel: label, signedIn, message }).value);
      }
      throw error;
    }
    const status = result.status ?? 200;
    if (target.format === 'json') {
      return sendJson(res, status, { page: target.page.section, ...(target.id !== undefined ? { id: target.id } : {}), filter: result.filtered === false ? undefined : viewJson(view), ...result.data });
    }
    if (target.format === 'csv' || target.format === 'jsonl') {
      const table = view.table === undefined ? result.tables[0] : result.tables.find((t) => t.name === view.table);
      if (!table) {
        const names = result.tables.map((t) => t.name);
        return sendJson(res, result.tables.length ? 400 : 404, { error: names.length ? `unknown table ${JSON.stringify(view.table)}; valid: ${names.join(', ')}` : 'this page has no table to export', parameter: 'table' });
      }
      const file = `${target.page.section}-${table.name}.${target.format}`;
      const type = target.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8';
      return sendBody(res, status, type, target.format === 'csv' ? tableCsv(table) : tableJsonl(table), { 'content-disposition': `attachment; filename="${file}"` });
    }
    const exportsOf = (table: string): { csv: string; jsonl: string } => ({
      csv: href(`${target.path === '/' ? '/overview' : target.path}.csv`, view, { table }, true),
      jsonl: href(`${target.path === '/' ? '/overview' : target.path}.jsonl`, view, { table }, true),
    });
    const jsonHref = href(`${target.path === '/' ? '/overview' : target.path}.json`, view, {}, true);
    const page = shell({ title: result.title, section: result.section, view: result.filtered === false ? undefined : view, path: target.path, storeLabel: label, signedIn, jsonHref, body: result.body(exportsOf) });
    sendHtml(res, status, page.value);
  }

  private serveAsset(req: IncomingMessage, res: ServerResponse, name: string): void {
    const found = asset(name);
    if (!found) return void sendBody(res, 404, 'text/plain; charset=utf-8', 'no such asset\n');
    const headers = { ...securityHeaders(), etag: found.etag, 'cache-control': 'public, max-age=86400' };
    if (req.headers['if-none-match'] === found.etag) {
      res.writeHead(304, headers);
      return void res.end();
    }
    res.writeHead(200, { ...headers, 'content-type': found.contentType, 'content-length': String(found.body.length) });
    res.end(found.body);
  }

  private notFound(res: ServerResponse, url: URL): void {
    sendHtml(res, 404, messagePage({ title: 'Not found', storeLabel: this.options.storeLabel, message: html`<p>There is no page at ${url.pathname}.</p><p><a href="/">Go to the overview</a></p>` }).value);
  }

  private store(): Promise<UsageStore> {
    const opening = (this.#store ??= this.options.openStore());
    // A failed open is not cached: the next request tries again (the store may appear later).
    opening.catch(() => {
      if (this.#store === opening) this.#store = undefined;
    });
    return opening;
  }

  private budgets(): PageContext['budgets'] {
    const file = this.options.budgetsFile;
    if (!file) return undefined;
    try {
      return { budgets: loadBudgetsFile(file), file };
    } catch (error) {
      return { error: (error as Error).message, file };
    }
  }

  /** Closes the store if the explorer opened it. */
  async close(): Promise<void> {
    const opening = this.#store;
    this.#store = undefined;
    if (opening) await opening.then((s) => s.close(), () => undefined);
  }
}

interface Target {
  page: Page;
  format: Format;
  /** The page path without format suffix. */
  path: string;
  id?: string;
}

/** `/users/alice.json` → the users detail page for "alice" as JSON; undefined for an unknown path. */
function resolvePath(rawSegments: string[]): Target | undefined {
  const segments = [...rawSegments];
  let format: Format = 'html';
  const last = segments[segments.length - 1];
  const suffix = last ? /^(.+)\.(json|csv|jsonl)$/.exec(last) : null;
  if (suffix) {
    segments[segments.length - 1] = suffix[1] as string;
    format = suffix[2] as Format;
  }
  let decoded: string[];
  try {
    decoded = segments.map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
  if (decoded.length === 0 || (decoded.length === 1 && decoded[0] === 'overview')) {
    return format === 'html' || decoded.length === 1 ? { page: overviewPage, format, path: '/' } : undefined;
  }
  const [section, id, ...rest] = decoded;
  if (rest.length > 0 || !SECTION_IDS.has(section as string) || section === 'overview') return undefined;
  const kind = id === undefined ? 'list' : 'detail';
  const page = PAGES.find((p) => p.section === section && p.kind === kind);
  if (!page || (id !== undefined && id === '')) return undefined;
  return { page, format, path: id === undefined ? `/${section}` : `/${section}/${rawSegments[1]?.replace(/\.(json|csv|jsonl)$/, '')}`, id };
}

/** The view as the JSON echoes it: the exact instants the numbers are for. */
function viewJson(view: View): Record<string, unknown> {
  return {
    range: view.range,
    from: view.from?.toISOString() ?? null,
    to: view.to?.toISOString() ?? null,
    bucket: view.bucket,
    user: view.user ?? null,
    agent: view.agent ?? null,
    model: view.model ?? null,
    provider: view.provider ?? null,
    tags: view.tags,
  };
}
