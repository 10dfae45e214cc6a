import { createHash } from 'node:crypto';
import { diag, type Attributes, type Counter, type Histogram, type Meter } from '@opentelemetry/api';
import * as A from '../semconv.js';
import { TupleMap } from '../tuple-map.js';
import { UsageCounters } from './usage-counters.js';
import type { UsageRecord } from './usage-record.js';

/** How `user.id` appears on metrics: as is, dropped, or as a stable hash. Env `GENAI_USAGE_METRICS_USER`. */
export type MetricsUserMode = 'on' | 'off' | 'hash';

/** Histogram attribute sets per (operation, provider, models, error), built once. */
interface SemconvAttributes {
  base: Attributes;
  duration: Attributes;
  input: Attributes;
  output: Attributes;
}

/**
 * The metric contract (see README): semconv histograms without per-user attributes, and
 * our counters with `user.id` and `gen_ai.agent.name` for attribution (pre-aggregated in
 * `UsageCounters`, read by observable counters).
 */
export class UsageMetrics {
  readonly #tokenUsage: Histogram;
  readonly #duration: Histogram;
  readonly #ttfc: Histogram;
  readonly #unpriced: Counter;
  readonly #counters: UsageCounters;
  readonly #semconv = new TupleMap<SemconvAttributes>();
  readonly #userMode: MetricsUserMode;
  readonly #hashes = new Map<string, string>();
  readonly #warnedUnpriced = new Set<string>();

  constructor(meter: Meter, userMode: MetricsUserMode = 'on', cardinalityLimit = 2000) {
    this.#userMode = userMode;
    this.#counters = new UsageCounters(cardinalityLimit);
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
    meter
      .createObservableCounter(A.METRIC_COST, { unit: 'USD', description: 'Cost of LLM calls in USD (priced calls only).' })
      .addCallback((result) => this.#counters.observeCost(result));
    meter
      .createObservableCounter(A.METRIC_TOKENS, { unit: '{token}', description: 'Tokens used, by token type.' })
      .addCallback((result) => this.#counters.observeTokens(result));
    meter
      .createObservableCounter(A.METRIC_REQUESTS, { unit: '{request}', description: 'LLM calls, failed ones with error.type.' })
      .addCallback((result) => this.#counters.observeRequests(result));
    this.#unpriced = meter.createCounter(A.METRIC_UNPRICED, { unit: '{request}', description: 'Calls whose model has no known price.' });
  }

  record(r: UsageRecord): void {
    const attrs = this.#semconvAttributes(r);
    this.#duration.record(r.durationMs / 1000, attrs.duration);
    if (r.streaming && r.timeToFirstTokenMs !== undefined) this.#ttfc.record(r.timeToFirstTokenMs / 1000, attrs.base);
    if (r.inputTokens > 0 || r.outputTokens > 0) {
      this.#tokenUsage.record(r.inputTokens, attrs.input);
      if (r.operation !== A.OP_EMBEDDINGS) this.#tokenUsage.record(r.outputTokens, attrs.output);
    }
    this.#counters.add(r, this.#user(r.userId));
    if (r.costUsd === undefined && r.success) this.#countUnpriced(r, attrs.base);
  }

  #semconvAttributes(r: UsageRecord): SemconvAttributes {
    const key = [r.operation, r.provider, r.requestModel ?? '', r.responseModel ?? '', r.errorType ?? ''];
    let hit = this.#semconv.get(key);
    if (!hit) {
      const base: Attributes = { [A.ATTR_GEN_AI_OPERATION_NAME]: r.operation, [A.ATTR_GEN_AI_PROVIDER_NAME]: r.provider };
      if (r.requestModel) base[A.ATTR_GEN_AI_REQUEST_MODEL] = r.requestModel;
      if (r.responseModel) base[A.ATTR_GEN_AI_RESPONSE_MODEL] = r.responseModel;
      hit = {
        base,
        duration: r.errorType ? { ...base, [A.ATTR_ERROR_TYPE]: r.errorType } : base,
        input: { ...base, [A.ATTR_GEN_AI_TOKEN_TYPE]: A.TOKEN_TYPE_INPUT },
        output: { ...base, [A.ATTR_GEN_AI_TOKEN_TYPE]: A.TOKEN_TYPE_OUTPUT },
      };
      // Models are few, but a misbehaving caller could invent many: keep the cache bounded.
      if (this.#semconv.size > 5000) this.#semconv.clear();
      this.#semconv.set(key, hit);
    }
    return hit;
  }

  #countUnpriced(r: UsageRecord, semconv: Attributes): void {
    this.#unpriced.add(1, semconv);
    const model = r.responseModel ?? r.requestModel ?? '(none)';
    const tier = r.serviceTier && r.serviceTier !== 'default' ? r.serviceTier : undefined;
    const key = tier ? `${model}@${tier}` : model;
    if (!this.#warnedUnpriced.has(key) && this.#warnedUnpriced.size < 100) {
      this.#warnedUnpriced.add(key);
      // The span's genai_usage.cost.unknown_reason says which part had no price (a tier, audio, a 1-hour cache write, web searches).
      diag.warn(
        `genai-usage: no price for model "${model}" (provider ${r.provider}${tier ? `, service tier ${tier}` : ''}) or for a part of its calls; they are recorded with cost unknown. Add one with the \`prices\` option or GENAI_USAGE_PRICES${tier ? ` ("${model}@${tier}")` : ''}.`,
      );
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
