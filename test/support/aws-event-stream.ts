import { EventStreamCodec } from '@smithy/core/event-streams';

const codec = new EventStreamCodec(
  (bytes) => new TextDecoder().decode(bytes),
  (text) => new TextEncoder().encode(text),
);

/**
 * One frame of a Bedrock `InvokeModelWithResponseStream` body as AWS sends it: an event-stream
 * message of event type `chunk` whose JSON payload carries the model's event base64-encoded.
 */
export function bedrockChunkFrame(event: unknown): Uint8Array {
  const bytes = Buffer.from(JSON.stringify(event)).toString('base64');
  return codec.encode({
    headers: {
      ':event-type': { type: 'string', value: 'chunk' },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'event' },
    },
    body: new TextEncoder().encode(JSON.stringify({ bytes })),
  });
}

/** A whole response body: one frame per model event. */
export function bedrockEventStream(events: readonly unknown[]): Buffer {
  return Buffer.concat(events.map((e) => bedrockChunkFrame(e)));
}
