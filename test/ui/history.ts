// For the screenshots only: the tracked workload's calls replayed over the two weeks before
// them (each day a few copies of each call, deterministic), so charts have a shape.
import { join } from 'node:path';
import { openStore, type UsageRecord } from '../../src/index.js';
import type { WorkloadStore } from './workload.js';

const DAY = 864e5;

export async function historyStore(workload: WorkloadStore): Promise<{ url: string; cleanup(): void }> {
  const url = `sqlite:${join(workload.dir, 'history.db')}`;
  const source = await openStore(workload.url, { readOnly: true });
  const target = await openStore(url);
  try {
    const calls = await source.records({ limit: 1000, order: 'asc' });
    const copies: UsageRecord[] = [...calls];
    for (let day = 1; day <= 13; day++) {
      // Busier mid-week, quieter at weekends: 1 to 4 copies of each request.
      const copiesToday = 1 + ((day * 7) % 4);
      for (let copy = 0; copy < copiesToday; copy++) {
        const shift = day * DAY + copy * 3 * 36e5;
        const suffix = `${day.toString(16).padStart(2, '0')}${copy}`;
        for (const call of calls) {
          const traceId = `${call.traceId.slice(0, 29)}${suffix}`;
          copies.push({
            ...call,
            id: `${traceId}-${call.spanId}`,
            traceId,
            recordedAt: new Date(call.recordedAt.getTime() - shift),
            sessionId: call.sessionId ? `${call.sessionId}-d${day}-${copy}` : undefined,
          });
        }
      }
    }
    await target.insert(copies);
  } finally {
    await source.close();
    await target.close();
  }
  return { url, cleanup: () => undefined };
}
