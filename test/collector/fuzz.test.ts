// Property-based fuzzing of the collector (issue 10): hostile OTLP/JSON and protobuf requests,
// mutated bodies, odd headers and hostile query strings against a real collector and store.
// Properties: no 5xx, memory stays bounded, and every stored record is valid (and the rollups
// agree with it). Prints the bodies tried, the status-code histogram and the peak RSS.
// GENAI_USAGE_FUZZ_RUNS scales the number of runs (default 1); GENAI_USAGE_FUZZ_SEED replays one.
import { Agent, request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SPAN_LIMITS } from '../../src/collector/span-limits.js';
import { recordProblem } from '../../src/collector/span-validation.js';
import type { UsageRecord } from '../../src/usage/usage-record.js';
import pg from 'pg';
import { postgresTestUrl } from '../store/postgres-env.js';
import { genAiSpans, startTestCollector, tempDir, type TestCollector } from './harness.js';
import { jsonBody } from './otlp-bodies.js';
import { mutate, oddRequest, otlpRequest, queryRequest, tryProto } from './fuzz-arbitraries.js';

const SCALE = Number(process.env['GENAI_USAGE_FUZZ_RUNS'] ?? 1);
/** The default test timeout grows with the runs asked for. */
const TIMEOUT_MS = 30_000 * Math.max(1, SCALE);
const SEED = process.env['GENAI_USAGE_FUZZ_SEED'] === undefined ? Date.now() % 2 ** 31 : Number(process.env['GENAI_USAGE_FUZZ_SEED']);
const { url: pgUrl } = postgresTestUrl();
const pgSchema = `t_fuzz_${process.pid}_${Date.now().toString(36)}`;
/** SQLite always; PostgreSQL too when a test server is configured (it refuses what SQLite stores, e.g. NUL), with fewer runs. */
const TARGETS: Array<{ name: string; store: () => string; share: number }> = [
  { name: 'SQLite', store: () => `sqlite:${join(tmp.dir, 'fuzz.db')}`, share: 1 },
  ...(pgUrl ? [{ name: 'PostgreSQL', store: () => `${pgUrl}${pgUrl.includes('?') ? '&' : '?'}schema=${pgSchema}`, share: 0.4 }] : []),
];
/** How far RSS may grow over the run; the bodies are at most a few hundred KB. */
const RSS_BUDGET_BYTES = 512 * 1024 * 1024;

const tmp = tempDir('genai-usage-fuzz-');
const agent = new Agent({ keepAlive: true, maxSockets: 8 });
const statuses = new Map<number, number>();
let bodies = 0;
let stored = 0;
let startRss = 0;
let peakRss = 0;
let collector: TestCollector;

