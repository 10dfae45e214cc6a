import type { Attributes, ObservableResult } from '@opentelemetry/api';
import * as A from '../semconv.js';
import { TupleMap } from '../tuple-map.js';
import type { UsageRecord } from './usage-record.js';

/** `gen_ai.token.type` values of `genai_usage.tokens`: the wholes (input, output) and their parts, never additive. */
const TOKEN_TYPES = [
  A.TOKEN_TYPE_INPUT,
  A.TOKEN_TYPE_OUTPUT,
  A.TOKEN_TYPE_CACHE_READ,
  A.TOKEN_TYPE_CACHE_WRITE,
  A.TOKEN_TYPE_REASONING,
  A.TOKEN_TYPE_CACHE_WRITE_1H,
  A.TOKEN_TYPE_AUDIO_INPUT,
  A.TOKEN_TYPE_AUDIO_OUTPUT,
  A.TOKEN_TYPE_IMAGE_INPUT,
  A.TOKEN_TYPE_IMAGE_OUTPUT,
] as const;
const OVERFLOW: Attributes = { 'otel.metric.overflow': true };

/** Cumulative sums for one attribute set (provider, models, operation, user, agent). */
interface Series {
  attributes: Attributes;
  tokenAttributes: Attributes[];
  costUsd: number;
  priced: boolean;
  tokens: number[];
  /** Requests by `error.type` ('' for successes). */
  requests: Map<string, number>;
}

/**
 * Pre-aggregated attributed counters (`genai_usage.cost`, `.tokens`, `.requests`). A call costs
 * one Map lookup and a few additions, instead of up to seven SDK counter updates that each
 * hash their attribute set; the SDK reads the sums through observable counters at collection.
 * Series beyond `limit` fold into one `otel.metric.overflow` series, as the SDK's would.
 */
export class UsageCounters {
  readonly #series = new TupleMap<Series>();
  /** Insertion order, for the observable callbacks. */
  readonly #list: Series[] = [];
  readonly #limit: number;
  #overflow: Series | undefined;

  constructor(limit: number) {
    this.#limit = limit;
  }

  add(r: UsageRecord, user: string | undefined): void {
    const key = [r.operation, r.provider, r.requestModel ?? '', r.responseModel ?? '', user ?? '', r.agentName ?? ''];
    let s = this.#series.get(key);
    if (!s) {
      if (this.#series.size >= this.#limit - 1) s = this.#overflow ??= newSeries(OVERFLOW);
      else {
        s = newSeries(attributesOf(r, user));
        this.#series.set(key, s);
        this.#list.push(s);
      }
    }
    const errorKey = r.errorType ?? '';
    s.requests.set(errorKey, (s.requests.get(errorKey) ?? 0) + 1);
    if (r.costUsd !== undefined) {
      s.costUsd += r.costUsd;
      s.priced = true;
    }
    const t = s.tokens;
    t[0]! += r.inputTokens;
    t[1]! += r.outputTokens;
    t[2]! += r.cacheReadTokens;
    t[3]! += r.cacheWriteTokens;
    t[4]! += r.reasoningTokens;
    // Records built before these fields existed (a spool file from an older release) lack them.
    t[5]! += r.cacheWrite1hTokens ?? 0;
    t[6]! += r.audioInputTokens ?? 0;
    t[7]! += r.audioOutputTokens ?? 0;
    t[8]! += r.imageInputTokens ?? 0;
    t[9]! += r.imageOutputTokens ?? 0;
  }

  observeCost(result: ObservableResult): void {
    for (const s of this.#all()) if (s.priced) result.observe(s.costUsd, s.attributes);
  }

  observeTokens(result: ObservableResult): void {
    for (const s of this.#all()) {
      for (let i = 0; i < TOKEN_TYPES.length; i++) if (s.tokens[i]! > 0) result.observe(s.tokens[i]!, s.tokenAttributes[i]);
    }
  }

  observeRequests(result: ObservableResult): void {
    for (const s of this.#all()) {
      for (const [errorType, n] of s.requests) result.observe(n, errorType ? { ...s.attributes, [A.ATTR_ERROR_TYPE]: errorType } : s.attributes);
    }
  }

  *#all(): Iterable<Series> {
    yield* this.#list;
    if (this.#overflow) yield this.#overflow;
  }
}

function newSeries(attributes: Attributes): Series {
  return {
    attributes,
    tokenAttributes: TOKEN_TYPES.map((type) => ({ ...attributes, [A.ATTR_GEN_AI_TOKEN_TYPE]: type })),
    costUsd: 0,
    priced: false,
    tokens: TOKEN_TYPES.map(() => 0),
    requests: new Map(),
  };
}

function attributesOf(r: UsageRecord, user: string | undefined): Attributes {
  const attributes: Attributes = { [A.ATTR_GEN_AI_OPERATION_NAME]: r.operation, [A.ATTR_GEN_AI_PROVIDER_NAME]: r.provider };
  if (r.requestModel) attributes[A.ATTR_GEN_AI_REQUEST_MODEL] = r.requestModel;
  if (r.responseModel) attributes[A.ATTR_GEN_AI_RESPONSE_MODEL] = r.responseModel;
  if (user !== undefined) attributes[A.ATTR_USER_ID] = user;
  if (r.agentName) attributes[A.ATTR_GEN_AI_AGENT_NAME] = r.agentName;
  return attributes;
}
