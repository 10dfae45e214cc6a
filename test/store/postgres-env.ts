// The PostgreSQL the tests use: GENAI_USAGE_TEST_POSTGRES_URL (set by .ci/postgres.sh).
// Without it the suites skip with a printed reason, except in CI, where that is a failure.
export function postgresTestUrl(): { url: string | undefined; skipReason: string | undefined } {
  const url = process.env['GENAI_USAGE_TEST_POSTGRES_URL'];
  if (url) return { url, skipReason: undefined };
  const reason = 'GENAI_USAGE_TEST_POSTGRES_URL is not set (source .ci/postgres.sh && start_postgres <dir>)';
  if (process.env['CI'] === 'true') throw new Error(`CI=true but ${reason}`);
  console.warn(`skipping PostgreSQL tests: ${reason}`);
  return { url: undefined, skipReason: reason };
}
