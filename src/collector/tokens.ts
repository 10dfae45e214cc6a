import { createHash, timingSafeEqual } from 'node:crypto';
import { ConfigError } from '../setup/config-error.js';

export const SCOPES = ['ingest', 'read', 'metrics'] as const;
export type Scope = (typeof SCOPES)[number];

/** Shorter secrets are refused: a guessable token is worse than none (it hides the risk). */
export const MIN_TOKEN_LENGTH = 16;
const TENANT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface TokenSpec {
  token: string;
  scopes: Scope[];
  /** Records ingested with this token are stored with this tenant; reads see only it. */
  tenant?: string;
  /** For logs and errors; the secret itself is never printed. */
  name: string;
}

/** Who made a request: what it may do and which tenant it is bound to. */
export interface Principal {
  name: string;
  scopes: ReadonlySet<Scope>;
  tenant: string | undefined;
}

/**
 * Parses `GENAI_USAGE_COLLECTOR_TOKENS`: either JSON (`[{"token": "...", "scopes": ["ingest"],
 * "tenant": "acme", "name": "acme-ingest"}]`) or the compact form
 * `token:scope+scope[:tenant],token:scope...`.
 * @throws ConfigError naming the entry (by position, never by its secret).
 */
export function parseTokens(text: string, source: string): TokenSpec[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  if (trimmed.startsWith('[')) {
    let list: unknown;
    try {
      list = JSON.parse(trimmed);
    } catch (error) {
      throw new ConfigError(`${source}: invalid JSON (${(error as Error).message})`);
    }
    return validateTokens(list, source);
  }
  return validateTokens(
    trimmed.split(',').map((entry, i) => {
      const [token, scopes, tenant, ...rest] = entry.trim().split(':');
      if (rest.length > 0 || !scopes) throw new ConfigError(`${source}: entry ${i + 1} must be token:scope+scope[:tenant]`);
      return { token, scopes: scopes.split('+'), tenant: tenant || undefined };
    }),
    source,
  );
}

/** Validates token objects from JSON or the YAML config file. */
export function validateTokens(list: unknown, source: string): TokenSpec[] {
  if (!Array.isArray(list)) throw new ConfigError(`${source}: tokens must be a list`);
  const seen = new Set<string>();
  return list.map((raw, i) => {
    const where = `${source}: token ${i + 1}`;
    if (raw === null || typeof raw !== 'object') throw new ConfigError(`${where} must be an object with token and scopes`);
    const { token, scopes, tenant, name, ...extra } = raw as Record<string, unknown>;
    const unknown = Object.keys(extra)[0];
    if (unknown !== undefined) throw new ConfigError(`${where}: unknown key ${JSON.stringify(unknown)}; valid keys: token, scopes, tenant, name`);
    if (typeof token !== 'string' || token.length < MIN_TOKEN_LENGTH || /\s/.test(token)) {
      throw new ConfigError(`${where}: the token must be at least ${MIN_TOKEN_LENGTH} characters without spaces (e.g. openssl rand -hex 24)`);
    }
    if (seen.has(token)) throw new ConfigError(`${where}: the same token appears twice`);
    seen.add(token);
    if (!Array.isArray(scopes) || scopes.length === 0 || !scopes.every((s) => (SCOPES as readonly unknown[]).includes(s))) {
      throw new ConfigError(`${where}: scopes must be a non-empty list of ${SCOPES.join(', ')}, got ${JSON.stringify(scopes)}`);
    }
    if (tenant !== undefined && (typeof tenant !== 'string' || !TENANT.test(tenant))) {
      throw new ConfigError(`${where}: tenant must be 1-64 characters of letters, digits, '.', '_' or '-', got ${JSON.stringify(tenant)}`);
    }
    if (name !== undefined && typeof name !== 'string') throw new ConfigError(`${where}: name must be a string`);
    return { token, scopes: [...new Set(scopes as Scope[])], tenant: tenant as string | undefined, name: (name as string | undefined) ?? `token ${i + 1}` };
  });
}

/** Bearer-token authentication; tokens are compared as SHA-256 digests in constant time. */
export class TokenAuth {
  private readonly entries: Array<{ digest: Buffer; principal: Principal }>;

  constructor(specs: readonly TokenSpec[]) {
    this.entries = specs.map((spec) => ({
      digest: digest(spec.token),
      principal: { name: spec.name, scopes: new Set(spec.scopes), tenant: spec.tenant },
    }));
  }

  /** No tokens configured: every request is allowed (the server then only listens on loopback). */
  get enabled(): boolean {
    return this.entries.length > 0;
  }

  /** The principal for an `Authorization` header, or undefined when missing or wrong. */
  authenticate(header: string | undefined): Principal | undefined {
    if (!this.enabled) return { name: 'anonymous (no tokens configured)', scopes: new Set(SCOPES), tenant: undefined };
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) return undefined;
    // Digests have a fixed length, so timingSafeEqual applies; every entry is compared
    // (no early exit) so the time does not depend on which token matched.
    const presented = digest(match[1] as string);
    let found: Principal | undefined;
    for (const entry of this.entries) if (timingSafeEqual(entry.digest, presented)) found = entry.principal;
    return found;
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
