import { genaiPrices } from './genai-prices.js';

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
 * geographic profile; each only if the table's entry for it is really that model (see `entryFits`).
 */
export function bedrockTableIds(id: string): string[] {
  const prefix = GEO_PREFIXES.find((p) => id.startsWith(p));
  return (prefix ? [id, id.slice(prefix.length)] : [id]).filter(entryFits);
}

const GLOBAL_PREFIX = 'global.';
/** The model version in a Bedrock id: `-v2` in `amazon.titan-embed-text-v2:0`. */
const VERSION = /-v(\d+)(?::|$)/;
const fits = new Map<string, boolean>();

/**
 * The table matches Bedrock ids by substring, which can land on another model's price: a global
 * profile on its model's regional entry, `amazon.titan-embed-text-v2:0` on the v1 entry (5x the
 * price). An id is priced only when the entry it lands on is global for a global id, and of the
 * same version where both name one. Resolved once per id.
 */
function entryFits(id: string): boolean {
  let hit = fits.get(id);
  if (hit === undefined) {
    let entry: string | undefined;
    try {
      entry = genaiPrices().calcPrice({ input_tokens: 0, output_tokens: 0 }, id, { providerId: 'aws' })?.model.id;
    } catch {
      entry = undefined;
    }
    const version = VERSION.exec(id)?.[1];
    const entryVersion = entry ? VERSION.exec(entry)?.[1] : undefined;
    hit =
      entry !== undefined &&
      id.startsWith(GLOBAL_PREFIX) === entry.startsWith(GLOBAL_PREFIX) &&
      (version === undefined || entryVersion === undefined || version === entryVersion);
    if (fits.size > 1000) fits.clear();
    fits.set(id, hit);
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
): { overrideKeys: string[]; tableModels: string[]; unknownReason?: string } | undefined {
  if (provider !== BEDROCK_PROVIDER) return undefined;
  const sent = requestModel ?? model;
  if (!sent) return { overrideKeys: [], tableModels: [] };
  const ref = resolveBedrockModelId(sent);
  const tableModels = ref.kind === 'model' ? bedrockTableIds(ref.id) : [];
  const unknownReason =
    ref.kind === 'unpriced'
      ? `a Bedrock ${ref.resource} id has no per-token price${ref.resource === 'provisioned-model' ? ' (provisioned throughput is billed by the hour)' : ''}; add a price override keyed by it`
      : tableModels.length === 0
        ? `no Bedrock price for ${ref.id} in the price table`
        : undefined;
  return { overrideKeys: [...new Set([sent, ...tableModels])], tableModels, ...(unknownReason ? { unknownReason } : {}) };
}
