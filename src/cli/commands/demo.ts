import { createServer } from 'node:net';
import { parseArgs } from 'node:util';
import { onUsage } from '../../usage/usage-listeners.js';
import type { UsageRecord } from '../../usage/usage-record.js';
import { runDemoWorkload } from '../../demo/demo-workload.js';
import { startMockLlmServer } from '../../demo/mock-llm-server.js';
import { startUsageTracking } from '../../setup/start-usage-tracking.js';
import { DEFAULT_STORE_URL } from '../../store/open-store.js';
import { CliUsageError, type CliCommand, type CliIo } from '../command.js';
import { formatTable, formatUsd } from '../format-table.js';

const HELP = `Usage: genai-usage demo [options]

Runs a realistic workload through the real openai and @anthropic-ai/sdk clients (and
@aws-sdk/client-bedrock-runtime when installed) against a local mock LLM server (127.0.0.1,
no network, some failures), tracks it, and prints spend by model, user and agent.

Options:
  --store <url>     where records go (default sqlite:./genai-usage.db; env GENAI_USAGE_STORE)
  --rounds <n>      workload rounds (default 3)
  --port <n>        Prometheus port (default 9464; a free one if taken)
  --seed <n>        mock server seed (default 42)
  --keep-running    keep serving /metrics after the workload (Ctrl-C to stop)
  --json            print the records summary as JSON
  -h, --help        this help`;

export const command: CliCommand = {
  meta: { name: 'demo', summary: 'run a tracked demo workload against a local mock LLM server', help: HELP },
  async handler(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        store: { type: 'string' },
        rounds: { type: 'string', default: '3' },
        port: { type: 'string', default: '9464' },
        seed: { type: 'string', default: '42' },
        'keep-running': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
      },
      strict: true,
    });
    const rounds = positiveInt('--rounds', values.rounds);
    const seed = positiveInt('--seed', values.seed);
    const port = await freePort(positiveInt('--port', values.port));
    const sdks = await loadSdks();

    const mock = await startMockLlmServer({ seed, latencyMs: { min: 5, max: 40 } });
    const tracking = startUsageTracking({
      serviceName: 'genai-usage-demo',
      store: values.store ?? io.env.GENAI_USAGE_STORE ?? undefined,
      prometheus: { host: io.env.OTEL_EXPORTER_PROMETHEUS_HOST || '127.0.0.1', port },
      instrumentModules: { openai: sdks.openai, anthropic: sdks.anthropic, googleGenAI: sdks.googleGenAI, mistral: sdks.mistral, bedrock: sdks.bedrock },
    });
    const store = values.store ?? io.env.GENAI_USAGE_STORE ?? DEFAULT_STORE_URL;
    const records: UsageRecord[] = [];
    const stop = onUsage((r) => void records.push(r));
    try {
      const clients = {
        // No retries, so the mock server's occasional 429/5xx show up as failed calls.
        openai: new sdks.openai.OpenAI({ apiKey: 'demo', baseURL: `${mock.url}/v1`, maxRetries: 0 }),
        anthropic: new sdks.anthropic.Anthropic({ apiKey: 'demo', baseURL: mock.url, maxRetries: 0 }),
        gemini: sdks.googleGenAI && new sdks.googleGenAI.GoogleGenAI({ apiKey: 'demo', httpOptions: { baseUrl: `${mock.url}/gemini` } }),
        mistral: sdks.mistral && new sdks.mistral.Mistral({ apiKey: 'demo', serverURL: `${mock.url}/mistral` }),
        // The AWS SDK speaks HTTP/2: the mock's second listener. Static credentials, never real ones.
        bedrock: sdks.bedrock
          ? new sdks.bedrock.BedrockRuntime({ region: 'us-east-1', endpoint: mock.h2Url, credentials: { accessKeyId: 'DEMO', secretAccessKey: 'demo' }, maxAttempts: 1 })
          : undefined,
      };
      io.stderr.write(`demo: mock LLM server on ${mock.url}; running ${rounds} rounds...\n`);
      const { calls, failed } = await runDemoWorkload(clients, rounds);
      await tracking.forceFlush();
      await new Promise((r) => setImmediate(r));
      const metricsUrl = await tracking.prometheusUrl;
      if (values.json) io.stdout.write(`${JSON.stringify(summarise(records), null, 2)}\n`);
      else io.stdout.write(renderSummary(records, calls, failed, metricsUrl));
      if (values['keep-running']) {
        io.stderr.write(`demo: serving ${metricsUrl}; Ctrl-C to stop\n`);
        await new Promise((resolve) => io.signal.addEventListener('abort', resolve, { once: true }));
      }
    } finally {
      stop();
      // Flushes the store writer: every record is in the store before the report reads it.
      await tracking.shutdown();
      await mock.close();
    }
    if (store !== 'false' && !values.json) await showStore(store, io);
    return 0;
  },
};

