import * as A from '../../semconv.js';
import type { CallOutcome, StreamAccumulator } from '../call-outcome.js';
import type { CallMapping } from '../wrap-call.js';
import { num, requestAttributes, str } from '../request-attributes.js';
import { diag } from '@opentelemetry/api';
import { openAiEndpoint, requestedTier, servedTier } from './openai-client.js';

interface ResponsesParams {
  model?: string;
  input?: unknown;
  instructions?: string;
  stream?: boolean;
  temperature?: number;
  top_p?: number;
  max_output_tokens?: number;
  service_tier?: string | null;
}

interface ResponsesUsage {
  input_tokens?: number;
  output_tokens?: number;
  input_tokens_details?: { cached_tokens?: number | null; cache_write_tokens?: number | null } | null;
  output_tokens_details?: { reasoning_tokens?: number | null } | null;
  cost?: number;
}

/** Usage of the hosted tools, beside the model's own (`web_search.num_requests` counts billable searches). */
interface ToolUsage {
  web_search?: { num_requests?: number | null } | null;
  image_gen?: { input_tokens?: number | null; output_tokens?: number | null } | null;
}

interface ResponseObject {
  id?: string;
  model?: string;
  status?: string;
  incomplete_details?: { reason?: string } | null;
  usage?: ResponsesUsage | null;
  tool_usage?: ToolUsage | null;
  output?: Array<{ type?: string; action?: { type?: string } | null }> | null;
  output_text?: string;
  service_tier?: string | null;
}

interface ResponseEvent {
  type?: string;
  delta?: unknown;
  response?: ResponseObject;
  item?: { type?: string; name?: string };
}

/** `responses.create`, plain and streamed (also what `responses.stream()` calls). */
export const responsesMapping: CallMapping<ResponsesParams, ResponseObject, ResponseEvent> = {
  describe(self, params) {
    return {
      operation: A.OP_CHAT,
      ...openAiEndpoint(self),
      requestModel: str(params?.model),
      stream: params?.stream === true,
      maxOutputTokens: num(params?.max_output_tokens),
      attributes: {
        ...requestAttributes([
          [A.ATTR_GEN_AI_REQUEST_TEMPERATURE, params?.temperature],
          [A.ATTR_GEN_AI_REQUEST_TOP_P, params?.top_p],
          [A.ATTR_GEN_AI_REQUEST_MAX_TOKENS, params?.max_output_tokens],
        ]),
        ...requestedTier(params?.service_tier),
      },
    };
  },
  fromResult: (result) => fromResponse(result),
  accumulator: () => new ResponsesStreamAccumulator(),
  inputMessages: (params) => ({ instructions: params?.instructions, input: params?.input }),
  outputMessages: (result) => [{ role: 'assistant', content: result?.output_text ?? null }],
};

function fromResponse(response: ResponseObject | undefined): CallOutcome {
  const usage = response?.usage;
  const finish = response?.status === 'incomplete' ? (response.incomplete_details?.reason ?? 'incomplete') : response?.status;
  return {
    responseModel: str(response?.model),
    responseId: str(response?.id),
    finishReasons: finish ? [finish] : undefined,
    usage:
      usage && typeof usage.input_tokens === 'number'
        ? {
            input: usage.input_tokens,
            output: usage.output_tokens ?? 0,
            cacheRead: usage.input_tokens_details?.cached_tokens ?? 0,
            cacheWrite: usage.input_tokens_details?.cache_write_tokens ?? 0,
            reasoning: usage.output_tokens_details?.reasoning_tokens ?? 0,
            webSearchRequests: webSearches(response),
          }
        : undefined,
    providerCostUsd: num(usage?.cost),
    ...servedTier(response?.service_tier),
  };
}

/**
 * Billable web searches: `tool_usage.web_search.num_requests` when the response has it (it
 * leaves out discounted searches and page opens), else the `web_search_call` items whose
 * action is a search.
 */
function webSearches(response: ResponseObject): number {
  warnImageGenOnce(response.tool_usage?.image_gen);
  const reported = response.tool_usage?.web_search?.num_requests;
  if (typeof reported === 'number' && Number.isSafeInteger(reported) && reported >= 0) return reported;
  let n = 0;
  if (Array.isArray(response.output)) for (const item of response.output) if (item?.type === 'web_search_call' && (item.action?.type ?? 'search') === 'search') n++;
  return n;
}

let imageGenWarned = false;

/** The image generation tool bills its own model's tokens, which no usage field here carries yet: say so once. */
function warnImageGenOnce(usage: ToolUsage['image_gen']): void {
  if (imageGenWarned || !usage || !((usage.input_tokens ?? 0) > 0 || (usage.output_tokens ?? 0) > 0)) return;
  imageGenWarned = true;
  diag.warn('genai-usage: a Responses call used the image generation tool; its tokens (tool_usage.image_gen) are billed at the image model\'s rates and are not included in the recorded cost');
}

const FINAL_EVENTS: ReadonlySet<string> = new Set(['response.completed', 'response.incomplete', 'response.failed']);

class ResponsesStreamAccumulator implements StreamAccumulator<ResponseEvent> {
  #outcome: CallOutcome = {};
  #text: string[] = [];

  add(event: ResponseEvent): boolean {
    const type = event.type;
    if (type === 'response.output_text.delta' || type === 'response.function_call_arguments.delta' || type === 'response.refusal.delta') {
      // Function call arguments are generated tokens too: without usage they are estimated.
      if (typeof event.delta === 'string') this.#text.push(event.delta);
      return true;
    }
    if (type === 'response.output_item.added' && event.item?.type === 'function_call' && typeof event.item.name === 'string') {
      this.#text.push(event.item.name);
      return false;
    }
    if (type === 'response.created' && event.response) {
      this.#outcome = { ...fromResponse(event.response), usage: undefined, finishReasons: undefined };
    } else if (type !== undefined && FINAL_EVENTS.has(type) && event.response) {
      this.#outcome = fromResponse(event.response);
    }
    return false;
  }

  outcome(): CallOutcome {
    return { ...this.#outcome };
  }

  outputText(): string {
    return this.#text.join('');
  }
}
