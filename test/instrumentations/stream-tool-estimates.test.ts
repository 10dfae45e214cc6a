import { describe, expect, it } from 'vitest';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { fixture } from '../support/replay-server.js';
import { useHarness } from '../support/tracking-harness.js';

const h = useHarness();

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Get the current weather for a location.',
    parameters: { type: 'object', properties: { location: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } }, required: ['location', 'unit'] },
  },
};
const timeTool = {
  type: 'function' as const,
  function: { name: 'get_local_time', description: 'Current local time in a city.', parameters: { type: 'object', properties: { city: { type: 'string' }, format: { type: 'string' } } } },
};
const messages = [{ role: 'user' as const, content: 'What is the weather and the local time in Paris?' }];

/** What the fixture's tool-call deltas say, in arrival order: each name, then its arguments. */
function chatToolText(name: string): string {
  const parts: string[] = [];
  for (const e of fixture(name).events!) {
    for (const call of e.data?.choices?.[0]?.delta?.tool_calls ?? []) parts.push(call.function?.name ?? '', call.function?.arguments ?? '');
  }
  return parts.join('');
}

describe('streams without usage: tool calls are estimated, not 0', () => {
  it('openai chat: tool_calls deltas count as output, the tools definitions as input', async () => {
    h.server.enqueue('openai/chat-completion-stream-tools-no-usage', 'openai/chat-completion-stream-tools-no-usage');
    for await (const _ of await h.openai().chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true }));
    await h.waitForRecords(1);
    for await (const _ of await h.openai().chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true, tools: [weatherTool, timeTool] }));
    const [without, withTools] = await h.waitForRecords(2);
    expect(h.records).toHaveLength(2);
    const text = chatToolText('openai/chat-completion-stream-tools-no-usage');
    expect(text).toContain('get_local_time');
    expect(withTools).toMatchObject({ usageEstimated: true, finishReason: 'tool_calls', outputTokens: countTokens(text) });
    expect(withTools!.outputTokens).toBeGreaterThan(20);
    // The definitions are sent with every request and billed as input.
    expect(withTools!.inputTokens - without!.inputTokens).toBeGreaterThanOrEqual(countTokens(JSON.stringify([weatherTool, timeTool])));
  });

  it('openai responses: a function_call item (name and argument deltas) counts as output', async () => {
    const events = fixture('openai/responses-stream-function-call').events!;
    const args = events.find((e) => e.data.type === 'response.function_call_arguments.done')!.data.arguments;
    h.server.enqueue('openai/responses-stream-function-call');
    const tools = [{ type: 'function' as const, name: 'get_weather', description: weatherTool.function.description, parameters: weatherTool.function.parameters, strict: false }];
    const stream = await h.openai().responses.create({ model: 'gpt-4o-mini', input: 'Weather in Paris?', tools, stream: true });
    // The app stops once it has the call (before response.completed and its usage).
    for await (const event of stream) if (event.type === 'response.output_item.done') break;
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ usageEstimated: true, success: true, outputTokens: countTokens(`get_weather${args}`) });
    expect(record!.inputTokens).toBeGreaterThanOrEqual(countTokens(JSON.stringify(tools)));
  });

  it('anthropic: a tool_use block (name and input_json deltas) counts as output; input from message_start', async () => {
    const events = fixture('anthropic/beta-message-stream-thinking-tools').events!;
    const start = events[0]!.data.message.usage;
    const generated = events
      .map((e) => e.data)
      .map((d) => (d.type === 'content_block_start' && d.content_block.type === 'tool_use' ? d.content_block.name : d.delta?.text ?? d.delta?.thinking ?? d.delta?.partial_json ?? ''))
      .join('');
    h.server.enqueue('anthropic/beta-message-stream-thinking-tools');
    const stream = await h.anthropic({ openTelemetry: false }).messages.create({ model: 'claude-haiku-4-5', max_tokens: 1024, messages, stream: true });
    // Stops after the tool_use block, before message_delta brings the output count.
    for await (const event of stream) if (event.type === 'content_block_stop' && event.index === 2) break;
    const [record] = await h.waitForRecords(1);
    expect(generated).toContain('get_weather{"location"');
    expect(record).toMatchObject({
      usageEstimated: true,
      outputTokens: countTokens(generated),
      inputTokens: start.input_tokens + start.cache_creation_input_tokens + start.cache_read_input_tokens,
    });
  });
});
