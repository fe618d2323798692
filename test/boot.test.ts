/** The boot simulation on small stacks: start order, health, one-shot jobs and where it stops. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { audit } from '../src/audit.js';
import { simulateBoot } from '../src/boot/simulate.js';

async function boot(files: Record<string, string>) {
  const root = mkdtempSync(join(tmpdir(), 'drydock-boot-'));
  for (const [p, t] of Object.entries(files)) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), t);
  }
  const out = await audit({ root, git: 'off' });
  return out.model.environments.map((e) => simulateBoot(e, out.result.findings));
}

test('a healthy stack boots in dependency order, one-shot jobs complete', async () => {
  const [r] = await boot({
    'compose.yaml': `services:
  web:
    image: nginx:1.27
    depends_on:
      db: {condition: service_healthy}
      migrate: {condition: service_completed_successfully}
  migrate:
    image: alpine:3.20
    command: ["true"]
  db:
    image: postgres:16
    healthcheck: {test: ["CMD-SHELL", "pg_isready -U postgres"]}
`,
  });
  assert.ok(r!.boots);
  assert.deepEqual(r!.steps.map((s) => `${s.service}:${s.state}`), ['db:healthy', 'migrate:completed', 'web:running']);
});

test('a missing env_file: Compose rejects the project before anything starts', async () => {
  const [r] = await boot({
    'compose.yaml': 'services:\n  web:\n    image: nginx:1.27\n    env_file: missing.env\n',
  });
  assert.equal(r!.boots, false);
  assert.equal(r!.rejected?.ruleId, 'compose/env-file-missing');
});
