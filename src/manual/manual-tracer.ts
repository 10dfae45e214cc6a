import { trace, type Tracer } from '@opentelemetry/api';
import { VERSION } from '../version.js';

/** Tracer for calls reported by hand (`recordUsage`, `trackCall`), looked up per use so it follows the global provider. */
export function manualTracer(): Tracer {
  return trace.getTracer('genai-usage-manual', VERSION);
}
