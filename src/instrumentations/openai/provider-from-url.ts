/**
 * The `gen_ai.provider.name` of an OpenAI-compatible endpoint, from its host. Unknown hosts
 * (proxies, test servers) speak OpenAI's API and keep `openai`; local model servers are
 * named so they are never priced at a cloud provider's rates.
 */
const HOSTS: ReadonlyArray<readonly [RegExp, string]> = [
  [/(^|\.)openai\.azure\.com$/, 'azure.ai.openai'],
  [/(^|\.)cognitiveservices\.azure\.com$/, 'azure.ai.openai'],
  [/(^|\.)services\.ai\.azure\.com$/, 'azure.ai.inference'],
  [/(^|\.)openrouter\.ai$/, 'openrouter'],
  [/(^|\.)groq\.com$/, 'groq'],
  [/(^|\.)deepseek\.com$/, 'deepseek'],
  [/(^|\.)mistral\.ai$/, 'mistral_ai'],
  [/(^|\.)x\.ai$/, 'x_ai'],
  [/(^|\.)together\.(xyz|ai)$/, 'together'],
  [/(^|\.)fireworks\.ai$/, 'fireworks'],
  [/(^|\.)perplexity\.ai$/, 'perplexity'],
  [/(^|\.)cerebras\.ai$/, 'cerebras'],
  [/^generativelanguage\.googleapis\.com$/, 'gcp.gemini'],
  [/(^|\.)aiplatform\.googleapis\.com$/, 'gcp.vertex_ai'],
  [/(^|\.)amazonaws\.com$/, 'aws.bedrock'],
  [/(^|\.)anthropic\.com$/, 'anthropic'],
];

/** Local model servers by their default ports (Ollama 11434, LM Studio 1234). */
const LOCAL_PORTS: ReadonlyMap<number, string> = new Map([
  [11434, 'ollama'],
  [1234, 'lmstudio'],
]);

export function providerFromHost(host: string | undefined, port: number | undefined): string {
  if (!host) return 'openai';
  for (const [pattern, provider] of HOSTS) if (pattern.test(host)) return provider;
  if (port !== undefined) {
    const local = LOCAL_PORTS.get(port);
    if (local) return local;
  }
  return 'openai';
}
