import pg from 'pg';
import { afterAll, describe } from 'vitest';
import { postgresTestUrl } from '../store/postgres-env.js';
import { budgetStoreSuite } from './store-sync-suite.js';

const { url, skipReason } = postgresTestUrl();
// A schema of its own: test files run in parallel.
const schema = `t_budgets_${process.pid}_${Date.now().toString(36)}`;

describe.skipIf(skipReason !== undefined)('budgets synced from a shared PostgreSQL store', () => {
  afterAll(async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });
  budgetStoreSuite(() => `${url}${url?.includes('?') ? '&' : '?'}schema=${schema}`);
});
