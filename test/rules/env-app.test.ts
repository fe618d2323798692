/** The env/* rules on the bundled example, and the example-incomplete fix. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { audit } from '../../src/audit.js';
import { RULE_FIXTURES, scanFixture } from '../helpers/fixtures.js';

const EXAMPLE = join(import.meta.dirname, '..', '..', 'examples', 'fastapi-shop');

test('the example shows the settings defects it was written with', async () => {
  const out = await audit({ root: EXAMPLE, git: 'off' });
  assert.deepEqual(out.crashed, []);
  const env = out.result.findings
    .filter((f) => f.ruleId.startsWith('env/'))
    .map((f) => `${f.ruleId} ${f.environment}/${f.service ?? '*'} ${f.location.file}:${f.location.startLine}`)
    .sort();
  assert.deepEqual(env, [
    'env/insecure-default production/api docker-compose.prod.yml:9',
    'env/insecure-default production/worker app/settings.py:22',
    'env/production-guard production/api app/settings.py:31',
    'env/sibling-drift development/worker docker-compose.yml:24',
    'env/sibling-drift production/worker docker-compose.yml:24',
    'env/unknown-setting development/* .env.development:2',
    'env/unknown-setting production/* .env.development:2',
  ]);
  const unknown = out.result.findings.find((f) => f.ruleId === 'env/unknown-setting')!;
  assert.match(unknown.message, /DATABASE__NAME is set for services "api", "worker"/);
  assert.match(unknown.message, /Did you mean DATABASE__DATABASE \(`database\.database`\)\?/);
  const guard = out.result.findings.find((f) => f.ruleId === 'env/production-guard')!;
  assert.match(guard.message, /trusted_hosts=\[\] \(default; nothing sets TRUSTED_HOSTS\)/);
  assert.ok(guard.related.some((r) => r.location.file === 'docker-compose.prod.yml' && r.location.startLine === 7), 'points at ENVIRONMENT: production');
  // the vault guard is satisfied: VAULT__ENABLED: true parses as a pydantic bool
  assert.ok(!out.result.findings.some((f) => f.ruleId === 'env/production-guard' && f.location.startLine === 29));
});

test('example-incomplete appends the missing names at the end of the example file', async () => {
  const dir = join(RULE_FIXTURES, 'env', 'example-incomplete', 'invalid', 'missing-secret-and-database');
  const out = await scanFixture(dir);
  const f = out.result.findings.find((x) => x.ruleId === 'env/example-incomplete')!;
  assert.equal(f.fix?.safety, 'safe');
  const text = readFileSync(join(dir, '.env.example'), 'utf8');
  const [edit] = f.fix!.edits;
  assert.deepEqual([edit!.file, edit!.start, edit!.end], ['.env.example', text.length, text.length]);
  const fixed = text.slice(0, edit!.start) + edit!.text + text.slice(edit!.end);
  assert.equal(fixed, '# Copy to .env and fill in\nDEBUG=false\n\n# Added by drydock: needed by default (fill in, or keep empty if optional)\nDATABASE_URL=\nSECRET_KEY=\n');
});
