/**
 * Zero-code start: `node --import genai-usage/register app.js`. Registers the ESM loader hook
 * for the instrumented SDKs only (so `import OpenAI from 'openai'` is patched too), starts
 * tracking from the environment, and flushes on SIGTERM/SIGINT before the process exits.
 */
import './node-version-check.js';
import { diag } from '@opentelemetry/api';
import { hookedModules } from './instrumentations/registry.js';
import { registerLoaderHook } from './setup/loader-hook.js';
import { startUsageTracking } from './setup/start-usage-tracking.js';

registerLoaderHook(hookedModules());

let tracking: ReturnType<typeof startUsageTracking> | undefined;
try {
  tracking = startUsageTracking();
} catch (err) {
  // Bad configuration must be seen, but must not stop the app.
  process.emitWarning(`genai-usage: not started: ${(err as Error).message}`);
}

if (tracking) {
  const started = tracking;
  const onSignal = (signal: NodeJS.Signals) => {
    // If the app handles the signal itself, it decides when to exit; we only flush.
    const appHandles = process.listenerCount(signal) > 1;
    started.shutdown().then(
      () => {
        if (!appHandles) process.kill(process.pid, signal);
      },
      (err) => {
        diag.error('genai-usage: shutdown on signal failed', err);
        if (!appHandles) process.kill(process.pid, signal);
      },
    );
    process.removeListener(signal, onSignal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.once('beforeExit', () => {
    void started.shutdown();
  });
}

export {};
