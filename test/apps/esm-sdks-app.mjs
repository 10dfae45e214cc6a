// An ESM app calling Gemini and Mistral: run as `node --import genai-usage/register esm-sdks-app.mjs`
// with REPLAY_URL set; prints one RECORD line per usage record.
import { GoogleGenAI } from '@google/genai';
import { Mistral } from '@mistralai/mistralai';
import { onUsage, withUsageContext } from 'genai-usage';

onUsage((r) => process.stdout.write(`RECORD ${JSON.stringify(r)}\n`));
const gemini = new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: process.env.REPLAY_URL } });
const mistral = new Mistral({ apiKey: 'k', serverURL: process.env.REPLAY_URL });
await withUsageContext({ userId: 'u-esm', agentName: 'EsmAgent' }, async () => {
  await gemini.models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi' });
  for await (const _ of await gemini.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'hi' }));
  await mistral.chat.complete({ model: 'mistral-small-latest', messages: [{ role: 'user', content: 'hi' }] });
  for await (const _ of await mistral.chat.stream({ model: 'mistral-small-latest', messages: [{ role: 'user', content: 'hi' }] }));
});
await new Promise((r) => setTimeout(r, 20));
