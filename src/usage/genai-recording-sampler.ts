import { SamplingDecision, type Attributes, type Context, type Link, type SpanKind } from '@opentelemetry/api';
import type { Sampler, SamplingResult } from '@opentelemetry/sdk-trace';
import * as A from '../semconv.js';

/**
 * Sampling never hides spend: a GenAI span the app's sampler would drop is still recorded
 * (so the usage processor sees it) but not sampled (so trace export still follows the
 * app's sampling). Unlike `createAlwaysRecordSampler`, other spans keep their decision,
 * so HTTP and DB spans cost nothing extra.
 */
export class GenAiRecordingSampler implements Sampler {
  constructor(readonly inner: Sampler) {}

  shouldSample(context: Context, traceId: string, name: string, kind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult {
    const result = this.inner.shouldSample(context, traceId, name, kind, attributes, links);
    if (
      result.decision === SamplingDecision.NOT_RECORD &&
      (attributes[A.ATTR_GEN_AI_OPERATION_NAME] !== undefined || attributes[A.ATTR_GEN_AI_SYSTEM] !== undefined)
    ) {
      return { ...result, decision: SamplingDecision.RECORD };
    }
    return result;
  }

  toString(): string {
    return `GenAiRecordingSampler{${this.inner.toString()}}`;
  }
}
