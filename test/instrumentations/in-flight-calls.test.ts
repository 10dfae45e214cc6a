import { describe, expect, it } from 'vitest';
import { callEnded, callStarted, endInFlightCalls, inFlightCallCount, MAX_TRACKED_CALLS, type InFlightCall } from '../../src/instrumentations/in-flight-calls.js';
import { startHarness } from '../support/tracking-harness.js';

const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hi' }] };

describe('calls in flight at forceFlush and shutdown', () => {
  it('forceFlush leaves an open call alone; shutdown ends it as InterruptedByShutdown, cost unknown', async () => {
    const h = await startHarness();
    try {
      h.server.enqueue({ fixture: 'openai/chat-completion', hang: true });
      const pending = h.openai().chat.completions.create(chat).then(
        () => 'resolved',
        (err: Error) => err.constructor.name,
      );
      while (h.server.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
      await h.tracking.forceFlush();
      expect(h.records).toHaveLength(0);
      expect(inFlightCallCount()).toBe(1);
      await h.tracking.shutdown();
      expect(inFlightCallCount()).toBe(0);
      const [record] = await h.waitForRecords(1);
      expect(h.records).toHaveLength(1);
      // Sent, maybe billed, but no counts: unknown, never $0.
      expect(record).toMatchObject({ success: false, errorType: 'InterruptedByShutdown', provider: 'openai', costSource: 'unknown' });
      expect(record!.costUsd).toBeUndefined();
      await h.server.close();
      // The app's own call is untouched by our ending its span: it fails as the connection does.
      expect(await pending).toBe('APIConnectionError');
    } finally {
      await h.close();
    }
  });

  it('a call whose SDK finished but whose end is pending gets its own end, not the interruption', async () => {
    const ended: string[] = [];
    let finish!: () => void;
    const work = new Promise<void>((resolve) => (finish = resolve)).then(() => ended.push('estimate'));
    const call: InFlightCall = {
      pendingEnd: work,
      interrupt: () => ended.push('interrupt'),
      endNow: () => ended.push('endNow'),
    };
    const entry = callStarted(call);
    const done = endInFlightCalls(5000);
    setTimeout(finish, 20);
    expect(await done).toBe(0);
    expect(ended[0]).toBe('estimate');
    expect(ended).not.toContain('interrupt');
    callEnded(entry);
    expect(inFlightCallCount()).toBe(0);
  });

  it('out of time, a pending end is ended with what it has', async () => {
    const ended: string[] = [];
    const call: InFlightCall = { pendingEnd: new Promise(() => {}), interrupt: () => ended.push('interrupt'), endNow: () => ended.push('endNow') };
    callStarted(call);
    await endInFlightCalls(10);
    expect(ended).toEqual(['endNow']);
    expect(inFlightCallCount()).toBe(0);
  });

  it(`tracks at most ${MAX_TRACKED_CALLS} unended calls (a result never read never ends)`, () => {
    const entries = [];
    for (let i = 0; i < MAX_TRACKED_CALLS + 5; i++) entries.push(callStarted({ pendingEnd: undefined, interrupt() {}, endNow() {} }));
    expect(inFlightCallCount()).toBe(MAX_TRACKED_CALLS);
    // The five oldest were dropped: ending them again changes nothing.
    for (const entry of entries) callEnded(entry);
    expect(inFlightCallCount()).toBe(0);
  });

  it('ends calls in any order, oldest and newest included', async () => {
    const ended: number[] = [];
    const entries = [0, 1, 2, 3, 4].map((i) => callStarted({ pendingEnd: undefined, interrupt: () => ended.push(i), endNow() {} }));
    callEnded(entries[2]!);
    callEnded(entries[0]!);
    callEnded(entries[4]!);
    expect(inFlightCallCount()).toBe(2);
    expect(await endInFlightCalls(10)).toBe(2);
    expect(ended).toEqual([1, 3]);
    expect(inFlightCallCount()).toBe(0);
  });
});
