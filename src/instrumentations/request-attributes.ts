import type { Attributes } from '@opentelemetry/api';

/** Copies request parameters that are set and of the right type; ignores the rest. */
export function requestAttributes(entries: ReadonlyArray<readonly [string, unknown]>): Attributes {
  const out: Attributes = {};
  for (const [key, value] of entries) {
    if (typeof value === 'number' && Number.isFinite(value)) out[key] = value;
    else if (typeof value === 'string' && value !== '') out[key] = [value];
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) out[key] = value as string[];
  }
  return out;
}

export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Host and port of an SDK client's base URL, parsed once per URL. */
const parsed = new Map<string, { host: string; port: number | undefined }>();
export function serverOf(baseURL: unknown): { host: string; port: number | undefined } | undefined {
  if (typeof baseURL !== 'string') return undefined;
  let hit = parsed.get(baseURL);
  if (!hit) {
    try {
      const url = new URL(baseURL);
      hit = { host: url.hostname, port: url.port ? Number(url.port) : undefined };
    } catch {
      return undefined;
    }
    if (parsed.size > 1000) parsed.clear();
    parsed.set(baseURL, hit);
  }
  return hit;
}
