/**
 * A scan of a repository with hard-coded secrets must never print them: not in a finding's
 * message, not in a code frame, not in the JSON. The fixture is secrets/hardcoded's own.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { collectSecretValues } from '../../src/model/secrets.js';
import { render } from '../../src/report/index.js';
import { findRule } from '../../src/rules/index.js';
import { RULE_FIXTURES, scanFixture } from '../helpers/fixtures.js';

const FIXTURE = join(RULE_FIXTURES, 'secrets', 'hardcoded', 'invalid', 'prod-literals');
/** every literal secret written in the fixture (compose, URL password, Dockerfile ENV/ARG, env files) */
const SECRETS = ['Sup3r-Secret-Pg-2024', 'S3cretUrlPass99', 'abcd1234efgh5678', 'tok_9f8e7d6c5b4a3928', 'django-insecure-8c1f0e2b7a', 'local-only-not-committed'];

test('hard-coded secrets appear in neither the text nor the JSON report', async () => {
  const out = await scanFixture(FIXTURE);
  assert.deepEqual(out.crashed.map((c) => c.error.stack), []);
  const found = out.result.findings.filter((f) => f.ruleId === 'secrets/hardcoded');
  assert.ok(found.length >= 5, 'the fixture must produce secrets/hardcoded findings (with code frames that quote the secret lines)');

  const secrets = collectSecretValues(out.model);
  const ctx = { sources: out.model.sources, color: false, ruleTitle: (id: string) => findRule(id)?.meta.title };
  const outputs = {
    text: render('text', out.result, ctx, secrets),
    'text --quiet': render('text', out.result, ctx, secrets, { quiet: true }),
    json: render('json', out.result, ctx, secrets),
  };
  for (const [format, text] of Object.entries(outputs)) {
    assert.ok(text.includes('POSTGRES_PASSWORD'), `${format}: the report names the variable`);
    for (const s of SECRETS) assert.ok(!text.includes(s), `${format} output leaks a secret value (${s.slice(0, 3)}...)`);
  }
  // the messages themselves never carry a value, masking or not
  for (const f of found) for (const s of SECRETS) assert.ok(!f.message.includes(s), `${f.ruleId} message includes a secret`);
});

test('masking never breaks the syntax around a secret', async () => {
  const { maskSecrets } = await import('../../src/report/mask.js');
  const short = new Set(['abc']);
  assert.equal(maskSecrets('{"x":"DB_PASSWORD=abc","y":1}', short), '{"x":"DB_PASSWORD=******","y":1}');
  assert.equal(maskSecrets('PASSWORD: &quot;abc&quot; x', short), 'PASSWORD: &quot;******&quot; x');
  assert.equal(maskSecrets('SECRET_KEY=${SECRET_KEY:?set it}', short), 'SECRET_KEY=${SECRET_KEY:?set it}');
  assert.equal(maskSecrets('url postgres://u:pw@h/db', new Set()), 'url postgres://u:******@h/db');
  assert.equal(maskSecrets('API_TOKEN: "abc"', short), 'API_TOKEN: "******"');
});
