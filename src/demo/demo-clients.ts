import type { DemoClients } from './demo-workload.js';

/** Where the mock LLM server listens: HTTP/1.1, and HTTP/2 for the AWS SDK. */
export interface MockUrls {
  url: string;
  h2Url: string;
}

interface DemoSdk {
  /** The workload's client key. */
  client: keyof DemoClients;
  /** The instrumentation key (`instrumentModules`). */
  key: string;
  module: string;
  /** Optional SDKs: the workload skips their calls when they are not installed. */
  optional: boolean;
  create(mod: any, mock: MockUrls): unknown;
}

/**
 * The SDKs the demo drives, one line each, every client pointed at the mock server (no
 * retries, so its occasional 429/5xx show up as failed calls).
 */
const DEMO_SDKS: readonly DemoSdk[] = [
  { client: 'openai', key: 'openai', module: 'openai', optional: false, create: (mod, { url }) => new mod.OpenAI({ apiKey: 'demo', baseURL: `${url}/v1`, maxRetries: 0 }) },
  { client: 'anthropic', key: 'anthropic', module: '@anthropic-ai/sdk', optional: false, create: (mod, { url }) => new mod.Anthropic({ apiKey: 'demo', baseURL: url, maxRetries: 0 }) },
  { client: 'gemini', key: 'googleGenAI', module: '@google/genai', optional: true, create: (mod, { url }) => new mod.GoogleGenAI({ apiKey: 'demo', httpOptions: { baseUrl: `${url}/gemini` } }) },
  { client: 'mistral', key: 'mistral', module: '@mistralai/mistralai', optional: true, create: (mod, { url }) => new mod.Mistral({ apiKey: 'demo', serverURL: `${url}/mistral` }) },
  // The AWS SDK speaks HTTP/2: the mock's second listener. Static credentials, never real ones.
  {
    client: 'bedrock',
    key: 'bedrock',
    module: '@aws-sdk/client-bedrock-runtime',
    optional: true,
    create: (mod, { h2Url }) => new mod.BedrockRuntime({ region: 'us-east-1', endpoint: h2Url, credentials: { accessKeyId: 'DEMO', secretAccessKey: 'demo' }, maxAttempts: 1 }),
  },
];

/** The installed SDK modules, by instrumentation key; `missing` names the install command when a required one is absent. */
export async function loadDemoSdks(): Promise<{ modules: Record<string, unknown> } | { missing: string }> {
  const loaded = await Promise.all(DEMO_SDKS.map((sdk) => import(sdk.module).catch(() => undefined)));
  if (DEMO_SDKS.some((sdk, i) => !sdk.optional && !loaded[i])) {
    return { missing: `npm install ${DEMO_SDKS.filter((sdk) => !sdk.optional).map((sdk) => sdk.module).join(' ')}` };
  }
  return { modules: Object.fromEntries(DEMO_SDKS.flatMap((sdk, i) => (loaded[i] ? [[sdk.key, loaded[i]]] : []))) };
}

export function demoClients(modules: Record<string, unknown>, mock: MockUrls): DemoClients {
  const clients: Record<string, unknown> = {};
  for (const sdk of DEMO_SDKS) if (modules[sdk.key]) clients[sdk.client] = sdk.create(modules[sdk.key], mock);
  return clients as unknown as DemoClients;
}
