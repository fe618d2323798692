/**
 * Group compose files into environments the way teams run them:
 *   - `docker compose up` in a folder loads compose.yaml (or docker-compose.yml) plus the
 *     override file beside it (KNOWLEDGE.md C3/C4);
 *   - overlays are run as `-f <base> -f <overlay>` (docker-compose.prod.yml, compose.dev.yaml);
 *   - a folder without a base file runs each compose file on its own.
 * Grouping is by file name only; a config file can name environments explicitly instead.
 */
import { posix } from 'node:path';

export interface EnvironmentSpec {
  name: string;
  composeFiles: string[];
  production: boolean;
  origin: 'config' | 'discovered' | 'command-line';
  /** explicit env files for interpolation (replaces `<project dir>/.env`), from config */
  envFiles?: string[];
}

const BASE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];
const OVERRIDE_NAMES = ['compose.override.yml', 'compose.override.yaml', 'docker-compose.override.yml', 'docker-compose.override.yaml'];
const BASE_SUFFIXES = new Set(['base', 'common', 'shared', 'default']);

const ALIASES: Record<string, string> = {
  prod: 'production',
  production: 'production',
  prd: 'production',
  live: 'production',
  dev: 'development',
  develop: 'development',
  development: 'development',
  local: 'development',
  stage: 'staging',
  staging: 'staging',
  test: 'test',
  tests: 'test',
  ci: 'ci',
};

export function isProductionName(name: string): boolean {
  return /(?:^|[^a-z])(?:prod|production|prd|live)(?:$|[^a-z])/i.test(name);
}

/** `docker-compose.prod.yml` → `prod`; `compose.yaml` → undefined */
export function composeSuffix(file: string): string | undefined {
  const name = posix.basename(file);
  const m = /^(?:docker-)?compose[.-](.+)\.ya?ml$/i.exec(name);
  return m?.[1]?.toLowerCase();
}

export function environmentNameFor(suffix: string): string {
  return ALIASES[suffix] ?? suffix;
}

export function groupEnvironments(composeFiles: readonly string[]): EnvironmentSpec[] {
  const byDir = new Map<string, string[]>();
  for (const f of [...composeFiles].sort()) {
    const dir = posix.dirname(f);
    const list = byDir.get(dir) ?? [];
    list.push(f);
    byDir.set(dir, list);
  }
  const specs: { dir: string; name: string; files: string[] }[] = [];
  for (const [dir, files] of byDir) {
    const names = new Map(files.map((f) => [posix.basename(f), f]));
    const base =
      BASE_NAMES.map((n) => names.get(n)).find(Boolean) ??
      files.find((f) => BASE_SUFFIXES.has(composeSuffix(f) ?? ''));
    const override = base && BASE_NAMES.includes(posix.basename(base)) ? OVERRIDE_NAMES.map((n) => names.get(n)).find(Boolean) : undefined;
    const overlays = files.filter((f) => f !== base && f !== override && !OVERRIDE_NAMES.includes(posix.basename(f)));
    if (!base) {
      for (const f of files) specs.push({ dir, name: environmentNameFor(composeSuffix(f) ?? 'default'), files: [f] });
      continue;
    }
    const taken = new Set(overlays.map((f) => environmentNameFor(composeSuffix(f)!)));
    if (override) specs.push({ dir, name: taken.has('development') ? 'default' : 'development', files: [base, override] });
    // `docker compose up` runs a default-named base alone; nobody runs docker-compose.base.yml alone
    else if (BASE_NAMES.includes(posix.basename(base)) || !overlays.length) specs.push({ dir, name: 'default', files: [base] });
    for (const f of overlays) specs.push({ dir, name: environmentNameFor(composeSuffix(f)!), files: [base, f] });
  }
  // prefix with the folder when several folders hold compose files, and keep names unique
  const multiDir = byDir.size > 1;
  const seen = new Map<string, number>();
  return specs.map(({ dir, name, files }) => {
    let full = multiDir && dir !== '.' ? `${dir}/${name}` : name;
    const n = (seen.get(full) ?? 0) + 1;
    seen.set(full, n);
    if (n > 1) full = `${full}-${n}`;
    return { name: full, composeFiles: files, production: isProductionName(name), origin: 'discovered' as const };
  });
}
