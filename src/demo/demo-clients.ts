import type { DemoClients } from './demo-workload.js';

interface DemoSdk {
  /** The workload's client key. */
  client: keyof DemoClients;
  /** The instrumentation key (`instrumentModules`). */
  key: string;
  module: string;
  /** Optional SDKs: the workload skips their calls when they are not installed. */
  optional: boolean;
  create(mod: any, mockUrl: string): unknown;
}

/**
 * The SDKs the demo drives, one line each, every client pointed at the mock server (no
 * retries, so its occasional 429/5xx show up as failed calls).
 */
const DEMO_SDKS: readonly DemoSdk[] = [
  { client: 'openai', key: 'openai', module: 'openai', optional: false, create: (mod, url) => new mod.OpenAI({ apiKey: 'demo', baseURL: `${url}/v1`, maxRetries: 0 }) },
  { client: 'anthropic', key: 'anthropic', module: '@anthropic-ai/sdk', optional: false, create: (mod, url) => new mod.Anthropic({ apiKey: 'demo', baseURL: url, maxRetries: 0 }) },
  { client: 'gemini', key: 'googleGenAI', module: '@google/genai', optional: true, create: (mod, url) => new mod.GoogleGenAI({ apiKey: 'demo', httpOptions: { baseUrl: `${url}/gemini` } }) },
  { client: 'mistral', key: 'mistral', module: '@mistralai/mistralai', optional: true, create: (mod, url) => new mod.Mistral({ apiKey: 'demo', serverURL: `${url}/mistral` }) },
];

/** The installed SDK modules, by instrumentation key; `missing` names the install command when a required one is absent. */
export async function loadDemoSdks(): Promise<{ modules: Record<string, unknown> } | { missing: string }> {
  const loaded = await Promise.all(DEMO_SDKS.map((sdk) => import(sdk.module).catch(() => undefined)));
  if (DEMO_SDKS.some((sdk, i) => !sdk.optional && !loaded[i])) {
    return { missing: `npm install ${DEMO_SDKS.filter((sdk) => !sdk.optional).map((sdk) => sdk.module).join(' ')}` };
  }
  return { modules: Object.fromEntries(DEMO_SDKS.flatMap((sdk, i) => (loaded[i] ? [[sdk.key, loaded[i]]] : []))) };
}

export function demoClients(modules: Record<string, unknown>, mockUrl: string): DemoClients {
  const clients: Record<string, unknown> = {};
  for (const sdk of DEMO_SDKS) if (modules[sdk.key]) clients[sdk.client] = sdk.create(modules[sdk.key], mockUrl);
  return clients as unknown as DemoClients;
}
