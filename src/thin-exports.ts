/**
 * Public functions of the entry whose modules load with their first call (see `lazyOwnModule`):
 * an app that imports `genai-usage` and never calls them does not pay for them at start.
 * Signatures and docs are those of the functions they forward to.
 */
import type { AiSdkBudgetMiddleware } from './instrumentations/ai-sdk/budget-middleware.js';
import type { ManualUsage } from './manual/record-usage.js';
import type { TrackCallMeta, TrackCallOptions } from './manual/track-call.js';
import type { PriceDataInfo } from './prices/price-data.js';
import { lazyOwnModule } from './setup/load-own.js';

const recordUsageModule = lazyOwnModule(new URL('./manual/record-usage.js', import.meta.url), () => import('./manual/record-usage.js'));
const trackCallModule = lazyOwnModule(new URL('./manual/track-call.js', import.meta.url), () => import('./manual/track-call.js'));
const priceDataModule = lazyOwnModule(new URL('./prices/price-data.js', import.meta.url), () => import('./prices/price-data.js'));
const budgetMiddlewareModule = lazyOwnModule(new URL('./instrumentations/ai-sdk/budget-middleware.js', import.meta.url), () => import('./instrumentations/ai-sdk/budget-middleware.js'));

/**
 * Records one LLM call as a GenAI span, so it reaches metrics, listeners and the store
 * exactly like an instrumented one. Never throws; bad fields are logged and left out.
 */
export function recordUsage(usage: ManualUsage): void {
  try {
    recordUsageModule().recordUsage(usage);
  } catch {
    // Never throws (as documented), not even when its module cannot load.
  }
}

/**
 * Runs `fn` as one tracked LLM call: timed, recorded as success or failure, subject to
 * hard budgets. Returns `fn`'s result (or rethrows its error) unchanged.
 */
export function trackCall<T>(meta: TrackCallMeta, fn: () => T | Promise<T>, options: TrackCallOptions<T> = {}): Promise<T> {
  return trackCallModule().trackCall(meta, fn, options);
}

/**
 * Replaces the bundled `@pydantic/genai-prices` table with a data file the user refreshes
 * (`genai-usage prices update`, or the library's `data.json` fetched by any means). Never
 * touches the network. Records priced afterwards carry the file's version. Env
 * `GENAI_USAGE_PRICE_DATA` / option `priceData`.
 * @throws ConfigError naming the file and what is wrong with it; the current table stays.
 */
export function loadPriceData(path: string): PriceDataInfo {
  return priceDataModule().loadPriceData(path);
}

/**
 * A Vercel AI SDK language-model middleware that runs the pre-call checks (hard budgets) our
 * instrumentations run, before any request is sent:
 *
 *   const model = wrapLanguageModel({ model: openai('gpt-4o-mini'), middleware: aiSdkBudgetMiddleware() });
 */
export function aiSdkBudgetMiddleware(): AiSdkBudgetMiddleware {
  return budgetMiddlewareModule().aiSdkBudgetMiddleware();
}
