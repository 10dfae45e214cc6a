/**
 * The Prometheus side of the metric contract (DESIGN.md, "Metrics"), as the OpenTelemetry
 * Prometheus exporter exposes it, plus the recording rules this folder defines. Every
 * dashboard and rule expression is built from these names; anything else is rejected.
 */

/** Counters (the exporter appends `_total`). */
export const COST = 'genai_usage_cost_total';
export const TOKENS = 'genai_usage_tokens_total';
export const REQUESTS = 'genai_usage_requests_total';
export const UNPRICED = 'genai_usage_unpriced_calls_total';

/** Histogram series (no unit suffix: the exporter keeps the unit in `# UNIT` only). */
export const DURATION_BUCKET = 'gen_ai_client_operation_duration_bucket';
export const DURATION_SUM = 'gen_ai_client_operation_duration_sum';
export const DURATION_COUNT = 'gen_ai_client_operation_duration_count';
export const TOKEN_USAGE_BUCKET = 'gen_ai_client_token_usage_bucket';
export const TOKEN_USAGE_SUM = 'gen_ai_client_token_usage_sum';
export const TOKEN_USAGE_COUNT = 'gen_ai_client_token_usage_count';
export const TTFC_BUCKET = 'gen_ai_client_operation_time_to_first_chunk_bucket';
export const TTFC_SUM = 'gen_ai_client_operation_time_to_first_chunk_sum';
export const TTFC_COUNT = 'gen_ai_client_operation_time_to_first_chunk_count';

/** Budget gauges (src/budgets/budget-gauges.ts, docs/budgets.md). */
export const BUDGET_LIMIT = 'genai_usage_budget_limit';
export const BUDGET_USED = 'genai_usage_budget_used';
export const BUDGET_UTILIZATION = 'genai_usage_budget_utilization';

/** Series Prometheus itself or the exporter add. */
export const TARGET_INFO = 'target_info';
export const ALERTS = 'ALERTS';

/** Series the instrumented app exports (checked against a real `/metrics` in the e2e test). */
export const APP_METRICS = [
  COST, TOKENS, REQUESTS, UNPRICED,
  DURATION_BUCKET, DURATION_SUM, DURATION_COUNT,
  TOKEN_USAGE_BUCKET, TOKEN_USAGE_SUM, TOKEN_USAGE_COUNT,
  TTFC_BUCKET, TTFC_SUM, TTFC_COUNT,
] as const;
export const BUDGET_METRICS = [BUDGET_LIMIT, BUDGET_USED, BUDGET_UTILIZATION] as const;
export const CONTRACT_METRICS: readonly string[] = [...APP_METRICS, ...BUDGET_METRICS, TARGET_INFO, ALERTS];

/** Label names (OTel attribute names with dots turned into underscores). */
export const L = {
  job: 'job',
  operation: 'gen_ai_operation_name',
  provider: 'gen_ai_provider_name',
  model: 'gen_ai_request_model',
  responseModel: 'gen_ai_response_model',
  user: 'user_id',
  agent: 'gen_ai_agent_name',
  tokenType: 'gen_ai_token_type',
  errorType: 'error_type',
  overflow: 'otel_metric_overflow',
  le: 'le',
  budget: 'budget',
  budgetMetric: 'metric',
  period: 'period',
  alertState: 'alertstate',
  alertName: 'alertname',
  component: 'component',
} as const;

/**
 * Scope labels of the budget gauges besides `budget`, `metric` and `period` (one per scope
 * dimension of src/budgets/budget-types.ts; `tag_<key>` labels come on top and cannot be listed).
 */
export const BUDGET_SCOPE_LABELS = ['user', 'agent', 'model', 'provider', 'service', 'group'] as const;

/** The label every alert of ours (and the generated budget alerts) carries. */
export const COMPONENT = 'genai-usage';

/** Raised when an expression names a metric outside the contract and the recording rules. */
export class UnknownMetricError extends Error {
  constructor(name: string, known: readonly string[]) {
    super(`unknown metric "${name}": dashboards and rules may only use the metric contract (DESIGN.md, Metrics) or a recording rule from dashboards/prometheus/recording-rules.yaml; valid names: ${known.join(', ')}`);
    this.name = 'UnknownMetricError';
  }
}

/** Recording rules (defined in recording-rules.ts, written to prometheus/recording-rules.yaml). */
export const R = {
  spendRate5mByModel: 'job_provider_model:genai_usage_cost:rate5m',
  spendRate1hByModel: 'job_provider_model:genai_usage_cost:rate1h',
  spendRate5mByUser: 'job_user:genai_usage_cost:rate5m',
  spendRate1hByUser: 'job_user:genai_usage_cost:rate1h',
  spend1dByModel: 'job_provider_model:genai_usage_cost:increase1d',
  spend1dByUser: 'job_user:genai_usage_cost:increase1d',
  latencyP95ByModel: 'job_provider_model:gen_ai_client_operation_duration:p95_10m',
} as const;
export const RECORDED_METRICS: readonly string[] = Object.values(R);

/** Every name an expression may select. */
export const KNOWN_METRICS: readonly string[] = [...CONTRACT_METRICS, ...RECORDED_METRICS];
