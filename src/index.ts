import './node-version-check.js';

export { startUsageTracking, type UsageTracking } from './setup/start-usage-tracking.js';
export type { UsageTrackingOptions } from './setup/tracking-options.js';
export { ConfigError } from './setup/config-error.js';
export { withUsageContext, getUsageContext, setUsageContext, type UsageContext, type ResolvedUsageContext } from './context/usage-context.js';
export { onUsage, type UsageHandler, type OnUsageOptions } from './usage/usage-listeners.js';
export { recordUsage, trackCall, loadPriceData, aiSdkBudgetMiddleware } from './thin-exports.js';
export type { ManualUsage } from './manual/record-usage.js';
export type { TrackCallMeta, TrackCallOptions, ExtractedUsage } from './manual/track-call.js';
export { estimateCost, type EstimateCostInput } from './prices/estimate-cost.js';
export { PriceBook } from './prices/price-book.js';
export type { TokenPrices, CostEstimate, CallTokens } from './prices/price-types.js';
export type { PriceDataInfo } from './prices/price-data.js';
export { SERVICE_TIERS, type ServiceTier } from './prices/service-tier.js';
export type { BilledParts } from './manual/record-usage.js';
export type { UsageRecord, CostSource } from './usage/usage-record.js';
export type { SpanLike } from './usage/span-like.js';
export { spanToUsageRecord, isGenAiCallSpan } from './usage/span-mapping-api.js';
export { GenAiUsageProcessor, type GenAiUsageProcessorOptions, type UsageSink } from './usage/genai-usage-processor.js';
export { GenAiRecordingSampler } from './usage/genai-recording-sampler.js';
export type { MetricsUserMode } from './usage/usage-metrics.js';
export {
  OpenAIInstrumentation,
  AnthropicInstrumentation,
  GoogleGenAIInstrumentation,
  MistralInstrumentation,
  GoogleGenerativeAIInstrumentation,
  BedrockRuntimeInstrumentation,
} from './instrumentations/instrumentation-classes.js';
export type { LlmInstrumentationConfig } from './instrumentations/sdk-instrumentation.js';
export { addPreCallHook, type PreCallHook, type PreCallInfo } from './instrumentations/pre-call-hooks.js';
export type { AiSdkBudgetMiddleware } from './instrumentations/ai-sdk/budget-middleware.js';
export { openStore, DEFAULT_STORE_URL, type OpenStoreOptions } from './store/open-store.js';
export type {
  UsageStore, UsageFilter, AggregateQuery, AggregateRow, AggregateMeasures, TopQuery, Identity, PruneOptions, ExportOptions,
  GroupByDimension, TimeBucket, TopMetric, ExportFormat,
} from './store/usage-store.js';
export { StoreError, StoreNotFoundError, StoreQueryError } from './store/errors.js';
export { UsageWriter, UsageSpanExporter } from './exporter/exporter-classes.js';
export { USAGE_WRITER_DEFAULTS, type UsageWriterOptions, type UsageWriterStats } from './exporter/usage-writer-options.js';
export type { UsageSpanExporterOptions } from './exporter/usage-span-exporter.js';
export { BudgetExceededError, BudgetDefinitionError } from './budgets/budget-errors.js';
export { createBudgets, DEFAULT_BUDGET_REFRESH_MS } from './budgets/budgets-api.js';
export type { Budgets, BudgetsOptions, BudgetCheck } from './budgets/create-budgets.js';
export type { ReserveOptions, ThresholdHandler } from './budgets/budget-tracker.js';
export type {
  BudgetDefinition, BudgetsFile, BudgetLimit, BudgetPeriod, BudgetScope, BudgetStatus, BudgetMetric, BudgetTokenType, CalendarPeriod,
  ScopeDimension, ThresholdEvent,
} from './budgets/budget-types.js';
export type { BudgetsOption } from './budgets/wire-budgets.js';
export { renderBudgetRules, RULE_FORMATS } from './budgets/budgets-api.js';
export type { RuleFormat, RulesOptions } from './budgets/prometheus-rules.js';
export { VERSION } from './version.js';
