/**
 * Every fixable rule of the real registry, on copies of its invalid fixtures: `fix --unsafe`
 * applies its fixes, a second run changes nothing, and the fixed tree no longer has the findings
 * that were fixed. A rule whose fixtures hold no finding with a fix is skipped with a note.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { audit } from '../../src/audit.js';
import { fixProject } from '../../src/fix/fix-loop.js';
import { RULES } from '../../src/rules/index.js';
import { gitFromFixture, listFixtureCases } from '../helpers/fixtures.js';

function snapshot(root: string): string {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(join(root, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        out.push(`${r}/`);
        walk(r);
      } else out.push(`${r} ${statSync(join(root, r)).mode & 0o7777}\n${readFileSync(join(root, r), 'utf8')}`);
    }
  };
  walk('');
  return out.join('\n');
}

const fixable = RULES.filter((r) => r.meta.fixable !== 'none');
const cases = listFixtureCases().filter((c) => c.kind === 'invalid');

describe('fixes of the real rules are idempotent', () => {
  if (!fixable.length) test('no rule declares a fix yet', (t) => t.skip('nothing to check'));
  for (const rule of fixable) {
    const id = rule.meta.id;
    test(id, async (t) => {
      const mine = cases.filter((c) => c.ruleId === id);
      let checked = 0;
      for (const c of mine) {
        const root = mkdtempSync(join(tmpdir(), 'drydock-idem-'));
        try {
          cpSync(c.dir, root, { recursive: true });
          const git = gitFromFixture(root);
          const run = () => fixProject({ root, safety: 'unsafe', rules: [id], dryRun: false, audit, auditOptions: { git } });
          const first = await run();
          assert.deepEqual(first.crashed.map((x) => x.error.stack), [], `${c.name}: rules crashed`);
          const fixed = first.fixed.filter((f) => f.ruleId === id);
          if (!fixed.length) continue;
          checked++;
          const afterFirst = snapshot(root);
          const second = await run();
          assert.deepEqual(second.fixed.map((f) => `${f.location.file}:${f.location.startLine} ${f.message}`), [], `${c.name}: the second run fixed something again`);
          assert.equal(second.diff, '', `${c.name}: the second run changed files`);
          assert.equal(snapshot(root), afterFirst, `${c.name}: the second run changed the tree`);
          const after = await audit({ root, git });
          const fixedFingerprints = new Set(fixed.map((f) => f.fingerprint));
          const still = after.result.findings.filter((f) => f.ruleId === id && fixedFingerprints.has(f.fingerprint));
          assert.deepEqual(still.map((f) => `${f.location.file}:${f.location.startLine} ${f.message}`), [], `${c.name}: fixed findings are still reported`);
        } finally {
          rmSync(root, { recursive: true, force: true });
        }
      }
      if (!checked) t.skip(`no invalid fixture of ${id} has a finding with a fix (${mine.length} fixture${mine.length === 1 ? '' : 's'})`);
    });
  }
});
