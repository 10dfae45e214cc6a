import { describe, expect, it } from 'vitest';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
// The worker exists only in the build, as apps use it.
import { countTokensOffThread } from '../../dist/tokens/estimate-tokens.js';

describe('countTokensOffThread (the build, on a worker thread)', () => {
  it('counts exactly what gpt-tokenizer counts, in order, across calls', async () => {
    const texts = ['What is the capital of France?', '', 'Paris is the capital of France. '.repeat(50), 'naïve café — 東京'];
    expect(await countTokensOffThread(texts)).toEqual(texts.map((t) => countTokens(t)));
    const again = await Promise.all([countTokensOffThread(['a b c']), countTokensOffThread(['hello world'])]);
    expect(again).toEqual([[countTokens('a b c')], [countTokens('hello world')]]);
  });
});
