import { diag, type Attributes } from '@opentelemetry/api';
import * as A from '../../semconv.js';

/** The parts of an AWS SDK v3 client's resolved config we read; all are async providers. */
interface AwsClientConfig {
  isCustomEndpoint?: boolean;
  endpoint?: () => Promise<{ hostname?: unknown; port?: unknown }>;
  endpointProvider?: (params: Record<string, unknown>) => { url?: URL };
  region?: () => Promise<unknown>;
  useFipsEndpoint?: () => Promise<unknown>;
  useDualstackEndpoint?: () => Promise<unknown>;
}

const resolved = new WeakMap<object, Attributes | Promise<Attributes>>();

/**
 * `server.address`, `server.port` and `cloud.region` of a Bedrock client. The SDK resolves its
 * region and endpoint asynchronously, so the first call of each client gets a promise (set on
 * its span when it settles, long before the response) and later calls the cached attributes.
 */
export function endpointAttributes(client: unknown): Attributes | Promise<Attributes> | undefined {
  const config = (client as { config?: AwsClientConfig } | undefined)?.config;
  if (!config || typeof client !== 'object') return undefined;
  let hit = resolved.get(client!);
  if (!hit) {
    const pending = resolve(config).then(
      (attributes) => {
        resolved.set(client!, attributes);
        return attributes;
      },
      (err: unknown) => {
        diag.debug('genai-usage: could not resolve the Bedrock endpoint', err);
        resolved.set(client!, {});
        return {};
      },
    );
    resolved.set(client!, pending);
    hit = pending;
  }
  return hit;
}

async function resolve(config: AwsClientConfig): Promise<Attributes> {
  const attributes: Attributes = {};
  const region = await config.region?.();
  if (typeof region === 'string' && region !== '') attributes[A.ATTR_CLOUD_REGION] = region;
  let host: unknown;
  let port: unknown;
  if (config.isCustomEndpoint && config.endpoint) {
    ({ hostname: host, port } = await config.endpoint());
  } else if (config.endpointProvider && typeof region === 'string') {
    const url = config.endpointProvider({ Region: region, UseFIPS: (await config.useFipsEndpoint?.()) === true, UseDualStack: (await config.useDualstackEndpoint?.()) === true }).url;
    host = url?.hostname;
    port = url?.port ? Number(url.port) : undefined;
  }
  if (typeof host === 'string' && host !== '') attributes[A.ATTR_SERVER_ADDRESS] = host;
  if (typeof port === 'number' && Number.isInteger(port) && port > 0) attributes[A.ATTR_SERVER_PORT] = port;
  return attributes;
}
