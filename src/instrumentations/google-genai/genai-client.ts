import type { LlmCallSpec } from '../llm-call.js';
import { serverOf, str } from '../request-attributes.js';

type Endpoint = Pick<LlmCallSpec, 'provider' | 'serverAddress' | 'serverPort'>;

interface ApiClientLike {
  isVertexAI?(): boolean;
  getBaseUrl?(): string;
}

/** Where a `Models` instance sends its requests: `gcp.vertex_ai` in Vertex mode, else `gcp.gemini`. */
export function genaiEndpoint(self: unknown): Endpoint {
  const client = (self as { apiClient?: ApiClientLike } | undefined)?.apiClient;
  const vertex = safely(() => client?.isVertexAI?.()) === true;
  const server = serverOf(safely(() => client?.getBaseUrl?.()));
  return { provider: vertex ? 'gcp.vertex_ai' : 'gcp.gemini', serverAddress: server?.host, serverPort: server?.port };
}

/**
 * The model id prices know: `models/gemini-2.5-flash`, `publishers/google/models/gemini-2.5-flash`
 * and `projects/p/locations/l/publishers/google/models/gemini-2.5-flash` all name `gemini-2.5-flash`.
 * Tuned models and endpoints (`tunedModels/123`, `projects/.../endpoints/456`) are kept whole.
 */
export function modelId(model: unknown): string | undefined {
  const name = str(model);
  if (name === undefined) return undefined;
  const at = name.lastIndexOf('models/');
  // `tunedModels/` has a capital M, so only a whole `models/` path segment matches.
  if (at === 0 || (at > 0 && name[at - 1] === '/')) return name.slice(at + 'models/'.length) || name;
  return name;
}

function safely<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
