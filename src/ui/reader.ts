import { StoreError } from '../store/errors.js';
import type { AggregateQuery, ExportFormat, ExportOptions, TopQuery, UsageFilter, UsageStore } from '../store/usage-store.js';

/**
 * The store as the explorer may use it: every read bound to the viewer's tenant (a
 * tenant-bound token never sees another tenant's records, whatever the URL says), and every
 * write refused. Pages only ever get this object.
 */
export function readOnlyView(store: UsageStore, tenant: string | undefined): UsageStore {
  const scope = <T extends UsageFilter>(filter: T): T => (tenant === undefined ? filter : { ...filter, tenant });
  const refuse = async (): Promise<never> => {
    throw new StoreError('the explorer is read-only');
  };
  return {
    engine: store.engine,
    records: (filter: UsageFilter = {}) => store.records(scope(filter)),
    aggregate: (query: AggregateQuery = {}) => store.aggregate(scope(query)),
    top: (query: TopQuery) => store.top(scope(query)),
    identities: (filter: UsageFilter = {}) => store.identities(scope(filter)),
    export: (format: ExportFormat, filter: UsageFilter = {}, options?: ExportOptions) => store.export(format, scope(filter), options),
    insert: refuse,
    delete: refuse,
    prune: refuse,
    // The explorer does not own the store it was given.
    close: async () => undefined,
  };
}
