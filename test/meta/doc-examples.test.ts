/**
 * Every rule's docs example is checked by running drydock on it: the `bad` files must make
 * that rule fire, the `good` files must keep it silent (Biome's rules_check), so the docs
 * cannot drift from what the rule really does.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { audit } from '../../src/audit.js';
import { RULES } from '../../src/rules/index.js';

async function findingsOf(ruleId: string, files: Record<string, string>) {
  const root = mkdtempSync(join(tmpdir(), 'drydock-doc-example-'));
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  const out = await audit({ root, git: 'off' });
  return out.result.findings.filter((f) => f.ruleId === ruleId);
}

describe('docs examples', () => {
  for (const rule of RULES.filter((r) => r.meta.docs.example)) {
    const { bad, good } = rule.meta.docs.example!;
    test(`${rule.meta.id}: the bad example fires, the good one does not`, async () => {
      assert.ok((await findingsOf(rule.meta.id, bad)).length >= 1, 'bad example: no finding');
      assert.deepEqual((await findingsOf(rule.meta.id, good)).map((f) => f.message), [], 'good example: findings');
    });
  }
});