beforeAll(() => {
  startRss = process.memoryUsage().rss;
  peakRss = startRss;
});
afterAll(async () => {
  agent.destroy();
  tmp.cleanup();
  if (pgUrl) {
    const client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${pgSchema} CASCADE`);
    await client.end();
  }
  const histogram = [...statuses].sort(([a], [b]) => a - b).map(([code, n]) => `${code}: ${n}`).join(', ');
  console.log(
    `fuzz (seed ${SEED}): ${bodies} requests tried; status codes {${histogram}}; ` +
      `peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MB (start ${(startRss / 2 ** 20).toFixed(0)} MB); ${stored} records stored; stores: ${TARGETS.map((t) => t.name).join(', ')}`,
  );
});

/** One request; resolves with its status (0 when the connection failed). Tracks statuses and RSS. */
function send(method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: Uint8Array): Promise<number> {
  bodies++;
  return new Promise<number>((resolve) => {
    const req = httpRequest(`${collector.url}${path}`, { method, agent, headers: body ? { ...headers, 'content-length': String(body.length) } : headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end(body);
  }).then((status) => {
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    return status;
  });
}

const post = (body: Uint8Array, contentType: string, contentEncoding?: string) =>
  send('POST', '/v1/traces', { 'content-type': contentType, ...(contentEncoding === undefined ? {} : { 'content-encoding': contentEncoding }) }, body);

/** A status the collector may answer: anything but a server error or a dropped connection. */
function expectHandled(status: number): void {
  expect(status).toBeGreaterThanOrEqual(200);
  expect(status).toBeLessThan(500);
}

const valid = genAiSpans([
  { model: 'gpt-4o', input: 100, output: 10, user: 'u-seed', session: 's-seed', costUsd: 0.5 },
  { model: 'claude-haiku-4-5', provider: 'anthropic', input: 40, output: 4, user: 'u-seed', agent: 'Triage' },
]);
const validProto = ProtobufTraceSerializer.serializeRequest(valid) as Uint8Array;
const validJson = JsonTraceSerializer.serializeRequest(valid) as Uint8Array;

describe.each(TARGETS)('fuzzing the collector ($name)', ({ store, share }) => {
  beforeAll(async () => {
    collector = await startTestCollector(store());
  });
  afterAll(async () => {
    await collector?.close();
  });
  const runs = (n: number): fc.Parameters<unknown> => ({ numRuns: Math.max(1, Math.round(n * SCALE * share)), seed: SEED, endOnFailure: true });

  it('structured hostile OTLP requests, as JSON and as protobuf, never get a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(otlpRequest, async (req) => {
        expectHandled(await post(Buffer.from(jsonBody(req)), 'application/json'));
        const proto = tryProto(req);
        if (proto) expectHandled(await post(proto, 'application/x-protobuf'));
      }),
      runs(150),
    );
  }, TIMEOUT_MS);

  it('truncated, bit-flipped and spliced bodies from real OTLP exporters never get a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.boolean().chain((proto) => mutate(proto ? validProto : validJson).map((body) => ({ proto, body }))), async ({ proto, body }) => {
        expectHandled(await post(body, proto ? 'application/x-protobuf' : 'application/json'));
      }),
      runs(200),
    );
  }, TIMEOUT_MS);

  it('wrong content types, encodings and invalid UTF-8 never get a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(oddRequest, async ({ contentType, contentEncoding, body }) => {
        expectHandled(await post(body, contentType, contentEncoding));
      }),
      runs(120),
    );
    // Invalid UTF-8 inside otherwise valid bodies: in a JSON string and in a protobuf string.
    const jsonText = Buffer.from(validJson).toString('utf8').replace('u-seed', 'u-\u0001\u0001');
    const json = Buffer.from(jsonText);
    json[json.indexOf(1)] = 0xc3;
    json[json.indexOf(1)] = 0xff;
    expectHandled(await post(json, 'application/json'));
    const proto = Buffer.from(validProto);
    const at = proto.indexOf('u-seed');
    proto[at + 2] = 0xed;
    proto[at + 3] = 0xa0;
    expectHandled(await post(proto, 'application/x-protobuf'));
  }, TIMEOUT_MS);

  it('hostile query strings and paths on the read API never get a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(queryRequest, async ({ path, params }) => {
        const query = params.map(([name, value]) => `${name}=${value}`).join('&');
        expectHandled(await send('GET', query ? `${path}?${query}` : path, {}));
      }),
      runs(200),
    );
  }, TIMEOUT_MS);

  it('memory stayed bounded and every stored record is valid; the rollups agree with the rows', async () => {
    expect(peakRss - startRss).toBeLessThan(RSS_BUDGET_BYTES);
    const store = collector.deps.store;
    const records = await store.records({ limit: 1_000_000 });
    stored += records.length;
    // The valid seed bodies were sent among the mutations: something must have been stored.
    expect(records.length).toBeGreaterThan(0);
    for (const record of records) expect(invalid(record), record.id).toBeUndefined();
    const [total] = await store.aggregate({});
    expect(total?.requests).toBe(records.length);
    expect(total?.inputTokens).toBe(records.reduce((n, r) => n + r.inputTokens, 0));
    expect(total?.outputTokens).toBe(records.reduce((n, r) => n + r.outputTokens, 0));
    expect((await collector.deps.store.aggregate({ groupBy: 'user' })).reduce((n, r) => n + r.requests, 0)).toBe(records.length);
    expect(collector.logs.filter((line) => /internal error|unexpected error/.test(line))).toEqual([]);
  });
});

/** Why a stored record breaks what the collector promises to store, or undefined. */
function invalid(r: UsageRecord): string | undefined {
  if (!/^[0-9a-f]{32}-[0-9a-f]{16}$/.test(r.id) || r.id !== `${r.traceId}-${r.spanId}`) return `id ${r.id}`;
  if (Number.isNaN(r.recordedAt.getTime())) return 'recordedAt';
  if (!(r.durationMs >= 0 && r.durationMs <= 86_400_000)) return `durationMs ${r.durationMs}`;
  const counts = [r.inputTokens, r.outputTokens, r.cacheReadTokens, r.cacheWriteTokens, r.reasoningTokens];
  if (counts.some((n) => !Number.isSafeInteger(n) || n < 0 || n > SPAN_LIMITS.maxTokens)) return `counts ${counts.join(',')}`;
  if (r.cacheReadTokens + r.cacheWriteTokens > r.inputTokens) return 'cached tokens exceed input';
  if (r.reasoningTokens > r.outputTokens) return 'reasoning tokens exceed output';
  if (r.totalTokens !== r.inputTokens + r.outputTokens) return 'total tokens';
  if (r.costUsd !== undefined && !(Number.isFinite(r.costUsd) && r.costUsd >= 0 && r.costUsd <= SPAN_LIMITS.maxCostUsd)) return `cost ${r.costUsd}`;
  return recordProblem(r);
}
