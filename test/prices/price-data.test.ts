// Opt-in price freshness: `genai-usage prices update` downloads (from a local server here),
// checks and writes the data; GENAI_USAGE_PRICE_DATA / priceData prices from it and every
// record says which data priced it. Nothing fetches prices unless asked.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REMOTE_DATA_JSON_URL, findProvider, type Provider } from '@pydantic/genai-prices';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliUsageError } from '../../src/cli/command.js';
import { command as prices } from '../../src/cli/commands/prices.js';
import { estimateCost } from '../../src/prices/estimate-cost.js';
import { PRICE_DATA_URL, loadPriceData } from '../../src/prices/price-data.js';
import { currentTableVersion } from '../../src/prices/price-version.js';
import { ConfigError } from '../../src/setup/config-error.js';
import { captureIo } from '../support/cli-io.js';
import { startHarness } from '../support/tracking-harness.js';

const dir = mkdtempSync(join(tmpdir(), 'genai-usage-price-data-'));
let server: Server;
let base: string;

/** The bundled data with one change a test can see: gpt-4o-mini input at $1.00 per 1M tokens. */
function refreshedData(): string {
  const providers = ['openai', 'anthropic', 'google'].map((id) => structuredClone(findProvider({ providerId: id })!) as Provider);
  const mini = providers[0]!.models.find((m) => m.id === 'gpt-4o-mini')!;
  mini.prices = { input_mtok: 1, cache_read_mtok: 0.5, output_mtok: 4 };
  return JSON.stringify(providers);
}
const DATA = refreshedData();
const VERSION = `genai-prices-data@sha256:${createHash('sha256').update(DATA).digest('hex').slice(0, 12)}`;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/data.json') res.writeHead(200, { 'content-type': 'application/json' }).end(DATA);
    else if (req.url === '/bad.json') res.writeHead(200, { 'content-type': 'application/json' }).end('{"not":"providers"}');
    else if (req.url === '/bad-prices.json') res.writeHead(200).end(JSON.stringify([{ id: 'x', name: 'X', api_pattern: 'x', models: [{ id: 'm', match: { equals: 'm' }, prices: { input_mtok: -1 } }] }]));
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

async function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | CliUsageError; out: string }> {
  const io = captureIo(env);
  const code = await prices.handler(args, io).catch((e: unknown) => e as CliUsageError);
  return { code, out: io.out() };
}

describe('genai-usage prices', () => {
  it('the bundled table prices until asked otherwise, and says so', async () => {
    // Written out so --help needs no table loaded; it must stay the library's own URL.
    expect(PRICE_DATA_URL).toBe(REMOTE_DATA_JSON_URL);
    expect(currentTableVersion()).toMatch(/^genai-prices@\d+\.\d+\.\d+$/);
    expect(estimateCost({ provider: 'openai', model: 'gpt-4o-mini', inputTokens: 1e6 }).priceVersion).toBe(currentTableVersion());
    const { out } = await run(['version']);
    expect(out.trim()).toBe(currentTableVersion());
  });

  it('update downloads, checks and writes the data; a bad download writes nothing', async () => {
    const out = join(dir, 'prices.json');
    const ok = await run(['update', '--url', `${base}/data.json`, '--out', out, '--json']);
    expect(ok.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(DATA);
    expect(JSON.parse(ok.out)).toMatchObject({ file: out, version: VERSION, providers: 3 });
    for (const [path, reason] of [
      ['/bad.json', /non-empty JSON array of providers/],
      ['/bad-prices.json', /refused x\/m: Invalid price value for input_mtok/],
      ['/missing', /HTTP 404/],
    ] as const) {
      const target = join(dir, `never-${path.slice(1)}`);
      const failed = await run(['update', '--url', `${base}${path}`, '--out', target]);
      expect(failed.code).toBeInstanceOf(CliUsageError);
      expect((failed.code as CliUsageError).message).toMatch(reason);
      expect((failed.code as CliUsageError).exitCode).toBe(1);
      expect(existsSync(target)).toBe(false);
    }
    expect((await run(['refresh'])).code).toBeInstanceOf(CliUsageError);
  });

  it('loadPriceData prices from the file and stamps its version; a bad file is refused and changes nothing', () => {
    const good = join(dir, 'good.json');
    writeFileSync(good, DATA);
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '[{"id": 1}]');
    expect(() => loadPriceData(broken)).toThrow(ConfigError);
    expect(() => loadPriceData(join(dir, 'absent.json'))).toThrow(/cannot read/);
    expect(currentTableVersion()).toMatch(/^genai-prices@/);
    // Priced once from the bundled table: what the book resolved for this model must not outlive the new data.
    const before = estimateCost({ provider: 'openai', model: 'gpt-4o-mini-2024-07-18', inputTokens: 1e6, outputTokens: 1e6 });
    expect(before).toMatchObject({ source: 'table', priceVersion: currentTableVersion() });
    expect(before.costUsd).not.toBe(5);
    expect(loadPriceData(good)).toEqual({ version: VERSION, providers: 3, models: expect.any(Number) });
    const e = estimateCost({ provider: 'openai', model: 'gpt-4o-mini-2024-07-18', inputTokens: 1e6, outputTokens: 1e6 });
    expect(e).toMatchObject({ costUsd: 5, source: 'table', priceVersion: VERSION });
    expect(estimateCost({ provider: 'openai', model: 'gpt-5', inputTokens: 1e6, serviceTier: 'flex' }).priceVersion).toBe(`${VERSION}+tiers@2025-10-01`);
  });

  it('startUsageTracking({ priceData }) prices recorded calls from it; the record keeps the version', async () => {
    const file = join(dir, 'tracking.json');
    writeFileSync(file, DATA);
    const h = await startHarness({ priceData: file });
    try {
      h.server.enqueue('openai/chat-completion');
      await h.openai().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
      const [record] = await h.waitForRecords(1);
      // 204 uncached × $1 + 1152 cached × $0.50 + 27 output × $4 per 1M (the refreshed data's prices).
      expect(record!.costUsd).toBeCloseTo((204 * 1 + 1152 * 0.5 + 27 * 4) / 1e6, 15);
      expect(record!.priceVersion).toBe(VERSION);
    } finally {
      await h.close();
    }
  });
});
