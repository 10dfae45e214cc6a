import { createContextKey, type Context } from '@opentelemetry/api';

/**
 * Tracing suppression as `@opentelemetry/core` marks it (exporters' own I/O makes no spans),
 * without loading core at process start. `createContextKey` is `Symbol.for(description)`, so
 * every copy of core and this module use the same key; a test checks them against core.
 */
const SUPPRESS_TRACING = createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING');

export function suppressTracing(ctx: Context): Context {
  return ctx.setValue(SUPPRESS_TRACING, true);
}

export function isTracingSuppressed(ctx: Context): boolean {
  return ctx.getValue(SUPPRESS_TRACING) === true;
}
