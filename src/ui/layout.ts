import { VERSION } from '../version.js';
import { html, type HtmlPart, type SafeHtml } from './html.js';
import { SECTIONS, type Section } from './page.js';
import { RANGES, RANGE_LABELS, hasFilters, href, type View } from './view.js';
import * as fmt from './format.js';

const ASSET = (name: string): string => `/assets/${name}?v=${VERSION}`;

export interface ShellOptions {
  title: string;
  section?: Section;
  /** The view, when the page takes the shared filters (the filter bar is shown). */
  view?: View;
  /** The page's own path, for the filter form and links. */
  path: string;
  /** Shown in the footer: which store is read (password redacted). */
  storeLabel: string;
  /** Who is signed in; a sign-out button when set. */
  signedIn?: string;
  /** The `.json` of this page. */
  jsonHref?: string;
  body: HtmlPart;
}

/** The whole document around a page body. */
export function shell(o: ShellOptions): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<link rel="icon" href="data:,">
<title>${o.title} · genai-usage</title>
<link rel="stylesheet" href="${ASSET('uPlot.min.css')}">
<link rel="stylesheet" href="${ASSET('explorer.css')}">
<script src="${ASSET('uPlot.iife.min.js')}" defer></script>
<script src="${ASSET('explorer.js')}" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
<div class="brand"><a href="${o.view ? href('/', o.view) : '/'}">genai-usage</a> <span class="muted">spend explorer</span></div>
${o.section ? nav(o.section, o.view) : ''}
${o.signedIn ? html`<form method="post" action="/logout" class="signout"><span class="muted">${o.signedIn}</span> <button type="submit">Sign out</button></form>` : ''}
</header>
${o.view ? filterBar(o.view, o.path) : ''}
<main id="main" tabindex="-1">
<div class="page-head"><h1>${o.title}</h1>${o.jsonHref ? html`<p class="exports"><a href="${o.jsonHref}">JSON</a> of this page</p>` : ''}</div>
${o.body}
</main>
<footer><p class="muted">Read-only view of ${o.storeLabel}. Times in UTC. genai-usage ${VERSION}.</p></footer>
</body>
</html>
`;
}

function nav(active: Section, view: View | undefined): SafeHtml {
  return html`<nav aria-label="Pages"><ul>${SECTIONS.map(([id, label, path]) => {
    const link = view && id !== 'budgets' ? href(path, view) : path;
    return html`<li><a href="${link}"${id === active ? html` aria-current="page"` : ''}>${label}</a></li>`;
  })}</ul></nav>`;
}

function filterBar(view: View, path: string): SafeHtml {
  const custom = view.range === 'custom';
  const toInclusive = view.to ? new Date(view.to.getTime() - 1).toISOString().slice(0, 10) : '';
  const dateValue = (d: Date | undefined, text: string | null): string => (text && /^\d{4}-\d{2}-\d{2}$/.test(text) ? text : d ? d.toISOString().slice(0, 10) : '');
  const chips: Array<[string, string, Record<string, string[] | undefined>]> = [];
  if (view.user !== undefined) chips.push(['User', view.user, { user: undefined }]);
  if (view.agent !== undefined) chips.push(['Agent', view.agent, { agent: undefined }]);
  if (view.model !== undefined) chips.push(['Model', view.model, { model: undefined }]);
  if (view.provider !== undefined) chips.push(['Provider', view.provider, { provider: undefined }]);
  for (const tag of view.tags) chips.push(['Tag', tag, { tag: view.tags.filter((t) => t !== tag) }]);
  return html`<section class="filters" aria-label="Filters">
<div class="ranges" role="group" aria-label="Time range">${RANGES.map(
    (r) => html`<a href="${href(path, view, { range: r })}"${view.range === r ? html` aria-current="true"` : ''}>${RANGE_LABELS[r]}</a>`,
  )}${custom ? html`<span class="custom" aria-current="true">${view.from ? fmt.utc(view.from).slice(0, 10) : '…'} – ${view.to ? toInclusive : 'now'}</span>` : ''}</div>
