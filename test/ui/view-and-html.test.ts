import { describe, expect, it } from 'vitest';
import { escapeHtml, html, raw } from '../../src/ui/html.js';
import { detailPath, seriesOf } from '../../src/ui/page.js';
import { ViewError, filterOf, href, parseView } from '../../src/ui/view.js';

const NOW = new Date('2025-03-12T15:30:00Z');
const view = (query: string) => parseView(new URLSearchParams(query), NOW);

describe('html templates', () => {
  it('escape every interpolated string, in text and in attributes; markup only through html or raw', () => {
    const evil = `"'><script>alert(1)</script>&`;
    expect(html`<a title="${evil}">${evil}</a>`.value).toBe('<a title="&quot;&#39;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;">&quot;&#39;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;</a>');
    expect(html`<ul>${['<b>', html`<li>${'<i>'}</li>`]}</ul>`.value).toBe('<ul>&lt;b&gt;<li>&lt;i&gt;</li></ul>');
    expect(html`${null}${undefined}${false}${true}${0}${raw('<hr>')}`.value).toBe('0<hr>');
    expect(escapeHtml('a&b')).toBe('a&amp;b');
  });
});

describe('the view in the URL', () => {
  it('ranges are whole UTC days ending now; custom dates make "to" inclusive', () => {
    expect(view('')).toMatchObject({ range: '30d', from: new Date('2025-02-11T00:00:00Z'), to: undefined, bucket: 'day' });
    expect(view('range=today')).toMatchObject({ from: new Date('2025-03-12T00:00:00Z'), bucket: 'hour' });
    expect(view('range=7d').from).toEqual(new Date('2025-03-06T00:00:00Z'));
    expect(view('range=all')).toMatchObject({ from: undefined, bucket: 'day' });
    expect(view('from=2025-01-01&to=2025-01-31')).toMatchObject({ range: 'custom', from: new Date('2025-01-01T00:00:00Z'), to: new Date('2025-02-01T00:00:00Z'), bucket: 'day' });
    expect(view('from=2025-01-01T06:00:00Z&to=2025-01-01T18:00:00Z')).toMatchObject({ to: new Date('2025-01-01T18:00:00Z'), bucket: 'hour' });
    expect(view('from=2023-01-01&to=2025-01-01').bucket).toBe('week');
    expect(view('range=7d&bucket=month')).toMatchObject({ bucket: 'month', bucketSet: true });
  });

  it('maps to the store filter; empty form fields are ignored', () => {
    expect(filterOf(view('range=all&user=u-1&agent=&model=m&provider=p&tag=a%3Db&tag=c%3Dd'))).toEqual({ userId: 'u-1', model: 'm', provider: 'p', tags: ['a=b', 'c=d'] });
  });

  it('rejects what it cannot use, naming the parameter', () => {
    const bad = (query: string): ViewError => {
      try {
        view(query);
      } catch (error) {
        return error as ViewError;
      }
      throw new Error(`accepted ${query}`);
    };
    expect(bad('range=1y')).toMatchObject({ param: 'range' });
    expect(bad('offset=-1')).toMatchObject({ param: 'offset' });
    expect(bad('bucket=minute')).toMatchObject({ param: 'bucket' });
    expect(bad('to=2025-13-01')).toMatchObject({ param: 'to' });
    expect(bad(Array.from({ length: 11 }, (_, i) => `tag=k${i}%3Dv`).join('&'))).toMatchObject({ param: 'tag' });
  });

  it('writes links that keep the filters, drop paging, and swap range and dates', () => {
    const v = view('range=7d&user=a b&sort=requests&offset=50');
    expect(href('/users', v)).toBe('/users?range=7d&user=a+b');
    expect(href('/users', v, {}, true)).toBe('/users?range=7d&user=a+b&sort=requests&offset=50');
    expect(href('/', v, { user: undefined })).toBe('/?range=7d');
    const custom = view('from=2025-01-01&to=2025-01-02&model=x');
    expect(href('/', custom, { range: 'all' })).toBe('/?model=x&range=all');
  });
});

describe('paths and series', () => {
  it('encodes ids so a format suffix or a dot segment stays an id', () => {
    expect(detailPath('users', 'alice')).toBe('/users/alice');
    expect(detailPath('users', 'a/b c')).toBe('/users/a%2Fb%20c');
    expect(detailPath('users', 'x.json')).toBe('/users/x%2Ejson');
    expect(detailPath('users', '..')).toBe('/users/%2E%2E');
    expect(detailPath('models', 'gpt-4.1')).toBe('/models/gpt-4.1');
  });

  it('fills buckets without calls with zeros across the range, not beyond the data when unbounded', () => {
    const zero = { cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, cacheWrite1hTokens: 0, audioInputTokens: 0, audioOutputTokens: 0, imageInputTokens: 0, imageOutputTokens: 0, webSearchRequests: 0, cacheReadSavingsUsd: 0, cacheWritePremiumUsd: 0 };
    const row = (bucket: string, cost: number | null) => ({ ...zero, bucket, costUsd: cost, requests: 1, failures: 0, inputTokens: 10, outputTokens: 5, totalTokens: 15, unpricedRequests: 0, avgDurationMs: 1, p95DurationMs: 1 });
    const rows = [row('2025-03-10T00:00:00.000Z', 0.5), row('2025-03-12T00:00:00.000Z', null)];
    const bounded = seriesOf(rows, 'day', new Date('2025-03-09T00:00:00Z'), undefined, NOW);
    expect(bounded.x.map((x) => new Date(x * 1000).toISOString().slice(0, 10))).toEqual(['2025-03-09', '2025-03-10', '2025-03-11', '2025-03-12']);
    expect(bounded.cost).toEqual([0, 0.5, 0, 0]);
    const unbounded = seriesOf(rows, 'day', undefined, undefined, NOW);
    expect(unbounded.x).toHaveLength(3);
    const months = seriesOf([row('2025-01-01T00:00:00.000Z', 1), row('2025-03-01T00:00:00.000Z', 2)], 'month', undefined, undefined, NOW);
    expect(months.cost).toEqual([1, 0, 2]);
  });
});
