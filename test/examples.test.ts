/** The bundled examples say what the README says they do. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { audit } from '../src/audit.js';
import { simulateBoot } from '../src/boot/simulate.js';
import { reaches } from '../src/core/severity.js';

const EXAMPLES = join(import.meta.dirname, '..', 'examples');

test('clean-api: nothing above low, and every environment boots', async () => {
  const out = await audit({ root: join(EXAMPLES, 'clean-api'), git: 'off' });
  assert.deepEqual(out.result.findings.filter((f) => reaches(f.severity, 'medium')).map((f) => `${f.ruleId} ${f.location.file}:${f.location.startLine}`), []);
  for (const env of out.model.environments) assert.ok(simulateBoot(env, out.result.findings).boots, env.name);
});

test('fastapi-shop: development boots, production is rejected with production-only defects', async () => {
  const out = await audit({ root: join(EXAMPLES, 'fastapi-shop'), git: 'off' });
  const boot = Object.fromEntries(out.model.environments.map((e) => [e.name, simulateBoot(e, out.result.findings)]));
  assert.ok(boot.development!.boots);
  assert.equal(boot.production!.boots, false);
  const prodOnly = (id: string) => out.result.findings.some((f) => f.ruleId === id && f.environment === 'production') && !out.result.findings.some((f) => f.ruleId === id && f.environment === 'development');
  for (const id of ['compose/env-file-missing', 'compose/bind-source-missing', 'compose/host-port-conflict', 'compose/build-target-implicit', 'migrations/not-applied', 'env/production-guard'])
    assert.ok(prodOnly(id), `${id} in production only`);
});

test('django-blog: the production defects the README lists', async () => {
  const out = await audit({ root: join(EXAMPLES, 'django-blog'), git: 'off' });
  const prod = new Set(out.result.findings.filter((f) => f.environment === 'production').map((f) => f.ruleId));
  for (const id of ['app/production-settings-unused', 'app/celery-app-missing', 'health/tool-missing', 'health/endpoint-missing', 'runtime/bind-localhost', 'app/volume-path-mismatch'])
    assert.ok(prod.has(id), id);
});
