// A CommonJS app calling Gemini (the SDK's CJS build) and Mistral (ESM-only: loaded through require(esm)).
const { GoogleGenAI } = require('@google/genai');
const { Mistral } = require('@mistralai/mistralai');
const { onUsage, withUsageContext } = require('genai-usage');

onUsage((r) => process.stdout.write(`RECORD ${JSON.stringify(r)}\n`));
const gemini = new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: process.env.REPLAY_URL } });
const mistral = new Mistral({ apiKey: 'k', serverURL: process.env.REPLAY_URL });
withUsageContext({ userId: 'u-cjs', agentName: 'CjsAgent' }, async () => {
  await gemini.models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi' });
  for await (const _ of await gemini.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'hi' }));
  await mistral.chat.complete({ model: 'mistral-small-latest', messages: [{ role: 'user', content: 'hi' }] });
  for await (const _ of await mistral.chat.stream({ model: 'mistral-small-latest', messages: [{ role: 'user', content: 'hi' }] }));
}).then(() => new Promise((r) => setTimeout(r, 20)));
