import type { InstrumentationKey } from '../instrumentations/registry.js';
import type { DemoClients } from './demo-workload.js';

/**
 * The SDKs the demo drives, one line each: the instrumentation key, the module, and the client
 * pointed at the mock server (no retries, so its occasional 429/5xx show up as failed calls).
 */
const DEMO_SDKS: ReadonlyArray<{ key: keyof DemoClients & InstrumentationKey; module: string; client(mod: any, mockUrl: string): unknown }> = [
  { key: 'openai', module: 'openai', client: (mod, url) => new mod.OpenAI({ apiKey: 'demo', baseURL: `${url}/v1`, maxRetries: 0 }) },
  { key: 'anthropic', module: '@anthropic-ai/sdk', client: (mod, url) => new mod.Anthropic({ apiKey: 'demo', baseURL: url, maxRetries: 0 }) },
];

/** The SDK modules, by instrumentation key; undefined (with the install command) when one is missing. */
export async function loadDemoSdks(): Promise<{ modules: Record<string, unknown> } | { missing: string }> {
  const modules: Record<string, unknown> = {};
  for (const sdk of DEMO_SDKS) {
    try {
      modules[sdk.key] = await import(sdk.module);
    } catch {
      return { missing: `npm install ${DEMO_SDKS.map((s) => s.module).join(' ')}` };
    }
  }
  return { modules };
}

export function demoClients(modules: Record<string, unknown>, mockUrl: string): DemoClients {
  return Object.fromEntries(DEMO_SDKS.map((sdk) => [sdk.key, sdk.client(modules[sdk.key], mockUrl)])) as unknown as DemoClients;
}
