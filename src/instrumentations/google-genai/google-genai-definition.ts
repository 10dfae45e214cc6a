import type { SdkDefinition } from '../sdk-definition.js';
import { lazyOwnModule } from '../../setup/load-own.js';

// The mappings load with the first call (see `PatchTarget`).
const embed = lazyOwnModule(new URL('./embed-content.js', import.meta.url), () => import('./embed-content.js'));
const generate = lazyOwnModule(new URL('./generate-content.js', import.meta.url), () => import('./generate-content.js'));

/** What GoogleGenAIInstrumentation patches (see `SdkDefinition`). */
export const GOOGLE_GENAI_DEFINITION: SdkDefinition = {
  instrumentationName: 'genai-usage-instrumentation-google-genai',
  moduleName: '@google/genai',
  supportedVersions: ['>=1.0.0 <4'],
  targets: [
    { path: ['Models'], method: 'generateContentInternal', mapping: () => generate().generateContentMapping },
    { path: ['Models'], method: 'generateContentStreamInternal', mapping: () => generate().generateContentStreamMapping },
    { path: ['Models'], method: 'embedContentInternal', mapping: () => embed().embedContentMapping },
  ],
  roots: (mod) => [mod, mod?.default],
};
