import { context, propagation, createContextKey, type Context } from '@opentelemetry/api';

/** Who is calling: set once with `withUsageContext`, inherited by every LLM call below it. */
export interface UsageContext {
  userId?: string;
  /** The agent making the call; a nested agent is appended to `handoffChain`. */
  agentName?: string;
  sessionId?: string;
  conversationId?: string;
  /** A team, tenant or cost centre. */
  group?: string;
  tags?: Record<string, string>;
  /** `false` turns recording off for every call below (spans stay, usage is not counted). */
  trackUsage?: boolean;
}

/** What a call sees: the merged context plus the agent hand-off chain. */
export interface ResolvedUsageContext extends UsageContext {
  handoffChain?: readonly string[];
}

const USAGE_CONTEXT_KEY = createContextKey('genai-usage.usage-context');

/** W3C baggage keys read as a fallback and written when baggage propagation is on. */
export const BAGGAGE_KEYS = {
  userId: 'user.id',
  agentName: 'gen_ai.agent.name',
  sessionId: 'genai_usage.session.id',
  conversationId: 'gen_ai.conversation.id',
  group: 'genai_usage.group',
} as const;

let propagateAsBaggage = false;

/** Also write the usage context into W3C baggage so it crosses service boundaries. Off by default. */
export function setUsageBaggagePropagation(enabled: boolean): void {
  propagateAsBaggage = enabled;
}

/**
 * Runs `fn` with `fields` merged over the current usage context. Survives awaits, timers,
 * streams and event emitters (it rides on the OpenTelemetry context, i.e. AsyncLocalStorage).
 */
export function withUsageContext<T>(fields: UsageContext, fn: () => T): T {
  return context.with(setUsageContext(context.active(), fields), fn);
}

/** The usage context in force here (baggage fields fill what the context lacks). */
export function getUsageContext(ctx: Context = context.active()): ResolvedUsageContext {
  const own = ctx.getValue(USAGE_CONTEXT_KEY) as ResolvedUsageContext | undefined;
  const baggage = propagation.getBaggage(ctx);
  if (!baggage) return own ?? {};
  const fromBaggage: ResolvedUsageContext = {};
  for (const [field, key] of Object.entries(BAGGAGE_KEYS)) {
    const value = baggage.getEntry(key)?.value;
    if (value) fromBaggage[field as keyof typeof BAGGAGE_KEYS] = value;
  }
  return own ? { ...fromBaggage, ...own } : fromBaggage;
}

/** Returns a context carrying `fields` merged over `parent`'s usage context. */
export function setUsageContext(parent: Context, fields: UsageContext): Context {
  const outer = getUsageContext(parent);
  const merged: ResolvedUsageContext = { ...outer, ...definedOnly(fields) };
  if (outer.tags || fields.tags) merged.tags = { ...outer.tags, ...fields.tags };
  if (fields.agentName && fields.agentName !== outer.agentName) {
    const chain = outer.handoffChain ?? (outer.agentName ? [outer.agentName] : []);
    merged.handoffChain = [...chain, fields.agentName];
  }
  let ctx = parent.setValue(USAGE_CONTEXT_KEY, merged);
  if (propagateAsBaggage) ctx = writeBaggage(ctx, merged);
  return ctx;
}

function writeBaggage(ctx: Context, fields: ResolvedUsageContext): Context {
  let baggage = propagation.getBaggage(ctx) ?? propagation.createBaggage();
  for (const [field, key] of Object.entries(BAGGAGE_KEYS)) {
    const value = fields[field as keyof typeof BAGGAGE_KEYS];
    if (value) baggage = baggage.setEntry(key, { value });
  }
  return propagation.setBaggage(ctx, baggage);
}

function definedOnly(fields: UsageContext): UsageContext {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined && key !== 'tags') out[key] = value;
  return out as UsageContext;
}
