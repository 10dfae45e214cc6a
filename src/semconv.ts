/**
 * Every attribute and metric name this package reads or writes, in one place.
 * The GenAI names are copied from `@opentelemetry/semantic-conventions/incubating`
 * (which marks them unstable and advises copying), plus the older names that other
 * instrumentations still emit, and our own `genai_usage.*` names.
 */

// Semantic-convention span attributes.
export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const ATTR_GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
export const ATTR_GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
export const ATTR_GEN_AI_REQUEST_TEMPERATURE = 'gen_ai.request.temperature';
export const ATTR_GEN_AI_REQUEST_MAX_TOKENS = 'gen_ai.request.max_tokens';
export const ATTR_GEN_AI_REQUEST_TOP_P = 'gen_ai.request.top_p';
export const ATTR_GEN_AI_REQUEST_TOP_K = 'gen_ai.request.top_k';
export const ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY = 'gen_ai.request.frequency_penalty';
export const ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY = 'gen_ai.request.presence_penalty';
export const ATTR_GEN_AI_REQUEST_STOP_SEQUENCES = 'gen_ai.request.stop_sequences';
export const ATTR_GEN_AI_REQUEST_SEED = 'gen_ai.request.seed';
export const ATTR_GEN_AI_REQUEST_CHOICE_COUNT = 'gen_ai.request.choice.count';
export const ATTR_GEN_AI_REQUEST_ENCODING_FORMATS = 'gen_ai.request.encoding_formats';
export const ATTR_GEN_AI_REQUEST_STREAM = 'gen_ai.request.stream';
export const ATTR_GEN_AI_RESPONSE_ID = 'gen_ai.response.id';
export const ATTR_GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
export const ATTR_GEN_AI_RESPONSE_FINISH_REASONS = 'gen_ai.response.finish_reasons';
export const ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK = 'gen_ai.response.time_to_first_chunk';
export const ATTR_GEN_AI_OUTPUT_TYPE = 'gen_ai.output.type';
export const ATTR_GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens';
export const ATTR_GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';
export const ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS = 'gen_ai.usage.cache_read.input_tokens';
export const ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS = 'gen_ai.usage.cache_creation.input_tokens';
/** The Anthropic SDK's name for cache creation tokens; written beside the semconv one. */
export const ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS = 'gen_ai.usage.cache_write.input_tokens';
export const ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS = 'gen_ai.usage.reasoning.output_tokens';
export const ATTR_GEN_AI_CONVERSATION_ID = 'gen_ai.conversation.id';
export const ATTR_GEN_AI_AGENT_NAME = 'gen_ai.agent.name';
export const ATTR_GEN_AI_INPUT_MESSAGES = 'gen_ai.input.messages';
export const ATTR_GEN_AI_OUTPUT_MESSAGES = 'gen_ai.output.messages';
export const ATTR_GEN_AI_SYSTEM_INSTRUCTIONS = 'gen_ai.system_instructions';
export const ATTR_GEN_AI_TOKEN_TYPE = 'gen_ai.token.type';
export const ATTR_SERVER_ADDRESS = 'server.address';
export const ATTR_SERVER_PORT = 'server.port';
export const ATTR_ERROR_TYPE = 'error.type';
export const ATTR_HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code';
export const ATTR_USER_ID = 'user.id';
export const ATTR_SERVICE_NAME = 'service.name';
export const ATTR_CLOUD_REGION = 'cloud.region';

// Older names, still emitted by some instrumentations (OpenLLMetry, older contrib releases).
export const ATTR_GEN_AI_SYSTEM = 'gen_ai.system';
export const ATTR_GEN_AI_USAGE_PROMPT_TOKENS = 'gen_ai.usage.prompt_tokens';
export const ATTR_GEN_AI_USAGE_COMPLETION_TOKENS = 'gen_ai.usage.completion_tokens';
export const ATTR_LLM_USAGE_CACHE_READ_INPUT_TOKENS = 'gen_ai.usage.cache_read_input_tokens';
export const ATTR_LLM_USAGE_CACHE_CREATION_INPUT_TOKENS = 'gen_ai.usage.cache_creation_input_tokens';
export const ATTR_LLM_USAGE_REASONING_TOKENS = 'gen_ai.usage.reasoning_tokens';

