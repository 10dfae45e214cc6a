import { setImmediate as nextTurn } from 'node:timers/promises';

/** Records handled between two turns of the event loop: ~2-5 ms of formatting on this machine. */
export const SLICE_RECORDS = 500;

/** Resolves on the event loop's next turn (after pending I/O callbacks). */
export { nextTurn };

/**
 * `items` in consecutive slices, with a turn of the event loop between two slices. A batch of
 * 10,000 records took 100-250 ms of one synchronous stretch to check and format for ClickHouse:
 * the app's (or the collector's) requests waited that long behind it.
 */
export async function* inSlices<T>(items: readonly T[], size = SLICE_RECORDS): AsyncGenerator<readonly T[]> {
  for (let i = 0; i < items.length; i += size) {
    if (i > 0) await nextTurn();
    yield items.slice(i, i + size);
  }
}
