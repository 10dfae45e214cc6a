import { diag, DiagConsoleLogger, DiagLogLevel } from '@opentelemetry/api';
import type { SpanLimits } from '@opentelemetry/sdk-trace';

/**
 * The OpenTelemetry environment variables tracking honours, read without loading the SDK
 * (`@opentelemetry/core`'s readers would load it at process start).
 */

/** `OTEL_LOG_LEVEL` (NONE, ERROR, WARN, INFO, DEBUG, VERBOSE, ALL; case-insensitive): OTel's own diagnostics on the console. */
export function setDiagLoggerFromEnv(env: NodeJS.ProcessEnv = process.env): void {
  const raw = env.OTEL_LOG_LEVEL?.trim();
  if (!raw) return;
  const level = DiagLogLevel[raw.toUpperCase() as keyof typeof DiagLogLevel];
  if (typeof level !== 'number') {
    process.emitWarning(`genai-usage: OTEL_LOG_LEVEL=${raw} is not a level; valid: NONE, ERROR, WARN, INFO, DEBUG, VERBOSE, ALL. Using INFO.`);
  }
  diag.setLogger(new DiagConsoleLogger(), { logLevel: typeof level === 'number' ? level : DiagLogLevel.INFO });
}

/** `OTEL_SDK_DISABLED=true`: register nothing. */
export function sdkDisabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true';
}

/** `OTEL_PROPAGATORS` (default `tracecontext,baggage`); `none`, or nothing valid, registers none. */
export function propagatorNamesFromEnv(env: NodeJS.ProcessEnv = process.env): Array<'tracecontext' | 'baggage'> {
  const names = [...new Set((env.OTEL_PROPAGATORS ?? 'tracecontext,baggage').split(',').map((s) => s.trim()).filter(Boolean))];
  if (names.includes('none')) return [];
  const valid: Array<'tracecontext' | 'baggage'> = [];
  for (const name of names) {
    if (name === 'tracecontext' || name === 'baggage') valid.push(name);
    else diag.warn(`genai-usage: OTEL_PROPAGATORS=${name} is not supported; valid: tracecontext, baggage, none. Ignored.`);
  }
  return valid;
}

/** The span limits the `OTEL_SPAN_*` / `OTEL_ATTRIBUTE_*` variables set (unset ones keep the SDK defaults). */
export function spanLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): SpanLimits {
  const first = (...names: string[]) => {
    for (const name of names) {
      const raw = env[name]?.trim();
      if (!raw) continue;
      const value = Number(raw);
      if (Number.isFinite(value)) return value;
      diag.warn(`genai-usage: ${name}=${raw} is not a number; ignored`);
    }
    return undefined;
  };
  return {
    attributeCountLimit: first('OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT', 'OTEL_ATTRIBUTE_COUNT_LIMIT'),
    attributeValueLengthLimit: first('OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT', 'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT'),
    eventCountLimit: first('OTEL_SPAN_EVENT_COUNT_LIMIT'),
    linkCountLimit: first('OTEL_SPAN_LINK_COUNT_LIMIT'),
    attributePerEventCountLimit: first('OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT', 'OTEL_SPAN_ATTRIBUTE_PER_EVENT_COUNT_LIMIT'),
    attributePerLinkCountLimit: first('OTEL_LINK_ATTRIBUTE_COUNT_LIMIT', 'OTEL_SPAN_ATTRIBUTE_PER_LINK_COUNT_LIMIT'),
  };
}
