/**
 * Provider names as the GenAI semantic conventions spell them (`gen_ai.provider.name`), from
 * whatever a span says: the Vercel AI SDK's provider ids (`openai.chat`, `openai.responses`,
 * `anthropic.messages`, `google.generative-ai`, `google.vertex.chat`, `amazon-bedrock`),
 * older semconv values (`vertex_ai`, `az.ai.openai`, `gemini`, `xai`), and capitalised ones
 * (`OpenAI`). Names already in the conventions, and names we do not know, are kept as sent.
 */
const CURRENT: ReadonlySet<string> = new Set([
  'openai', 'anthropic', 'aws.bedrock', 'azure.ai.inference', 'azure.ai.openai', 'cohere', 'deepseek',
  'gcp.gemini', 'gcp.gen_ai', 'gcp.vertex_ai', 'groq', 'ibm.watsonx.ai', 'mistral_ai', 'perplexity', 'x_ai',
]);

/** Older semconv values. */
const RENAMED: ReadonlyMap<string, string> = new Map([
  ['vertex_ai', 'gcp.vertex_ai'],
  ['gemini', 'gcp.gemini'],
  ['az.ai.inference', 'azure.ai.inference'],
  ['az.ai.openai', 'azure.ai.openai'],
  ['xai', 'x_ai'],
]);

/** AI SDK provider ids: `<prefix>` or `<prefix>.<api>`; the longer prefixes first. */
const AI_SDK_PREFIXES: ReadonlyArray<readonly [string, string]> = [
  ['google.vertex', 'gcp.vertex_ai'],
  ['google-vertex', 'gcp.vertex_ai'],
  ['google.generative-ai', 'gcp.gemini'],
  ['google', 'gcp.gemini'],
  ['amazon-bedrock', 'aws.bedrock'],
  ['bedrock', 'aws.bedrock'],
  ['azure-openai', 'azure.ai.openai'],
  // @ai-sdk/azure calls the Azure OpenAI service (`azure.chat`, `azure.responses`).
  ['azure', 'azure.ai.openai'],
  ['openai', 'openai'],
  ['anthropic', 'anthropic'],
  ['mistral', 'mistral_ai'],
  ['xai', 'x_ai'],
  ['groq', 'groq'],
  ['deepseek', 'deepseek'],
  ['cohere', 'cohere'],
  ['perplexity', 'perplexity'],
  ['togetherai', 'together'],
  ['fireworks', 'fireworks'],
  ['cerebras', 'cerebras'],
  ['ollama', 'ollama'],
];

const cache = new Map<string, string>();

export function normaliseProviderName(raw: string): string {
  if (CURRENT.has(raw)) return raw;
  let name = cache.get(raw);
  if (name === undefined) {
    name = resolve(raw);
    // Bounded: provider names are few, but every string is hostile.
    if (cache.size > 500) cache.clear();
    cache.set(raw, name);
  }
  return name;
}

function resolve(raw: string): string {
  const lower = raw.toLowerCase();
  if (CURRENT.has(lower)) return lower;
  const renamed = RENAMED.get(lower);
  if (renamed) return renamed;
  for (const [prefix, name] of AI_SDK_PREFIXES) if (lower === prefix || lower.startsWith(`${prefix}.`)) return name;
  return raw;
}
