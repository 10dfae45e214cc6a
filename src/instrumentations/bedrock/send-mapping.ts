import type { Attributes } from '@opentelemetry/api';
import * as A from '../../semconv.js';
import { BEDROCK_PROVIDER } from '../../prices/bedrock-model-id.js';
import type { CallOutcome, StreamAccumulator } from '../call-outcome.js';
import type { LlmCallSpec } from '../llm-call.js';
import { observeAsyncIterable } from '../observe-stream.js';
import { num, requestAttributes, str } from '../request-attributes.js';
import type { CallMapping } from '../wrap-call.js';
import { endpointAttributes } from './bedrock-endpoint.js';
import { ConverseStreamAccumulator, converseOutcome, type ConverseResult } from './converse.js';
import { describeInvokeBody, invokeInput, invokeOutcome, invokeOutput, MAX_REQUEST_BODY_BYTES, MAX_RESPONSE_BODY_BYTES, parseJsonBody, type Json } from './invoke-body.js';
import { InvokeStreamAccumulator } from './invoke-stream.js';

/** The LLM operations of `BedrockRuntimeClient.send`; every other command passes through untouched. */
const CONVERSE = 'Converse';
const CONVERSE_STREAM = 'ConverseStream';
const INVOKE = 'InvokeModel';
const INVOKE_STREAM = 'InvokeModelWithResponseStream';
const OPERATIONS: ReadonlySet<string> = new Set([CONVERSE, CONVERSE_STREAM, INVOKE, INVOKE_STREAM]);

interface Command {
  input?: Json;
  /** Schema-based SDK builds: `[9, namespace, "Converse", traits, input, output]`. */
  schema?: unknown;
  constructor?: { name?: string };
}

/** The operation a command runs: from its schema (names survive bundling), else its class name. */
export function operationOf(command: Command | undefined): string | undefined {
  const schema = command?.schema;
  const name = Array.isArray(schema) && typeof schema[2] === 'string' ? schema[2] : command?.constructor?.name?.replace(/Command$/, '');
  return name && OPERATIONS.has(name) ? name : undefined;
}

/** Anything with `aborted`: the SDK takes the DOM `AbortSignal` and its own look-alike. */
export interface AbortSignalLike {
  readonly aborted?: boolean;
}

/** The `abortSignal` each command was last sent with: the SDK ends an aborted stream quietly. */
const abortSignals = new WeakMap<object, AbortSignalLike>();
export function rememberAbortSignal(command: unknown, options: unknown): void {
  if (typeof command !== 'object' || command === null) return;
  const signal = (options as { abortSignal?: unknown } | undefined)?.abortSignal;
  if (typeof signal === 'object' && signal !== null && 'aborted' in signal) abortSignals.set(command, signal as AbortSignalLike);
  else abortSignals.delete(command);
}

/** Parsed request bodies, so describing, capturing and estimating parse once. */
const requestBodies = new WeakMap<object, Json | undefined>();
function requestBody(command: Command): Json | undefined {
  if (!requestBodies.has(command)) requestBodies.set(command, parseJsonBody(command.input?.body, MAX_REQUEST_BODY_BYTES));
  return requestBodies.get(command);
}

/** Parsed response bodies, shared by the outcome and content capture. */
const responseBodies = new WeakMap<object, Json | undefined>();
function responseBody(body: Uint8Array): Json | undefined {
  if (!responseBodies.has(body)) responseBodies.set(body, parseJsonBody(body, MAX_RESPONSE_BODY_BYTES));
  return responseBodies.get(body);
}

function describe(client: unknown, command: Command): LlmCallSpec | undefined {
  const operation = operationOf(command);
  if (!operation) return undefined;
  const input = command.input ?? {};
  const modelId = str(input.modelId);
  const stream = operation === CONVERSE_STREAM || operation === INVOKE_STREAM;
  let spec: LlmCallSpec;
  if (operation === CONVERSE || operation === CONVERSE_STREAM) {
    const config = (input.inferenceConfig ?? {}) as Json;
    spec = {
      operation: A.OP_CHAT,
      provider: BEDROCK_PROVIDER,
      requestModel: modelId,
      stream,
      maxOutputTokens: num(config.maxTokens),
      attributes: requestAttributes([
        [A.ATTR_GEN_AI_REQUEST_MAX_TOKENS, config.maxTokens],
        [A.ATTR_GEN_AI_REQUEST_TEMPERATURE, config.temperature],
        [A.ATTR_GEN_AI_REQUEST_TOP_P, config.topP],
        [A.ATTR_GEN_AI_REQUEST_STOP_SEQUENCES, config.stopSequences],
      ]),
    };
  } else {
    const request = describeInvokeBody(requestBody(command), modelId);
    spec = { operation: request.operation, provider: BEDROCK_PROVIDER, requestModel: modelId, stream, maxOutputTokens: request.maxOutputTokens, attributes: request.attributes };
  }
  const endpoint = endpointAttributes(client);
  if (endpoint instanceof Promise) spec.pendingAttributes = endpoint;
  else if (endpoint) spec.attributes = { ...spec.attributes, ...(endpoint as Attributes) };
  return spec;
}

function isInvokeResult(result: unknown): result is { body: Uint8Array } {
  return (result as { body?: unknown } | undefined)?.body instanceof Uint8Array;
}

/**
 * `BedrockRuntimeClient.send(command)` for Converse, ConverseStream, InvokeModel and
 * InvokeModelWithResponseStream. The aggregated client (`new BedrockRuntime().converse()`)
 * builds the command and calls `send`, so each call is seen once, whichever way it is made.
 */
export const bedrockSendMapping: CallMapping<Command, unknown, unknown> = {
  describe,
  fromResult(result): CallOutcome {
    return isInvokeResult(result) ? invokeOutcome(responseBody(result.body)) : converseOutcome(result as ConverseResult);
  },
  accumulator(command): StreamAccumulator<unknown> {
    const signal = command ? abortSignals.get(command) : undefined;
    return (operationOf(command) === CONVERSE_STREAM ? new ConverseStreamAccumulator(signal) : new InvokeStreamAccumulator(signal)) as StreamAccumulator<unknown>;
  },
  // ConverseStream's events are in `stream`, InvokeModelWithResponseStream's in `body`.
  observeStream(result, observer) {
    const holder = result as { stream?: unknown; body?: unknown } | undefined;
    return observeAsyncIterable(holder?.stream ?? holder?.body, observer);
  },
  estimateInput(command) {
    const input = command?.input;
    return operationOf(command) === CONVERSE_STREAM ? [input?.system, input?.messages] : invokeInput(requestBody(command));
  },
  inputMessages(command) {
    const input = command?.input;
    const op = operationOf(command);
    return op === CONVERSE || op === CONVERSE_STREAM ? { system: input?.system, messages: input?.messages } : invokeInput(requestBody(command));
  },
  outputMessages(result) {
    if (isInvokeResult(result)) return invokeOutput(responseBody(result.body));
    const r = result as ConverseResult | undefined;
    return [{ role: 'assistant', content: r?.output?.message?.content ?? null, finish_reason: r?.stopReason }];
  },
};