<details class="filter-more" open><summary>Filters${chips.length ? ` (${chips.length} active)` : ''}</summary>
<form method="get" action="${path}" class="filter-form">
${!custom ? html`<input type="hidden" name="range" value="${view.range}">` : ''}
${view.sort ? html`<input type="hidden" name="sort" value="${view.sort}">` : ''}
<label>From <input type="date" name="from" value="${custom ? dateValue(view.from, view.params.get('from')) : ''}"></label>
<label>To (incl.) <input type="date" name="to" value="${custom && view.to ? dateValue(undefined, view.params.get('to')) || toInclusive : ''}"></label>
<label>Buckets <select name="bucket">${[['', 'Auto'], ['hour', 'Hours'], ['day', 'Days'], ['week', 'Weeks'], ['month', 'Months']].map(
    ([value, label]) => html`<option value="${value}"${(view.bucketSet ? view.bucket : '') === value ? html` selected` : ''}>${label}</option>`,
  )}</select></label>
<label>User <input name="user" value="${view.user ?? ''}" autocomplete="off"></label>
<label>Agent <input name="agent" value="${view.agent ?? ''}" autocomplete="off"></label>
<label>Model <input name="model" value="${view.model ?? ''}" autocomplete="off"></label>
<label>Provider <input name="provider" value="${view.provider ?? ''}" autocomplete="off"></label>
${view.tags.map((tag) => html`<label>Tag <input name="tag" value="${tag}" autocomplete="off"></label>`)}
<label>Tag <input name="tag" value="" placeholder="key=value" autocomplete="off"></label>
<button type="submit">Apply</button>
${hasFilters(view) || custom ? html`<a href="${path}">Clear</a>` : ''}
</form></details>
${chips.length ? html`<ul class="chips" aria-label="Active filters">${chips.map(
    ([label, value, change]) => html`<li>${label}: <strong>${value}</strong> <a href="${href(path, view, change)}" aria-label="Remove filter ${label} ${value}">✕</a></li>`,
  )}</ul>` : ''}
</section>`;
}

/** Headline numbers: a label, a display value and its exact value. */
export function cards(items: ReadonlyArray<{ label: string; text: string; value?: number | null; note?: string; id?: string }>): SafeHtml {
  return html`<dl class="cards">${items.map(
    (c) => html`<div class="card"${c.id ? html` data-card="${c.id}"` : ''}><dt>${c.label}</dt><dd${typeof c.value === 'number' ? html` data-value="${String(c.value)}"` : ''}>${c.text}</dd>${c.note ? html`<dd class="note">${c.note}</dd>` : ''}</div>`,
  )}</dl>`;
}

/** The sign-in page: a token in a POST body, never in a URL. */
export function loginPage(o: { storeLabel: string; next: string; message?: string }): SafeHtml {
  return shell({
    title: 'Sign in',
    path: '/login',
    storeLabel: o.storeLabel,
    body: html`<form method="post" action="/login" class="login">
<p>This collector needs a token with the <code>read</code> scope. It is kept in an HttpOnly cookie for this browser session.</p>
${o.message ? html`<p class="error" role="alert">${o.message}</p>` : ''}
<input type="hidden" name="next" value="${o.next}">
<label>Token <input type="password" name="token" autocomplete="current-password" required autofocus></label>
<button type="submit">Sign in</button>
</form>`,
  });
}

/** A page that explains what went wrong and what to do. */
export function messagePage(o: { title: string; storeLabel: string; message: HtmlPart; path?: string; signedIn?: string }): SafeHtml {
  return shell({ title: o.title, path: o.path ?? '/', storeLabel: o.storeLabel, signedIn: o.signedIn, section: 'overview', body: html`<div class="message" role="alert">${o.message}</div>` });
}
