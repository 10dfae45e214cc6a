import { InstrumentationBase } from '@opentelemetry/instrumentation';
import { describe, expect, it } from 'vitest';
import { OpenAIInstrumentation, BedrockRuntimeInstrumentation } from '../../src/index.js';
import { OpenAIInstrumentation as RealOpenAIInstrumentation } from '../../src/instrumentations/openai/openai-instrumentation.js';

// The public entry exports stand-ins that load each class on first use: they must behave as the class.
describe('the public instrumentation classes', () => {
  it('construct instances of the real class, with its statics and instanceof both ways', () => {
    const inst = new OpenAIInstrumentation({ enabled: false, captureMessageContent: true });
    expect(inst).toBeInstanceOf(RealOpenAIInstrumentation);
    expect(inst).toBeInstanceOf(OpenAIInstrumentation);
    expect(inst).toBeInstanceOf(InstrumentationBase);
    expect(inst).not.toBeInstanceOf(BedrockRuntimeInstrumentation);
    expect(inst.constructor).toBe(RealOpenAIInstrumentation);
    expect(inst.instrumentationName).toBe('genai-usage-instrumentation-openai');
    expect(inst.getConfig().captureMessageContent).toBe(true);
    expect(OpenAIInstrumentation.definition.moduleName).toBe('openai');
    expect(OpenAIInstrumentation.name).toBe('OpenAIInstrumentation');
  });

  it('can be extended, and cannot be called without new', () => {
    class Mine extends OpenAIInstrumentation {
      mine() {
        return 'mine';
      }
    }
    const inst = new Mine({ enabled: false });
    expect(inst).toBeInstanceOf(Mine);
    expect(inst).toBeInstanceOf(RealOpenAIInstrumentation);
    expect(inst.mine()).toBe('mine');
    expect(inst.getModuleDefinitions()[0]!.name).toBe('openai');
    expect(() => (OpenAIInstrumentation as unknown as () => unknown)()).toThrow(TypeError);
  });
});