/** The same calls, read back from the store: what `genai-usage report` and plain SQL see. */
async function showStore(store: string, io: CliIo): Promise<void> {
  const { command: report } = await import('./report.js');
  io.stdout.write(`\nThe records in ${store}, read back by \`genai-usage report --by model --store ${store}\`:\n`);
  await report.handler(['--by', 'model', '--store', store], io);
  const file = store.startsWith('sqlite:') && store !== 'sqlite::memory:' ? store.slice('sqlite:'.length) : undefined;
  io.stdout.write(
    [
      '',
      'More: genai-usage report --by user --top 10 | --by agent | --bucket day ; genai-usage export --format csv',
      file
        ? `Plain SQL (schema in docs/schema.md): sqlite3 ${file} "SELECT user_id, round(sum(cost_usd), 6) AS usd FROM genai_usage_records GROUP BY user_id ORDER BY usd DESC"`
        : 'Plain SQL: the table genai_usage_records (schema in docs/schema.md).',
      '',
    ].join('\n'),
  );
}

async function loadSdks(): Promise<{ openai: any; anthropic: any; googleGenAI?: any; mistral?: any; bedrock?: any }> {
  // Optional: the workload calls Gemini, Mistral and Bedrock too when their SDKs are installed.
  const optional = (name: string) => import(name).catch(() => undefined);
  const [openai, anthropic, googleGenAI, mistral, bedrock] = await Promise.all([
    optional('openai'),
    optional('@anthropic-ai/sdk'),
    optional('@google/genai'),
    optional('@mistralai/mistralai'),
    optional('@aws-sdk/client-bedrock-runtime'),
  ]);
  if (!openai || !anthropic) throw new CliUsageError('the demo drives the real SDK clients: install them with `npm install openai @anthropic-ai/sdk`', 1);
  return { openai, anthropic, googleGenAI, mistral, bedrock };
}

interface Row {
  key: string;
  requests: number;
  failures: number;
  tokens: number;
  cost: number;
  unpriced: number;
}

function group(records: UsageRecord[], keyOf: (r: UsageRecord) => string | undefined): Row[] {
  const rows = new Map<string, Row>();
  for (const r of records) {
    const key = keyOf(r) ?? '(none)';
    const row = rows.get(key) ?? { key, requests: 0, failures: 0, tokens: 0, cost: 0, unpriced: 0 };
    row.requests++;
    if (!r.success) row.failures++;
    row.tokens += r.totalTokens;
    if (r.costUsd !== undefined) row.cost += r.costUsd;
    else if (r.success) row.unpriced++;
    rows.set(key, row);
  }
  return [...rows.values()].sort((a, b) => b.cost - a.cost);
}

function summarise(records: UsageRecord[]) {
  return {
    byModel: group(records, (r) => `${r.provider}/${r.responseModel ?? r.requestModel}`),
    byUser: group(records, (r) => r.userId),
    byAgent: group(records, (r) => r.handoffChain ?? r.agentName),
  };
}

function renderSummary(records: UsageRecord[], calls: number, failed: number, metricsUrl: string | undefined): string {
  const total = records.reduce((s, r) => s + (r.costUsd ?? 0), 0);
  const s = summarise(records);
  const table = (title: string, rows: Row[]) =>
    `\n${title}\n${formatTable(
      ['', 'requests', 'failed', 'tokens', 'cost', 'unpriced'],
      rows.map((r) => [r.key, String(r.requests), String(r.failures), String(r.tokens), formatUsd(r.unpriced > 0 && r.cost === 0 ? undefined : r.cost), r.unpriced ? String(r.unpriced) : '']),
    )}`;
  return [
    `Tracked ${records.length} LLM calls (${calls} made by the app, ${failed} failed); spend ${formatUsd(total)}.`,
    table('Spend by model', s.byModel),
    table('Spend by user', s.byUser),
    table('Spend by agent (hand-offs joined by >)', s.byAgent),
    '',
    'Where to look next:',
    metricsUrl ? `  Prometheus metrics:  ${metricsUrl}  (genai_usage_cost_total, genai_usage_tokens_total, ...)` : '  Prometheus metrics:  not served (port unavailable)',
    '',
  ].join('\n');
}

function positiveInt(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new CliUsageError(`${flag}: expected a non-negative integer, got "${value}"`);
  return n;
}

/** The requested port when free, else 0 (a free one), so the demo never fails on a busy 9464. */
function freePort(port: number): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(0));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(port)));
  });
}
