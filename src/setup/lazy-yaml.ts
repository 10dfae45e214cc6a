import { createRequire } from 'node:module';

type Yaml = typeof import('yaml');
let yaml: Yaml | undefined;

/**
 * The `yaml` package, loaded on first use (~70 modules): only a YAML prices or budgets file,
 * or generated alert rules, need it, and a process start should not pay for it.
 */
export function yamlModule(): Yaml {
  yaml ??= createRequire(import.meta.url)('yaml') as Yaml;
  return yaml;
}
