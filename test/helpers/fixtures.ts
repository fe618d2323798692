/**
 * Rule fixtures are tiny repositories: test/rules/<category>/<rule>/{invalid,valid}/<case>/.
 * An invalid case holds `expected.json`: the exact findings of that rule, as
 * [{ "file": "...", "line": N, "environment"?: "...", "severity"?: "..." }]. A valid case must
 * produce no finding of its rule. `git-tracked.txt` (one path per line, `100755 path` for an
 * executable) stands in for the git index; without it git is off. `git-history.json` (see
 * git-writer.ts) instead makes a real `.git` with those commits in a temporary copy of the case.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { audit, type AuditOutput } from '../../src/audit.js';
import { buildRepository, type HistorySpec } from './git-writer.js';

export const RULE_FIXTURES = join(import.meta.dirname, '..', 'rules');

export interface ExpectedFinding {
  file: string;
  line?: number;
  environment?: string;
  service?: string;
  severity?: string;
}

export function gitFromFixture(dir: string): ReadonlyMap<string, number> | 'off' {
  const f = join(dir, 'git-tracked.txt');
  if (!existsSync(f)) return 'off';
  const map = new Map<string, number>();
  for (const line of readFileSync(f, 'utf8').split('\n')) {
    const t = line.trim();
    if (!t) continue;
    const m = /^(\d{6})\s+(.+)$/.exec(t);
    map.set(m ? m[2]! : t, m ? parseInt(m[1]!, 8) : 0o100644);
  }
  return map;
}

export async function scanFixture(dir: string, extra: { environments?: string[] } = {}): Promise<AuditOutput> {
  if (!existsSync(join(dir, 'git-history.json'))) return audit({ root: dir, git: gitFromFixture(dir), ...extra });
  // a case with history: scan a copy with a real .git built from git-history.json (helpers/git-writer.ts)
  const root = mkdtempSync(join(tmpdir(), 'drydock-history-'));
  try {
    cpSync(dir, root, { recursive: true });
    buildRepository(root, JSON.parse(readFileSync(join(dir, 'git-history.json'), 'utf8')) as HistorySpec);
    return await audit({ root, git: 'auto', ...extra });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export interface FixtureCase {
  ruleId: string;
  kind: 'valid' | 'invalid';
  name: string;
  dir: string;
}

export function listFixtureCases(): FixtureCase[] {
  const cases: FixtureCase[] = [];
  const walk = (dir: string, parts: string[]): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (!e.isDirectory()) continue;
      if (e.name === 'valid' || e.name === 'invalid') {
        for (const c of readdirSync(join(dir, e.name), { withFileTypes: true }))
          if (c.isDirectory()) cases.push({ ruleId: parts.join('/'), kind: e.name, name: c.name, dir: join(dir, e.name, c.name) });
      } else walk(join(dir, e.name), [...parts, e.name]);
    }
  };
  if (existsSync(RULE_FIXTURES)) walk(RULE_FIXTURES, []);
  return cases;
}
