// Deterministic benchmark workload: record i is a pure function of i, so every scenario
// (raw driver inserts, the exporter, the query runs) sees the same rows without holding
// a million objects in memory. Shaped like a real deployment: 1,000 users in 10 teams,
// 6 agents in 3 services, each agent on a primary and a fallback model, ~2% failures,
// sessions of ~20 calls, spread over 30 days.
import * as A from '../dist/semconv.js';

const DAY = 864e5;
export const BASE = Date.UTC(2025, 0, 1);

const AGENTS = [
  { name: 'Triage', service: 'support-bot', models: [['openai', 'gpt-4o-mini', 'gpt-4o-mini-2024-07-18'], ['anthropic', 'claude-haiku-4-5', 'claude-haiku-4-5-20251001']] },
  { name: 'Billing', service: 'support-bot', models: [['openai', 'gpt-4o', 'gpt-4o-2024-08-06'], ['anthropic', 'claude-sonnet-4-5', 'claude-sonnet-4-5-20250929']] },
  { name: 'Search', service: 'search-api', models: [['openai', 'text-embedding-3-small', 'text-embedding-3-small'], ['gcp.gemini', 'gemini-embedding-001', 'gemini-embedding-001']], op: 'embeddings' },
  { name: 'Summarizer', service: 'search-api', models: [['gcp.gemini', 'gemini-2.5-flash', 'gemini-2.5-flash'], ['openai', 'gpt-4o-mini', 'gpt-4o-mini-2024-07-18']] },
  { name: 'Coder', service: 'dev-tools', models: [['anthropic', 'claude-sonnet-4-5', 'claude-sonnet-4-5-20250929'], ['openai', 'o3-mini', 'o3-mini-2025-01-31']] },
  { name: 'Reviewer', service: 'dev-tools', models: [['openai', 'o3-mini', 'o3-mini-2025-01-31'], ['anthropic', 'claude-opus-4-1', 'claude-opus-4-1-20250805']] },
];

function hash(i, salt) {
  let x = (i * 0x9e3779b1 + salt * 0x85ebca6b) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return ((x ^ (x >>> 16)) >>> 0) / 4294967296;
}

const hex = (i, salt) => Math.floor(hash(i, salt) * 4294967296).toString(16).padStart(8, '0');

/**
 * The i-th of `n` benchmark records as a UsageRecord. Times rise with i (as an exporter sees
 * them, a minute of jitter for concurrent calls) across 30 days; trace ids are random.
 */
export function benchRecord(i, n = 1_000_000) {
  const user = Math.floor(hash(i, 1) * 1000);
  const agent = AGENTS[Math.floor(hash(i, 2) * AGENTS.length)];
  const [provider, requestModel, responseModel] = agent.models[hash(i, 3) < 0.85 ? 0 : 1];
  const success = hash(i, 4) > 0.02;
  const embeddings = agent.op === 'embeddings';
  const input = Math.floor(hash(i, 5) * (embeddings ? 500 : 6000)) + 10;
  const output = embeddings ? 0 : Math.floor(hash(i, 6) * 1200);
  const cost = hash(i, 7) < 0.03 ? undefined : (input * 2.5 + output * 10) / 1e6;
  const traceId = `${hex(i, 20)}${hex(i, 21)}${hex(i, 22)}${i.toString(16).padStart(8, '0')}`;
  const spanId = `${hex(i, 23)}${(i & 0xffffffff).toString(16).padStart(8, '0')}`;
  return {
    id: `${traceId}-${spanId}`,
    traceId,
    spanId,
    recordedAt: new Date(BASE + Math.floor((i / n) * 30 * DAY + hash(i, 8) * 60_000)),
    durationMs: embeddings ? 40 + hash(i, 9) * 200 : 300 + hash(i, 9) * hash(i, 10) * 20000,
    serviceName: agent.service,
    provider,
    operation: embeddings ? 'embeddings' : 'chat',
    requestModel,
    responseModel,
    userId: `user-${user}`,
    agentName: agent.name,
    handoffChain: undefined,
    group: `team-${user % 10}`,
    sessionId: `s-${Math.floor(i / 20)}`,
    conversationId: `c-${Math.floor(i / 60)}`,
    inputTokens: input,
    outputTokens: output,
    totalTokens: input + output,
    cacheReadTokens: Math.floor(input * hash(i, 11) * 0.5),
    cacheWriteTokens: 0,
    reasoningTokens: requestModel.startsWith('o3') ? Math.floor(output * 0.6) : 0,
    costUsd: cost,
    costSource: cost === undefined ? 'unknown' : 'table',
    usageEstimated: false,
    success,
    errorType: success ? undefined : 'RateLimitError',
    finishReason: success ? 'stop' : undefined,
    streaming: hash(i, 12) < 0.3,
    timeToFirstTokenMs: undefined,
    tags: hash(i, 13) < 0.5 ? { feature: 'chat' } : {},
  };
}

const RESOURCE = new Map();
/** The same call as a finished span (what UsageSpanExporter receives from the SDK). */
export function benchSpan(i, n = 1_000_000) {
  const r = benchRecord(i, n);
  const start = r.recordedAt.getTime();
  let resource = RESOURCE.get(r.serviceName);
  if (!resource) RESOURCE.set(r.serviceName, (resource = { attributes: { [A.ATTR_SERVICE_NAME]: r.serviceName } }));
  const attributes = {
    [A.ATTR_GEN_AI_OPERATION_NAME]: r.operation,
    [A.ATTR_GEN_AI_PROVIDER_NAME]: r.provider,
    [A.ATTR_GEN_AI_REQUEST_MODEL]: r.requestModel,
    [A.ATTR_GEN_AI_RESPONSE_MODEL]: r.responseModel,
    [A.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: r.inputTokens,
    [A.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: r.outputTokens,
    [A.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]: r.cacheReadTokens,
    [A.ATTR_USER_ID]: r.userId,
    [A.ATTR_GEN_AI_AGENT_NAME]: r.agentName,
    [A.ATTR_GROUP]: r.group,
    [A.ATTR_SESSION_ID]: r.sessionId,
    [A.ATTR_GEN_AI_CONVERSATION_ID]: r.conversationId,
    ...(r.costUsd === undefined ? {} : { [A.ATTR_COST_USD]: r.costUsd, [A.ATTR_COST_SOURCE]: 'table' }),
    ...(r.success ? {} : { [A.ATTR_ERROR_TYPE]: r.errorType }),
    ...(r.tags.feature ? { [`${A.ATTR_TAG_PREFIX}feature`]: 'chat' } : {}),
  };
  const duration = r.durationMs;
  return {
    name: `${r.operation} ${r.requestModel}`,
    attributes,
    startTime: [Math.floor(start / 1000), (start % 1000) * 1e6],
    duration: [Math.floor(duration / 1000), Math.round((duration % 1000) * 1e6)],
    status: { code: r.success ? 0 : 2 },
    spanContext: () => ({ traceId: r.traceId, spanId: r.spanId }),
    resource,
  };
}

/** Runs fn, returns milliseconds. */
export async function time(fn) {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export function flag(name) {
  return process.argv.includes(name);
}
