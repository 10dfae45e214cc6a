import type { UsageRecord } from '../../src/usage/usage-record.js';

let seq = 0;

/** A successful call record with defaults; override any field. */
export function makeRecord(fields: Partial<UsageRecord> = {}): UsageRecord {
  seq++;
  const traceId = seq.toString(16).padStart(32, '0');
  const spanId = (seq * 31).toString(16).padStart(16, '0');
  const input = fields.inputTokens ?? 100;
  const output = fields.outputTokens ?? 50;
  return {
    id: `${traceId}-${spanId}`,
    traceId,
    spanId,
    recordedAt: new Date(),
    durationMs: 10,
    serviceName: 'svc',
    provider: 'openai',
    operation: 'chat',
    requestModel: 'gpt-4o-mini',
    responseModel: 'gpt-4o-mini-2024-07-18',
    userId: undefined,
    agentName: undefined,
    handoffChain: undefined,
    group: undefined,
    sessionId: undefined,
    conversationId: undefined,
    inputTokens: input,
    outputTokens: output,
    totalTokens: input + output,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    cacheWrite1hTokens: 0,
    audioInputTokens: 0,
    audioOutputTokens: 0,
    imageInputTokens: 0,
    imageOutputTokens: 0,
    webSearchRequests: 0,
    serviceTier: undefined,
    costUsd: 0.01,
    costSource: 'table',
    cacheReadSavingsUsd: 0,
    cacheWritePremiumUsd: 0,
    priceVersion: 'test',
    usageEstimated: false,
    success: true,
    errorType: undefined,
    finishReason: 'stop',
    streaming: false,
    timeToFirstTokenMs: undefined,
    tags: {},
    ...fields,
  };
}
