import type { SdkDefinition } from '../sdk-definition.js';
import { lazyOwnModule } from '../../setup/load-own.js';

// The mapping loads with the first call (see `PatchTarget`).
const sendMapping = lazyOwnModule(new URL('./send-mapping.js', import.meta.url), () => import('./send-mapping.js'));

type Send = (this: unknown, ...args: any[]) => any;

/**
 * What `wrapCall` does not see of `send(command, options?, callback?)`: the options'
 * `abortSignal` (an aborted stream ends quietly), and the callback form (what the aggregated
 * client uses when given a callback), which runs through the promise form while the callback is
 * called as the SDK calls it: `callback(null, output)` or `callback(error)`, its exceptions
 * swallowed, nothing returned.
 */
function adaptSend(instrumented: Send): Send {
  return function send(this: unknown, command: unknown, optionsOrCb?: unknown, cb?: unknown) {
    const callback = typeof optionsOrCb === 'function' ? optionsOrCb : cb;
    const options = typeof optionsOrCb === 'function' ? undefined : optionsOrCb;
    sendMapping().rememberAbortSignal(command, options);
    if (typeof callback !== 'function') return instrumented.apply(this, arguments as unknown as unknown[]);
    (instrumented.call(this, command, options) as Promise<unknown>)
      .then(
        (output) => callback(null, output),
        (err: unknown) => callback(err),
      )
      .catch(() => {});
    return undefined;
  };
}

/** What BedrockRuntimeInstrumentation patches (see `SdkDefinition`). */
export const BEDROCK_RUNTIME_DEFINITION: SdkDefinition = {
  instrumentationName: 'genai-usage-instrumentation-bedrock-runtime',
  moduleName: '@aws-sdk/client-bedrock-runtime',
  supportedVersions: ['>=3.0.0 <4'],
  targets: [{ path: ['BedrockRuntimeClient'], method: 'send', mapping: () => sendMapping().bedrockSendMapping, adapt: adaptSend }],
  // The module (CJS exports or ESM namespace), or the client class itself.
  roots: (mod) => [mod, mod?.default, typeof mod === 'function' ? { BedrockRuntimeClient: mod } : undefined],
};
