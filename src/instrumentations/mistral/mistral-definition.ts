import type { SdkDefinition } from '../sdk-definition.js';
import { lazyOwnModule } from '../../setup/load-own.js';

// The mappings load with the first call (see `PatchTarget`).
const chat = lazyOwnModule(new URL('./chat-completions.js', import.meta.url), () => import('./chat-completions.js'));
const embeddings = lazyOwnModule(new URL('./embeddings.js', import.meta.url), () => import('./embeddings.js'));

/** What MistralInstrumentation patches (see `SdkDefinition`). */
export const MISTRAL_DEFINITION: SdkDefinition = {
  instrumentationName: 'genai-usage-instrumentation-mistral',
  moduleName: '@mistralai/mistralai',
  supportedVersions: ['>=1.0.0 <3'],
  targets: [
    { path: ['Chat'], method: 'complete', mapping: () => chat().chatCompleteMapping },
    { path: ['Chat'], method: 'parse', mapping: () => chat().chatCompleteMapping },
    { path: ['Chat'], method: 'stream', mapping: () => chat().chatStreamMapping },
    { path: ['Chat'], method: 'parseStream', mapping: () => chat().chatStreamMapping },
    { path: ['Embeddings'], method: 'create', mapping: () => embeddings().embeddingsMapping },
    { path: ['Fim'], method: 'complete', mapping: () => chat().fimCompleteMapping },
    { path: ['Fim'], method: 'stream', mapping: () => chat().fimStreamMapping },
  ],
  roots: (mod) => [resourceClasses(mod)],
};

const found = new WeakMap<object, Record<string, unknown>>();

/**
 * The SDK exports only its `Mistral` client; the resource classes are reached through its lazy
 * getters (`get chat() { return this._chat ??= new Chat(this._options) }`), called once on a
 * stand-in `this` (a resource constructor only stores options: no I/O).
 */
function resourceClasses(mod: any): Record<string, unknown> {
  const Client = mod?.Mistral ?? mod?.default?.Mistral ?? mod?.default;
  const proto = Client?.prototype;
  if (!proto) return {};
  let classes = found.get(proto);
  if (!classes) {
    const classOf = (name: string): unknown => {
      const get = Object.getOwnPropertyDescriptor(proto, name)?.get;
      try {
        return get ? (get.call({ _options: {} }) as { constructor?: unknown } | undefined)?.constructor : undefined;
      } catch {
        return undefined;
      }
    };
    classes = { Chat: classOf('chat'), Embeddings: classOf('embeddings'), Fim: classOf('fim') };
    found.set(proto, classes);
  }
  return classes;
}
