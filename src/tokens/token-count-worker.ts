// Runs in a worker thread: loading the o200k encoding takes ~250 ms of synchronous work, and
// counting long texts takes more; neither may stall the application's event loop.
import { parentPort } from 'node:worker_threads';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';

parentPort!.on('message', ({ id, texts }: { id: number; texts: string[] }) => {
  try {
    parentPort!.postMessage({ id, counts: texts.map((text) => countTokens(text)) });
  } catch (error) {
    parentPort!.postMessage({ id, error: (error as Error)?.message ?? String(error) });
  }
});
