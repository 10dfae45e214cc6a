import { describe, expect, it } from 'vitest';
import * as genaiV1 from 'google-genai-v1';
import { fixture } from '../support/replay-server.js';
import { useHarness } from '../support/tracking-harness.js';

// @google/genai 1.x is installed beside 3.x as the alias `google-genai-v1`; it calls /v1beta.
const h = useHarness({ instrumentModules: { googleGenAI: genaiV1 } });
const gemini = () => new genaiV1.GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl: h.server.url } });

describe('@google/genai 1.x', () => {
  it('generateContent: same span and record as 3.x', async () => {
    const u = fixture('gemini/generate-content').body.usageMetadata;
    h.server.enqueue('gemini/generate-content');
    await gemini().models.generateContent({ model: 'gemini-2.5-flash', contents: 'Summarise the invoice.' });
    expect(h.server.requests.at(-1)!.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    const [span] = await h.callSpans();
    expect(span!.attributes).toMatchObject({
      'gen_ai.operation.name': 'generate_content',
      'gen_ai.provider.name': 'gcp.gemini',
      'gen_ai.usage.input_tokens': u.promptTokenCount,
      'gen_ai.usage.output_tokens': u.candidatesTokenCount + u.thoughtsTokenCount,
      'gen_ai.usage.cache_read.input_tokens': u.cachedContentTokenCount,
      'gen_ai.usage.reasoning.output_tokens': u.thoughtsTokenCount,
      'genai_usage.cost.source': 'table',
    });
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ totalTokens: u.totalTokenCount, costSource: 'table' });
  });

  it('generateContentStream and a chat: one record per request', async () => {
    const last = fixture('gemini/generate-content-stream').events!.at(-1)!.data.usageMetadata;
    h.server.enqueue('gemini/generate-content-stream', 'gemini/generate-content', 'gemini/generate-content-stream');
    for await (const _ of await gemini().models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'hi' }));
    const chat = gemini().chats.create({ model: 'gemini-2.5-flash' });
    await chat.sendMessage({ message: 'one' });
    for await (const _ of await chat.sendMessageStream({ message: 'two' }));
    const records = await h.waitForRecords(3);
    expect(records.map((r) => [r.streaming, r.totalTokens])).toEqual([
      [true, last.totalTokenCount],
      [false, fixture('gemini/generate-content').body.usageMetadata.totalTokenCount],
      [true, last.totalTokenCount],
    ]);
  });

  it('embedContent: 1.x drops usageMetadata from the response, so the call is recorded without usage (cost unknown)', async () => {
    h.server.enqueue('gemini/embed-content');
    const result = await gemini().models.embedContent({ model: 'gemini-embedding-001', contents: ['a', 'b'] });
    expect((result as { usageMetadata?: unknown }).usageMetadata).toBeUndefined();
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ operation: 'embeddings', success: true, inputTokens: 0, costSource: 'unknown' });
    expect(record!.costUsd).toBeUndefined();
  });

  it('Vertex AI mode: gcp.vertex_ai', async () => {
    h.server.enqueue('vertex/generate-content');
    const vertex = new genaiV1.GoogleGenAI({
      vertexai: true,
      project: 'acme-prod',
      location: 'europe-west4',
      httpOptions: { baseUrl: h.server.url },
      googleAuthOptions: { authClient: { getRequestHeaders: async () => new Headers({ authorization: 'Bearer t' }) } as never },
    });
    await vertex.models.generateContent({ model: 'gemini-2.5-pro', contents: 'hi' });
    expect(h.server.requests.at(-1)!.path).toBe('/v1beta1/projects/acme-prod/locations/europe-west4/publishers/google/models/gemini-2.5-pro:generateContent');
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ provider: 'gcp.vertex_ai', requestModel: 'gemini-2.5-pro', success: true, costSource: 'table' });
  });
});
