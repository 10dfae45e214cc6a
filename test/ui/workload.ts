// The store the explorer tests read: the demo workload (real openai and @anthropic-ai/sdk
// clients against the local mock LLM server, tracked by startUsageTracking into SQLite), run
// as two requests (two traces), plus one call whose user, agent, session and tag are hostile
// strings. Built once per test file into a temp dir.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trace } from '@opentelemetry/api';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { runDemoWorkload } from '../../src/demo/demo-workload.js';
import { startMockLlmServer } from '../../src/demo/mock-llm-server.js';
import { startUsageTracking, withUsageContext } from '../../src/index.js';

/** Attacker-chosen strings: each must render as text, never as markup or script. */
export const XSS_USER = `<img src=x onerror="document.title='pwned-user'">"'&<script>document.title='pwned'</script>`;
export const XSS_AGENT = `"><svg onload="document.title='pwned-agent'">`;
export const XSS_SESSION = `s-</td><script>document.title='pwned-session'</script>.json`;
export const XSS_TAG = `<b onmouseover=alert(1)>chat</b>`;

export interface WorkloadStore {
  url: string;
  file: string;
  dir: string;
  cleanup(): void;
}

export async function recordWorkloadStore(prefix = 'genai-usage-ui-'): Promise<WorkloadStore> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const file = join(dir, 'usage.db');
  const url = `sqlite:${file}`;
  const mock = await startMockLlmServer({ seed: 7, latencyMs: { min: 1, max: 4 } });
  const tracking = startUsageTracking({ serviceName: 'explorer-test', store: url, prometheus: false, instrumentModules: { openai: OpenAI, anthropic: Anthropic } });
  try {
    const clients = {
      openai: new OpenAI({ apiKey: 'test', baseURL: `${mock.url}/v1`, maxRetries: 0 }),
      anthropic: new Anthropic({ apiKey: 'test', baseURL: mock.url, maxRetries: 0 }),
    };
    const tracer = trace.getTracer('explorer-test');
    // Each request is one trace: its calls share a trace id, as an agent run's do.
    for (const request of ['request 1', 'request 2']) {
      await tracer.startActiveSpan(request, async (span) => {
        await runDemoWorkload(clients, 1);
        span.end();
      });
    }
    await withUsageContext({ userId: XSS_USER, agentName: XSS_AGENT, sessionId: XSS_SESSION, tags: { feature: XSS_TAG } }, () =>
      clients.openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }).catch(() => undefined),
    );
  } finally {
    // Flushes the store writer: every record is stored when this returns.
    await tracking.shutdown();
    await mock.close();
  }
  return { url, file, dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
