import { createServer } from 'node:net';
import { parseArgs } from 'node:util';
import { onUsage } from '../../usage/usage-listeners.js';
import type { UsageRecord } from '../../usage/usage-record.js';
import { demoClients, loadDemoSdks } from '../../demo/demo-clients.js';
import { runDemoWorkload } from '../../demo/demo-workload.js';
import { startMockLlmServer } from '../../demo/mock-llm-server.js';
import { startUsageTracking } from '../../setup/start-usage-tracking.js';
import { DEFAULT_STORE_URL, openStore } from '../../store/open-store.js';
import type { AggregateRow } from '../../store/usage-store.js';
import { CliUsageError, type CliCommand } from '../command.js';
import { formatUsd } from '../format-table.js';
import { nextSteps } from './demo-next-steps.js';
import { renderTable } from './report.js';

const HELP = `Usage: genai-usage demo [options]

Runs a realistic workload through the real openai and @anthropic-ai/sdk clients (and
@google/genai, @mistralai/mistralai and @aws-sdk/client-bedrock-runtime when installed)
against a local mock LLM server (127.0.0.1, no network, some failures), tracks it, prints
spend by model, user and agent, then reads the same calls back from the store.

Options:
  --store <url>     where records go (default sqlite:./genai-usage.db; env GENAI_USAGE_STORE)
  --rounds <n>      workload rounds (default 3)
  --port <n>        Prometheus port (default 9464, or a free one if that is taken; a port
                    given here must be free)
  --seed <n>        mock server seed (default 42)
  --keep-running    keep serving /metrics after the workload (Ctrl-C to stop)
  --json            print the summary as JSON (report rows by model, user and agent)
  -h, --help        this help`;

/** The compact columns of the live tables; the same cells as `genai-usage report`. */
const LIVE_COLUMNS = ['requests', 'failed', 'total tokens', 'cost', 'unpriced'];

export const command: CliCommand = {
  meta: { name: 'demo', summary: 'run a tracked demo workload against a local mock LLM server', help: HELP },
  async handler(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        store: { type: 'string' },
        rounds: { type: 'string', default: '3' },
        port: { type: 'string' },
        seed: { type: 'string', default: '42' },
        'keep-running': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
      },
      strict: true,
    });
    const rounds = positiveInt('--rounds', values.rounds);
    const seed = positiveInt('--seed', values.seed);
    const port = await choosePort(values.port);
    const sdks = await loadDemoSdks();
    if ('missing' in sdks) throw new CliUsageError(`the demo drives the real SDK clients: install them with \`${sdks.missing}\``, 1);

    const storeOption = values.store ?? io.env.GENAI_USAGE_STORE ?? undefined;
    const mock = await startMockLlmServer({ seed, latencyMs: { min: 5, max: 40 } });
    const tracking = startUsageTracking({
      serviceName: 'genai-usage-demo',
      store: storeOption,
      prometheus: { host: io.env.OTEL_EXPORTER_PROMETHEUS_HOST || '127.0.0.1', port },
      instrumentModules: sdks.modules,
    });
    const store = storeOption ?? DEFAULT_STORE_URL;
    const records: UsageRecord[] = [];
    const stop = onUsage((r) => void records.push(r));
    try {
      io.stderr.write(`demo: mock LLM server on ${mock.url}; running ${rounds} rounds...\n`);
      const { calls, failed } = await runDemoWorkload(demoClients(sdks.modules, mock), rounds);
      await tracking.forceFlush();
      await new Promise((r) => setImmediate(r));
      const summary = await summarise(records);
      if (values.json) io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      else io.stdout.write(renderSummary(summary, records.length, calls, failed));
      if (values['keep-running']) {
        const url = await tracking.prometheusUrl;
        io.stderr.write(url ? `demo: serving ${url}; Ctrl-C to stop\n` : 'demo: Prometheus metrics are not served (see the warning above); Ctrl-C to stop\n');
        await new Promise((resolve) => io.signal.addEventListener('abort', resolve, { once: true }));
      }
    } finally {
      stop();
      // Flushes the store writer: every record is in the store before it is read back.
      await tracking.shutdown();
      await mock.close();
    }
    if (values.json) return 0;
    const persisted = !['false', 'none', 'off'].includes(store);
    if (persisted) {
      const { command: report } = await import('./report.js');
      io.stdout.write(`\nThe same calls read back from ${store} (what \`report --by provider,model\` shows):\n`);
      await report.handler(['--by', 'provider,model', '--store', store], io);
    }
    io.stdout.write(nextSteps({ store: persisted ? store : undefined, storeGiven: storeOption !== undefined, port: values.port === undefined ? undefined : port }));
    return 0;
  },
};

interface Summary {
  total: AggregateRow | undefined;
  byModel: AggregateRow[];
  byUser: AggregateRow[];
  byAgent: AggregateRow[];
}

/**
 * The live view, computed by the store's own queries over the calls just recorded (an
 * in-memory store): the same grouping and the same measures as `genai-usage report` on the
 * store, so the two cannot disagree.
 */
async function summarise(records: readonly UsageRecord[]): Promise<Summary> {
  const live = await openStore('sqlite::memory:');
  try {
    await live.insert(records);
    const [total] = await live.aggregate({});
    return {
      total,
      byModel: await live.aggregate({ groupBy: ['provider', 'model'] }),
      byUser: await live.aggregate({ groupBy: ['user'] }),
      byAgent: await live.aggregate({ groupBy: ['agent'] }),
    };
  } finally {
    await live.close();
  }
}

function renderSummary(s: Summary, tracked: number, calls: number, failed: number): string {
  const spend = s.total?.costUsd === null || s.total === undefined ? 'unknown' : formatUsd(s.total.costUsd);
  const unpriced = s.total?.unpricedRequests ? ` (${s.total.unpricedRequests} calls without a known price)` : '';
  return [
    `Tracked ${tracked} LLM calls (${calls} made by the app, ${failed} failed); spend ${spend}${unpriced}.`,
    '',
    'Spend by model',
    renderTable(s.byModel, ['provider', 'model'], false, LIVE_COLUMNS),
    '',
    'Spend by user',
    renderTable(s.byUser, ['user'], false, LIVE_COLUMNS),
    '',
    'Spend by agent',
    renderTable(s.byAgent, ['agent'], false, LIVE_COLUMNS),
    '',
  ].join('\n');
}

function positiveInt(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new CliUsageError(`${flag}: expected a non-negative integer, got "${value}"`);
  return n;
}

/** `--port` must be free (0 picks one); without it, 9464 when free, else a free one, so the demo never fails on a busy 9464. */
async function choosePort(flag: string | undefined): Promise<number> {
  if (flag === undefined) return (await isFree(9464)) ? 9464 : 0;
  const port = positiveInt('--port', flag);
  if (port > 65535) throw new CliUsageError(`--port: ${port} is not a port; valid: 0-65535 (0 picks a free one)`);
  if (port !== 0 && !(await isFree(port))) throw new CliUsageError(`--port ${port} is in use; pick another (0 picks a free one)`);
  return port;
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}
