/**
 * The architecture in one test: discover → parse → model → rules → report/fix → cli, with
 * core underneath. A module may import only its own layer or earlier ones.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

const SRC = join(import.meta.dirname, '..', '..', 'src');
const RANK: Record<string, number> = { core: 0, 'version.ts': 0, discover: 1, parse: 2, knowledge: 3, model: 3, rules: 4, report: 5, fix: 5, boot: 5, 'audit.ts': 6, 'index.ts': 6, cli: 7 };

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

const layerOf = (abs: string): string => relative(SRC, abs).split(/[\\/]/)[0]!;

test('no module imports a later layer', () => {
  const violations: string[] = [];
  for (const f of files(SRC)) {
    const from = layerOf(f);
    assert.ok(from in RANK, `unknown layer ${from} (add it to RANK)`);
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/^\s*(?:import|export)\b[^'";]*?from\s+['"](\.[^'"]+)['"]/gm)) {
      const target = resolve(dirname(f), m[1]!.replace(/\.js$/, '.ts'));
      const to = layerOf(target);
      if (RANK[to]! > RANK[from]!) violations.push(`${relative(SRC, f)} imports ${relative(SRC, target)}`);
    }
  }
  assert.deepEqual(violations, []);
});
