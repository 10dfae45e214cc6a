import type { Attributes } from '@opentelemetry/api';

/** What an SDK mapping reads from a response or a finished stream. */
export interface CallOutcome {
  responseModel?: string;
  responseId?: string;
  finishReasons?: string[];
  usage?: CallUsage;
  /** The service tier the provider says it served (raw: `flex`, `priority`, `standard`, ...). */
  serviceTier?: string;
  /** A cost the provider reported in the response (OpenRouter's `usage.cost`); wins over prices. */
  providerCostUsd?: number;
  /** Output content for `gen_ai.output.messages`, only read when content capture is on. */
  outputMessages?: unknown;
  /** Provider-specific response attributes (`openai.response.service_tier`, Bedrock's latency), set as they are. */
  attributes?: Attributes;
}

/** Semconv token counts: `input` includes the cache parts, `output` the reasoning part. */
export interface CallUsage {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
  reasoning?: number;
  /** Part of `cacheWrite` written with a 1-hour TTL. */
  cacheWrite1h?: number;
  /** Parts of `input` / `output` billed at their own modality rates. */
  audioInput?: number;
  audioOutput?: number;
  imageInput?: number;
  imageOutput?: number;
  /** Server-side web searches billed per use. */
  webSearchRequests?: number;
  /** Counted with a tokenizer because the provider sent none. */
  estimated?: boolean;
}

/** Folds stream chunks into an outcome; one per streamed call. */
export interface StreamAccumulator<Chunk> {
  /** Returns true when the chunk carried content (for time to first token). */
  add(chunk: Chunk): boolean;
  /** The outcome so far; `usage` only once the stream's final usage arrived. */
  outcome(): CallOutcome;
  /** Text generated so far, for estimating output tokens. */
  outputText(): string;
  /**
   * The failure to record when iteration ended quietly before the stream's final event (the AWS
   * SDK ends it without an error on an abort or a dropped connection); undefined when complete.
   */
  incompleteError?(): unknown;
  /** Input counts already sent when the final usage never came (a stream cut short). */
  partialUsage?(): Omit<CallUsage, 'output'> | undefined;
}
