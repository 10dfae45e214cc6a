/** The service tiers prices know. `default` is the standard, synchronous tier. */
export const SERVICE_TIERS = ['default', 'flex', 'priority', 'batch', 'scale'] as const;
export type ServiceTier = (typeof SERVICE_TIERS)[number];

/** What an unrecognisable tier spelling becomes: kept apart so it prices as unknown, never as default. */
export const OTHER_SERVICE_TIER = '_other';

/**
 * A provider's spelling of the tier it served, as prices know it: Anthropic's `standard` and
 * OpenAI's `default` → `default`; `flex`, `priority`, `batch`, `scale` as they are. Another
 * plain spelling is kept (lowercase, at most 32 characters) so pricing can say "unknown"
 * instead of guessing; anything else becomes `_other`. Empty or absent → undefined.
 */
export function normaliseServiceTier(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const tier = raw.trim().toLowerCase();
  if (tier === '') return undefined;
  if (tier === 'standard' || tier === 'default') return 'default';
  if ((SERVICE_TIERS as readonly string[]).includes(tier)) return tier;
  return /^[a-z0-9_.-]{1,32}$/.test(tier) ? tier : OTHER_SERVICE_TIER;
}
