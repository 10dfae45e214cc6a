import { EventEmitter } from 'node:events';
import { context, propagation } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { getUsageContext, withUsageContext } from '../../src/index.js';
import { useHarness } from '../support/tracking-harness.js';

const h = useHarness();

const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hi' }] };

describe('withUsageContext', () => {
  it('stamps user, agent, session, conversation, group and tags on the call span and record', async () => {
    h.server.enqueue('openai/chat-completion');
    await withUsageContext(
      { userId: 'u-42', agentName: 'SupportAgent', sessionId: 's-1', conversationId: 'c-9', group: 'team-a', tags: { feature: 'chat' } },
      () => h.openai().chat.completions.create(chat),
    );
    const [span] = await h.callSpans();
    expect(span!.attributes).toMatchObject({
      'user.id': 'u-42',
      'gen_ai.agent.name': 'SupportAgent',
      'genai_usage.session.id': 's-1',
      'gen_ai.conversation.id': 'c-9',
      'genai_usage.group': 'team-a',
      'genai_usage.tag.feature': 'chat',
    });
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ userId: 'u-42', agentName: 'SupportAgent', sessionId: 's-1', conversationId: 'c-9', group: 'team-a', tags: { feature: 'chat' } });
  });

  it('nested contexts merge; a nested agent records the hand-off chain', async () => {
    h.server.enqueue('openai/chat-completion', 'openai/chat-completion');
    await withUsageContext({ userId: 'u-1', agentName: 'Triage', tags: { a: '1' } }, async () => {
      await h.openai().chat.completions.create(chat);
      await withUsageContext({ agentName: 'Billing', tags: { b: '2' } }, async () => {
        expect(getUsageContext()).toMatchObject({ userId: 'u-1', agentName: 'Billing', handoffChain: ['Triage', 'Billing'], tags: { a: '1', b: '2' } });
        await h.openai().chat.completions.create(chat);
      });
    });
    const records = await h.waitForRecords(2);
    expect(records.map((r) => [r.agentName, r.handoffChain, r.userId])).toEqual([
      ['Triage', undefined, 'u-1'],
      ['Billing', 'Triage > Billing', 'u-1'],
    ]);
    expect(records[1]!.tags).toEqual({ a: '1', b: '2' });
  });

  it('survives timers, event emitters and streams', async () => {
    h.server.enqueue('openai/chat-completion', 'openai/chat-completion', 'openai/chat-completion-stream-usage');
    const emitter = new EventEmitter();
    const done: Promise<unknown>[] = [];
    withUsageContext({ userId: 'timer-user' }, () => {
      done.push(new Promise((resolve) => setTimeout(() => resolve(h.openai().chat.completions.create(chat)), 5)));
    });
    withUsageContext({ userId: 'emitter-user' }, () => {
      emitter.on('go', () => done.push(h.openai().chat.completions.create(chat)));
      emitter.emit('go');
    });
    await withUsageContext({ userId: 'stream-user' }, async () => {
      const stream = await h.openai().chat.completions.create({ ...chat, stream: true, stream_options: { include_usage: true } });
      done.push((async () => { for await (const _ of stream); })());
    });
    await Promise.all(done);
    const records = await h.waitForRecords(3);
    expect(records.map((r) => r.userId).sort()).toEqual(['emitter-user', 'stream-user', 'timer-user']);
  });

  it('trackUsage: false keeps the span but records no usage below it', async () => {
    h.server.enqueue('openai/chat-completion');
    await withUsageContext({ userId: 'quiet', trackUsage: false }, () => h.openai().chat.completions.create(chat));
    const [span] = await h.callSpans();
    expect(span!.attributes['genai_usage.untracked']).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    expect(h.records).toHaveLength(0);
  });

  it('reads the fields from W3C baggage when the context has none', async () => {
    h.server.enqueue('openai/chat-completion');
    const baggage = propagation.createBaggage({ 'user.id': { value: 'from-upstream' }, 'gen_ai.agent.name': { value: 'UpstreamAgent' } });
    await context.with(propagation.setBaggage(context.active(), baggage), () => h.openai().chat.completions.create(chat));
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ userId: 'from-upstream', agentName: 'UpstreamAgent' });
  });
});
