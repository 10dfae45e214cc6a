import { calcPrice } from '@pydantic/genai-prices';

/**
 * What a Bedrock `modelId` is billed as. Bedrock accepts a foundation model id
 * (`anthropic.claude-sonnet-4-5-20250929-v1:0`), a system inference profile id (the same with
 * a geography prefix: `us.`, `eu.`, `apac.`, ..., or `global.`), or the ARN of either; and the
 * ARN of resources billed some other way: provisioned throughput (by the hour), custom and
 * imported models, application inference profiles (opaque ids), prompt routers. Those have
 * no per-token table price here, so they are `unpriced`, never a guess.
 */
export type BedrockModelRef = { kind: 'model'; id: string } | { kind: 'unpriced'; resource: string };

/** ARN resource types whose id is a model or system inference profile id, priced per token. */
const PRICED_RESOURCES: ReadonlySet<string> = new Set(['foundation-model', 'inference-profile']);

/**
 * Geography prefixes of system inference profiles, billed at the source Region's on-demand price
 * (AWS: cross-Region inference adds no charge), i.e. the base model's. `global.` is not here:
 * global profiles have their own (lower) price, so a global id missing from the table stays unknown.
 */
const GEO_PREFIXES = ['us-gov.', 'us.', 'eu.', 'apac.', 'au.', 'jp.', 'ca.', 'in.'];

const ARN = /^arn:aws[a-z-]*:bedrock:[a-z0-9-]*:\d{0,12}:([a-z-]+)\/(.+)$/;
const MODEL_ID = /^[a-z0-9][a-z0-9._:-]*$/;
const MAX_ID_LENGTH = 256;

export function resolveBedrockModelId(modelId: string): BedrockModelRef {
  if (modelId.length > MAX_ID_LENGTH) return { kind: 'unpriced', resource: 'invalid' };
  if (modelId.startsWith('arn:')) {
    const arn = ARN.exec(modelId);
    if (!arn) return { kind: 'unpriced', resource: 'arn' };
    const [, resource, id] = arn as unknown as [string, string, string];
    if (!PRICED_RESOURCES.has(resource) || !MODEL_ID.test(id)) return { kind: 'unpriced', resource };
    return { kind: 'model', id };
  }
  return MODEL_ID.test(modelId) ? { kind: 'model', id: modelId } : { kind: 'unpriced', resource: 'invalid' };
}

/**
 * The ids to look up in the table's Bedrock prices, in order: the id, then its base model for a
 * geographic profile. A `global.` id is looked up only when the table has a global entry for it:
 * the table matches ids by substring, and would otherwise give a global profile its model's
 * regional price.
 */
export function bedrockTableIds(id: string): string[] {
  if (id.startsWith(GLOBAL_PREFIX)) return hasGlobalEntry(id) ? [id] : [];
  const prefix = GEO_PREFIXES.find((p) => id.startsWith(p));
  return prefix ? [id, id.slice(prefix.length)] : [id];
}

const GLOBAL_PREFIX = 'global.';
const globalEntries = new Map<string, boolean>();

/** Whether the table prices this global id with one of its own global entries (resolved once per id). */
function hasGlobalEntry(id: string): boolean {
  let hit = globalEntries.get(id);
  if (hit === undefined) {
    try {
      hit = calcPrice({ input_tokens: 0, output_tokens: 0 }, id, { providerId: 'aws' })?.model.id.startsWith(GLOBAL_PREFIX) === true;
    } catch {
      hit = false;
    }
    if (globalEntries.size > 1000) globalEntries.clear();
    globalEntries.set(id, hit);
  }
  return hit;
}

/** Semconv provider name of Amazon Bedrock. */
export const BEDROCK_PROVIDER = 'aws.bedrock';

/**
 * For a Bedrock call, which model names a price is looked up under: user overrides by the
 * `modelId` as sent (ARN included) or its resolved id; the table by the resolved id only.
 * The request's id decides, not the response's model: Claude bodies answer with a first-party
 * style name (`claude-sonnet-4-5-20250929`) that says nothing of the global or regional
 * routing that sets the price. Returns undefined for other providers.
 */
export function bedrockPriceModels(
  provider: string | undefined,
  model: string | undefined,
  requestModel: string | undefined,
): { overrideKeys: string[]; tableModels: string[] } | undefined {
  if (provider !== BEDROCK_PROVIDER) return undefined;
  const sent = requestModel ?? model;
  if (!sent) return { overrideKeys: [], tableModels: [] };
  const ref = resolveBedrockModelId(sent);
  const tableModels = ref.kind === 'model' ? bedrockTableIds(ref.id) : [];
  return { overrideKeys: [...new Set([sent, ...tableModels])], tableModels };
}
