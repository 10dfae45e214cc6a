import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// The thread runs the compiled worker: this test uses the build, as apps do.
import { SqliteWriteThread } from '../../dist/store/sqlite-write-thread.js';
import { openStore } from '../../src/index.js';
import type { UsageRecord } from '../../src/index.js';

const record = (id: string): UsageRecord => ({
  id, traceId: id, spanId: id, recordedAt: new Date('2026-11-20T10:00:00Z'), durationMs: 12, serviceName: 'svc', provider: 'openai',
  operation: 'chat', requestModel: 'gpt-4o-mini', responseModel: 'gpt-4o-mini-2024-07-18', userId: 'u1', agentName: undefined,
  handoffChain: undefined, group: undefined, sessionId: undefined, conversationId: undefined, inputTokens: 10, outputTokens: 5,
  totalTokens: 15, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, costUsd: 0.001, costSource: 'table',
  usageEstimated: false, success: true, errorType: undefined, finishReason: 'stop', streaming: false, timeToFirstTokenMs: undefined, tags: { a: 'b' },
  cacheWrite1hTokens: 0, audioInputTokens: 0, audioOutputTokens: 0, imageInputTokens: 0, imageOutputTokens: 0, webSearchRequests: 0,
  serviceTier: 'flex', cacheReadSavingsUsd: 0, cacheWritePremiumUsd: 0, priceVersion: 'test',
});

describe('SqliteWriteThread', () => {
  it('inserts from a worker thread, idempotently, readable by another connection', async () => {
    expect(SqliteWriteThread.available()).toBe(true);
    const path = join(mkdtempSync(join(tmpdir(), 'genai-usage-thread-')), 'usage.db');
    const thread = new SqliteWriteThread(path);
    try {
      expect(await thread.insert([record('r1'), record('r2')])).toBe(2);
      expect(await thread.insert([record('r2'), record('r3')])).toBe(1);
    } finally {
      await thread.close();
    }
    const store = await openStore(`sqlite:${path}`);
    try {
      const rows = await store.records({ order: 'asc' });
      expect(rows.map((r) => r.id).sort()).toEqual(['r1', 'r2', 'r3']);
      expect(rows[0]).toMatchObject({ recordedAt: new Date('2026-11-20T10:00:00Z'), tags: { a: 'b' }, costUsd: 0.001 });
    } finally {
      await store.close();
    }
  });

  it('reports a store it cannot open as a StoreError, so the writer retries', async () => {
    // A directory path that runs through a regular file: ENOTDIR.
    const file = join(mkdtempSync(join(tmpdir(), 'genai-usage-thread-')), 'a-file');
    writeFileSync(file, '');
    const thread = new SqliteWriteThread(join(file, 'sub', 'usage.db'));
    try {
      await expect(thread.insert([record('x')])).rejects.toMatchObject({ name: 'StoreError' });
    } finally {
      await thread.close();
    }
  });
});

describe('SqliteWriteThread after its thread died', () => {
  it('starts a new thread for the next write', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'genai-usage-thread-')), 'usage.db');
    const thread = new SqliteWriteThread(path);
    try {
      expect(await thread.insert([record('a')])).toBe(1);
      await thread.killThread(); // as a crash would
      expect(await thread.insert([record('b'), record('a')])).toBe(1);
    } finally {
      await thread.close();
    }
    const store = await openStore(`sqlite:${path}`);
    try {
      expect((await store.records({})).map((r) => r.id).sort()).toEqual(['a', 'b']);
    } finally {
      await store.close();
    }
  });
});
