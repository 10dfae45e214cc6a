import * as A from '../../semconv.js';
import { normaliseProviderName } from '../../usage/provider-names.js';
import { checkBeforeCall } from '../pre-call-hooks.js';

/** What the middleware reads of the AI SDK's model and call options (any spec version). */
interface ModelLike {
  readonly provider: string;
  readonly modelId: string;
}
interface CallOptionsLike {
  maxOutputTokens?: number;
}

/**
 * Language model middleware for the Vercel AI SDK (ai 5's `LanguageModelV2Middleware`, ai 7's
 * `LanguageModelV4Middleware`; the generic signatures fit both).
 */
export interface AiSdkBudgetMiddleware {
  readonly specificationVersion: 'v4';
  readonly middlewareVersion: 'v2';
  wrapGenerate<T>(options: { doGenerate: () => PromiseLike<T>; params: CallOptionsLike; model: ModelLike }): Promise<T>;
  wrapStream<T>(options: { doStream: () => PromiseLike<T>; params: CallOptionsLike; model: ModelLike }): Promise<T>;
}

/**
 * Budgets for the Vercel AI SDK. Its providers (`@ai-sdk/openai`, `@ai-sdk/anthropic`,
 * `@ai-sdk/google`, ...) call the provider APIs with `fetch`, not through an SDK we patch, so
 * nothing of ours runs before their requests: their usage is tracked from the AI SDK's own
 * spans, but a hard budget cannot block them. This middleware runs the same pre-call checks
 * our instrumentations run: an exhausted hard budget rejects the call with
 * `BudgetExceededError` before any request is sent.
 *
 *   const model = wrapLanguageModel({ model: openai('gpt-4o-mini'), middleware: aiSdkBudgetMiddleware() });
 */
export function aiSdkBudgetMiddleware(): AiSdkBudgetMiddleware {
  const check = async (model: ModelLike, params: CallOptionsLike): Promise<void> => {
    const blocked = checkBeforeCall({
      provider: normaliseProviderName(String(model?.provider ?? 'unknown')),
      operation: A.OP_CHAT,
      requestModel: typeof model?.modelId === 'string' ? model.modelId : undefined,
      maxOutputTokens: typeof params?.maxOutputTokens === 'number' ? params.maxOutputTokens : undefined,
    });
    if (blocked) throw blocked;
  };
  return {
    specificationVersion: 'v4',
    middlewareVersion: 'v2',
    async wrapGenerate({ doGenerate, params, model }) {
      await check(model, params);
      return doGenerate();
    },
    async wrapStream({ doStream, params, model }) {
      await check(model, params);
      return doStream();
    },
  };
}
