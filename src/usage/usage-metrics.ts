import { createHash } from 'node:crypto';
import { diag, type Attributes, type Counter, type Histogram, type Meter } from '@opentelemetry/api';
import * as A from '../semconv.js';
import type { UsageRecord } from './usage-record.js';

/** How `user.id` appears on metrics: as is, dropped, or as a stable hash. Env `GENAI_USAGE_METRICS_USER`. */
export type MetricsUserMode = 'on' | 'off' | 'hash';

/**
 * The metric contract (see README): semconv histograms without per-user attributes, and
 * our counters with `user.id` and `gen_ai.agent.name` for attribution.
 */
export class UsageMetrics {
  readonly #tokenUsage: Histogram;
  readonly #duration: Histogram;
  readonly #ttfc: Histogram;
  readonly #cost: Counter;
  readonly #tokens: Counter;
  readonly #requests: Counter;
  readonly #unpriced: Counter;
  readonly #userMode: MetricsUserMode;
  readonly #hashes = new Map<string, string>();
  readonly #warnedUnpriced = new Set<string>();

  constructor(meter: Meter, userMode: MetricsUserMode = 'on') {
    this.#userMode = userMode;
    this.#tokenUsage = meter.createHistogram(A.METRIC_TOKEN_USAGE, {
      unit: '{token}',
      description: 'Number of input and output tokens used per call.',
      advice: { explicitBucketBoundaries: A.TOKEN_USAGE_BUCKETS },
    });
    this.#duration = meter.createHistogram(A.METRIC_OPERATION_DURATION, {
      unit: 's',
      description: 'GenAI operation duration.',
      advice: { explicitBucketBoundaries: A.DURATION_BUCKETS },
    });
    this.#ttfc = meter.createHistogram(A.METRIC_TIME_TO_FIRST_CHUNK, {
      unit: 's',
      description: 'Time from the request to the first streamed chunk.',
      advice: { explicitBucketBoundaries: A.TTFC_BUCKETS },
    });
    this.#cost = meter.createCounter(A.METRIC_COST, { unit: 'USD', description: 'Cost of LLM calls in USD (priced calls only).' });
    this.#tokens = meter.createCounter(A.METRIC_TOKENS, { unit: '{token}', description: 'Tokens used, by token type.' });
    this.#requests = meter.createCounter(A.METRIC_REQUESTS, { unit: '{request}', description: 'LLM calls, failed ones with error.type.' });
    this.#unpriced = meter.createCounter(A.METRIC_UNPRICED, { unit: '{request}', description: 'Calls whose model has no known price.' });
  }

  record(r: UsageRecord): void {
    const semconv: Attributes = {
      [A.ATTR_GEN_AI_OPERATION_NAME]: r.operation,
      [A.ATTR_GEN_AI_PROVIDER_NAME]: r.provider,
    };
    if (r.requestModel) semconv[A.ATTR_GEN_AI_REQUEST_MODEL] = r.requestModel;
    if (r.responseModel) semconv[A.ATTR_GEN_AI_RESPONSE_MODEL] = r.responseModel;

    this.#duration.record(r.durationMs / 1000, r.errorType ? { ...semconv, [A.ATTR_ERROR_TYPE]: r.errorType } : semconv);
    if (r.streaming && r.timeToFirstTokenMs !== undefined) this.#ttfc.record(r.timeToFirstTokenMs / 1000, semconv);
    const hasTokens = r.inputTokens > 0 || r.outputTokens > 0;
    if (hasTokens) {
      this.#tokenUsage.record(r.inputTokens, { ...semconv, [A.ATTR_GEN_AI_TOKEN_TYPE]: A.TOKEN_TYPE_INPUT });
      if (r.operation !== A.OP_EMBEDDINGS) this.#tokenUsage.record(r.outputTokens, { ...semconv, [A.ATTR_GEN_AI_TOKEN_TYPE]: A.TOKEN_TYPE_OUTPUT });
    }

    const attributed: Attributes = { ...semconv };
    const user = this.#user(r.userId);
    if (user !== undefined) attributed[A.ATTR_USER_ID] = user;
    if (r.agentName) attributed[A.ATTR_GEN_AI_AGENT_NAME] = r.agentName;

    this.#requests.add(1, r.errorType ? { ...attributed, [A.ATTR_ERROR_TYPE]: r.errorType } : attributed);
    if (r.costUsd !== undefined) this.#cost.add(r.costUsd, attributed);
    else if (r.success) this.#countUnpriced(r, semconv);
    if (hasTokens) {
      this.#addTokens(r.inputTokens, A.TOKEN_TYPE_INPUT, attributed);
      this.#addTokens(r.outputTokens, A.TOKEN_TYPE_OUTPUT, attributed);
      this.#addTokens(r.cacheReadTokens, A.TOKEN_TYPE_CACHE_READ, attributed);
      this.#addTokens(r.cacheWriteTokens, A.TOKEN_TYPE_CACHE_WRITE, attributed);
      this.#addTokens(r.reasoningTokens, A.TOKEN_TYPE_REASONING, attributed);
    }
  }

  #addTokens(n: number, type: string, attributes: Attributes): void {
    if (n > 0) this.#tokens.add(n, { ...attributes, [A.ATTR_GEN_AI_TOKEN_TYPE]: type });
  }

  #countUnpriced(r: UsageRecord, semconv: Attributes): void {
    this.#unpriced.add(1, semconv);
    const model = r.responseModel ?? r.requestModel ?? '(none)';
    if (!this.#warnedUnpriced.has(model) && this.#warnedUnpriced.size < 100) {
      this.#warnedUnpriced.add(model);
      diag.warn(`genai-usage: no price for model "${model}" (provider ${r.provider}); its calls are recorded with cost unknown. Add one with the \`prices\` option or GENAI_USAGE_PRICES.`);
    }
  }

  #user(userId: string | undefined): string | undefined {
    if (userId === undefined || this.#userMode === 'off') return undefined;
    if (this.#userMode === 'on') return userId;
    let hashed = this.#hashes.get(userId);
    if (!hashed) {
      hashed = createHash('sha256').update(userId).digest('hex').slice(0, 16);
      if (this.#hashes.size > 10_000) this.#hashes.clear();
      this.#hashes.set(userId, hashed);
    }
    return hashed;
  }
}