// Ours.
export const ATTR_SESSION_ID = 'genai_usage.session.id';
export const ATTR_GROUP = 'genai_usage.group';
export const ATTR_HANDOFF_CHAIN = 'genai_usage.handoff_chain';
/** Tags are flattened: `genai_usage.tag.<key>`. */
export const ATTR_TAG_PREFIX = 'genai_usage.tag.';
export const ATTR_COST_USD = 'genai_usage.cost.usd';
export const ATTR_COST_INPUT_USD = 'genai_usage.cost.input_usd';
export const ATTR_COST_OUTPUT_USD = 'genai_usage.cost.output_usd';
export const ATTR_COST_SOURCE = 'genai_usage.cost.source';
export const ATTR_USAGE_ESTIMATED = 'genai_usage.usage.estimated';
/** What cached reads saved against the uncached input rate, USD. */
export const ATTR_COST_CACHE_READ_SAVINGS_USD = 'genai_usage.cost.cache_read_savings_usd';
/** What cache writes cost above the uncached input rate, USD. */
export const ATTR_COST_CACHE_WRITE_PREMIUM_USD = 'genai_usage.cost.cache_write_premium_usd';
/** Server-side web searches' share of the cost, USD (neither input nor output). */
export const ATTR_COST_WEB_SEARCH_USD = 'genai_usage.cost.web_search_usd';
/** Which price table priced the call (`genai-prices@0.1.8+tiers@2026-11-01`, `override`). */
export const ATTR_PRICE_VERSION = 'genai_usage.cost.price_version';
/** Why a call's cost is unknown: `model not in the price table`, `no flex tier price for openai gpt-4.1-nano`, `no audio input price`, ... */
export const ATTR_COST_UNKNOWN_REASON = 'genai_usage.cost.unknown_reason';
// Billed dimensions beyond input/output (issue 12). Counts are parts of input or output, never
// additive to them; the tier is the one the provider says it served, normalised.
/** `default` | `flex` | `priority` | `batch` | `scale` (Anthropic's `standard` → `default`). */
export const ATTR_SERVICE_TIER = 'genai_usage.service_tier';
export const ATTR_OPENAI_REQUEST_SERVICE_TIER = 'openai.request.service_tier';
export const ATTR_OPENAI_RESPONSE_SERVICE_TIER = 'openai.response.service_tier';
/** Part of the cache write tokens written with a 1-hour TTL (Anthropic `ephemeral_1h_input_tokens`). */
export const ATTR_USAGE_CACHE_WRITE_1H_INPUT_TOKENS = 'genai_usage.usage.cache_write_1h.input_tokens';
export const ATTR_USAGE_AUDIO_INPUT_TOKENS = 'genai_usage.usage.audio.input_tokens';
export const ATTR_USAGE_AUDIO_OUTPUT_TOKENS = 'genai_usage.usage.audio.output_tokens';
export const ATTR_USAGE_IMAGE_INPUT_TOKENS = 'genai_usage.usage.image.input_tokens';
export const ATTR_USAGE_IMAGE_OUTPUT_TOKENS = 'genai_usage.usage.image.output_tokens';
/** Server-side web searches billed per use (Anthropic `server_tool_use.web_search_requests`, OpenAI web search calls). */
export const ATTR_USAGE_WEB_SEARCH_REQUESTS = 'genai_usage.usage.web_search.requests';
/** The provider's own measure of the call in ms (Bedrock `metrics.latencyMs`, `invocationMetrics.invocationLatency`). */
export const ATTR_PROVIDER_LATENCY_MS = 'genai_usage.provider.latency_ms';
/** Set on a call span when `trackUsage: false` was in force: the span is kept, the usage is not counted. */
export const ATTR_UNTRACKED = 'genai_usage.untracked';
/** Set on another instrumentation's span of a call one of our spans already counts (the Anthropic SDK's native span): not a record. */
export const ATTR_DUPLICATE_CALL = 'genai_usage.duplicate_call';
/** Set by the budgets pre-call hook on a call it blocked. */
export const ATTR_BLOCKED_BY_BUDGET = 'genai_usage.budget.blocked';

// Operation names.
export const OP_CHAT = 'chat';
export const OP_TEXT_COMPLETION = 'text_completion';
export const OP_EMBEDDINGS = 'embeddings';
export const OP_GENERATE_CONTENT = 'generate_content';
/** Operations that are one billable model call. Agent, tool and workflow spans are not. */
export const CALL_OPERATIONS: ReadonlySet<string> = new Set([OP_CHAT, OP_TEXT_COMPLETION, OP_EMBEDDINGS, OP_GENERATE_CONTENT]);

// Token types on metrics.
export const TOKEN_TYPE_INPUT = 'input';
export const TOKEN_TYPE_OUTPUT = 'output';
export const TOKEN_TYPE_CACHE_READ = 'cache_read';
export const TOKEN_TYPE_CACHE_WRITE = 'cache_write';
export const TOKEN_TYPE_REASONING = 'reasoning';
// Parts of input or output (issue 12), never additive to them: `cache_write_1h` is part of
// `cache_write`; `audio_*` and `image_*` are parts of `input` / `output`.
export const TOKEN_TYPE_CACHE_WRITE_1H = 'cache_write_1h';
export const TOKEN_TYPE_AUDIO_INPUT = 'audio_input';
export const TOKEN_TYPE_AUDIO_OUTPUT = 'audio_output';
export const TOKEN_TYPE_IMAGE_INPUT = 'image_input';
export const TOKEN_TYPE_IMAGE_OUTPUT = 'image_output';

// Metric names.
export const METRIC_TOKEN_USAGE = 'gen_ai.client.token.usage';
export const METRIC_OPERATION_DURATION = 'gen_ai.client.operation.duration';
export const METRIC_TIME_TO_FIRST_CHUNK = 'gen_ai.client.operation.time_to_first_chunk';
export const METRIC_COST = 'genai_usage.cost';
export const METRIC_TOKENS = 'genai_usage.tokens';
export const METRIC_REQUESTS = 'genai_usage.requests';
export const METRIC_UNPRICED = 'genai_usage.unpriced_calls';

/** Semconv histogram buckets for `gen_ai.client.token.usage`. */
export const TOKEN_USAGE_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
/** Semconv histogram buckets for `gen_ai.client.operation.duration` (seconds). */
export const DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
/** Semconv histogram buckets for `gen_ai.client.operation.time_to_first_chunk` (seconds). */
export const TTFC_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
