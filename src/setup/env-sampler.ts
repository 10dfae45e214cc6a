import { diag } from '@opentelemetry/api';
import type { Sampler } from '@opentelemetry/sdk-trace';

type Samplers = Pick<typeof import('@opentelemetry/sdk-trace'), 'AlwaysOffSampler' | 'AlwaysOnSampler' | 'ParentBasedSampler' | 'TraceIdRatioBasedSampler'>;

/**
 * The sampler `OTEL_TRACES_SAMPLER`/`_ARG` describe (the SDK's own builder is not exported),
 * built from the SDK's samplers (passed in: the SDK is loaded on first use).
 */
export function samplerFromEnv({ AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, TraceIdRatioBasedSampler }: Samplers, env: NodeJS.ProcessEnv = process.env): Sampler {
  const name = (env.OTEL_TRACES_SAMPLER ?? 'parentbased_always_on').trim().toLowerCase();
  const ratio = () => {
    const raw = env.OTEL_TRACES_SAMPLER_ARG;
    const value = raw === undefined || raw === '' ? 1 : Number(raw);
    if (!Number.isFinite(value) || value < 0 || value > 1) {
      diag.warn(`genai-usage: OTEL_TRACES_SAMPLER_ARG=${raw} is not a ratio in [0, 1]; using 1`);
      return 1;
    }
    return value;
  };
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio());
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio()) });
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    default:
      diag.warn(
        `genai-usage: OTEL_TRACES_SAMPLER=${name} is not supported; valid: always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio. Using parentbased_always_on.`,
      );
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}
