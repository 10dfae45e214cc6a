import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { createInstrumentations, patchGivenModules } from '../../src/instrumentations/create-instrumentations.js';
import { hookedModules, INSTRUMENTATIONS } from '../../src/instrumentations/registry.js';
import { ConfigError } from '../../src/setup/config-error.js';

describe('the instrumentation registry', () => {
  it('the loader hook hands over every registered module, nothing else', () => {
    const hooked = hookedModules();
    expect(hooked).toEqual(INSTRUMENTATIONS.flatMap((entry) => entry.modules));
    expect(hooked).toEqual(expect.arrayContaining(['@google/genai', '@aws-sdk/client-bedrock-runtime', '@mistralai/mistralai', '@anthropic-ai/sdk/resources/index']));
    // The Anthropic Bedrock and Vertex clients are reached through the SDK's resources entry, not by their own names.
    expect(hooked).not.toContain('@anthropic-ai/bedrock-sdk');
    expect(new Set(hooked).size).toBe(hooked.length);
    expect(hooked.some((name) => name.startsWith('@opentelemetry/'))).toBe(false);
  });

  it('creates one instrumentation per entry, minus those turned off, each with its own config', () => {
    const all = createInstrumentations(undefined, false);
    expect(all.map((c) => c.key)).toEqual(INSTRUMENTATIONS.map((e) => e.key));
    const some = createInstrumentations({ anthropic: false, openai: { captureMessageContent: false } }, true);
    expect(some.map((c) => c.key)).toEqual(INSTRUMENTATIONS.map((e) => e.key).filter((key) => key !== 'anthropic'));
    expect(some.find((c) => c.key === 'openai')!.instrumentation.getConfig().captureMessageContent).toBe(false);
    for (const c of [...all, ...some]) c.instrumentation.disable();
  });

  it('an unknown SDK key is a ConfigError naming the valid keys', () => {
    expect(() => createInstrumentations({ opena: false } as never, false)).toThrow(ConfigError);
    expect(() => createInstrumentations({ opena: false } as never, false)).toThrow(/unknown SDK "opena"; valid keys: openai, anthropic/);
    expect(() => createInstrumentations(undefined, false, { antropic: {} } as never)).toThrow(/instrumentModules: unknown SDK "antropic"/);
  });

  it('instrumentModules patches the module given under its key', () => {
    const original = OpenAI.Chat.Completions.prototype.create;
    const created = createInstrumentations({ anthropic: false }, false, { openai: OpenAI });
    patchGivenModules(created, { openai: OpenAI });
    // Our wrappers carry no shimmer marks (so other instrumentations wrap on top instead of removing them).
    expect(OpenAI.Chat.Completions.prototype.create).not.toBe(original);
    for (const c of created) {
      c.instrumentation.unpatchModule(OpenAI);
      c.instrumentation.disable();
    }
    expect(OpenAI.Chat.Completions.prototype.create).toBe(original);
  });
});
