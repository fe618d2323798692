/** `drydock env`: the effective environment per service, in text, JSON and Markdown, secrets masked. */
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../src/cli/cli.js';

const EXAMPLE = join(import.meta.dirname, '..', '..', 'examples', 'fastapi-shop');

async function run(args: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(args, { stdout: (s) => (out += s), stderr: (s) => (err += s), isTTY: false, cwd: process.cwd(), env: {} });
  return { code, out, err };
}

interface Table {
  environment: string;
  service: string;
  app: string[];
  variables: { name: string; value: string | null; secret: boolean; from: string; loc: { file: string; startLine?: number }; overrode: { value: string | null; loc: { file: string; startLine?: number } }[]; unset: string[]; settings: string[] }[];
  unsetSettings: { setting: string; envNames: string[]; required: boolean; default?: string }[];
  unreadVariables: { name: string; note?: string }[];
}

test('json: values, where they are set, what they overrode and which setting reads them', async () => {
  const r = await run(['env', EXAMPLE, '--env', 'production', '--service', 'api', '--format', 'json']);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out) as { version: number; services: Table[] };
  assert.equal(j.version, 1);
  assert.deepEqual(
    j.services.map((s) => [s.environment, s.service]),
    [['production', 'api']],
  );
  const api = j.services[0]!;
  assert.deepEqual(api.app, ['app/settings.py: Settings']);
  const v = Object.fromEntries(api.variables.map((x) => [x.name, x]));
  assert.deepEqual(v.ENVIRONMENT!.settings, ['Settings.environment']);
  assert.deepEqual([v.ENVIRONMENT!.value, v.ENVIRONMENT!.loc.file, v.ENVIRONMENT!.loc.startLine], ['production', 'docker-compose.prod.yml', 7]);
  assert.deepEqual(
    v.ENVIRONMENT!.overrode.map((o) => [o.value, o.loc.file, o.loc.startLine]),
    [['development', '.env.development', 1]],
  );
  assert.deepEqual([v.PYTHONUNBUFFERED!.from, v.PYTHONUNBUFFERED!.loc.file], ['dockerfile', 'Dockerfile']);
  assert.deepEqual(v.SECRET_KEY!.unset, ['SECRET_KEY']);
  assert.equal(v.DATABASE__PASSWORD!.secret, true);
  assert.equal(v.DATABASE__PASSWORD!.value, '******');
  assert.deepEqual(v.VAULT__ENABLED!.settings, ['Settings.vault.enabled']);
  assert.deepEqual(
    api.unsetSettings.map((s) => s.setting),
    ['Settings.trusted_hosts', 'Settings.database.port', 'Settings.database.database', 'Settings.vault.url'],
  );
  assert.deepEqual(api.unreadVariables.find((u) => u.name === 'DATABASE__NAME'), { name: 'DATABASE__NAME', note: 'no setting reads it; did you mean DATABASE__DATABASE?' });
  assert.deepEqual(api.unreadVariables.find((u) => u.name === 'PYTHONUNBUFFERED'), { name: 'PYTHONUNBUFFERED', note: 'read by CPython' });
});

test('text: every service of the environment, secrets masked, required settings marked', async () => {
  const r = await run(['env', EXAMPLE, '-e', 'production']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^production \/ api {2}\(runs app\/settings\.py: Settings\)$/m);
  assert.match(r.out, /^production \/ db$/m);
  assert.match(r.out, /^production \/ worker/m);
  assert.ok(!r.out.includes('Sup3r-Secret-Pg-2024'), 'the literal Postgres password is masked');
  assert.match(r.out, /POSTGRES_PASSWORD +\*{6} +docker-compose\.prod\.yml:23 \(environment; overrides "\*{6}" at docker-compose\.yml:37\)/);
  assert.match(r.out, /settings nothing sets:\n {4}Settings\.secret_key \(SECRET_KEY\) = "change-me"/);
  assert.match(r.out, /variables no setting reads:\n {4}DATABASE__NAME {2}\(no setting reads it; did you mean DATABASE__DATABASE\?\)/);
  assert.ok(!/^development/m.test(r.out));
});

test('markdown: one table per service', async () => {
  const r = await run(['env', EXAMPLE, '--env', 'development', '--service', 'worker', '--format', 'markdown']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^## development \/ worker$/m);
  assert.match(r.out, /^\| Variable \| Value \| Set in \| Overrides \| Setting \|$/m);
  assert.match(r.out, /^\| `ENVIRONMENT` \| `development` \| `\.env\.development:1` \| — \| `Settings\.environment` \|$/m);
  assert.match(r.out, /^- `Settings\.database\.host` \(`DATABASE__HOST`\) = `"localhost"`$/m);
});

test('required settings nothing sets are marked, and a repository without settings still lists variables', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'drydock-env-'));
  mkdirSync(join(dir, 'app'));
  writeFileSync(join(dir, 'app', 'settings.py'), 'from pydantic_settings import BaseSettings\n\nclass Settings(BaseSettings):\n    database_url: str\n    api_token: str = "x"\n\nsettings = Settings()\n');
  writeFileSync(join(dir, 'Dockerfile'), 'FROM python:3.12-slim\nCOPY app /app\n');
  writeFileSync(join(dir, 'compose.yaml'), 'services:\n  api:\n    build: .\n    environment:\n      API_TOKEN: tok-1234567890\n  cache:\n    image: redis:7\n    environment:\n      - REDIS_ARGS\n');
  const r = await run(['env', dir]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /REQUIRED Settings\.database_url \(DATABASE_URL\)/);
  assert.match(r.out, /API_TOKEN +\*{6}/);
  assert.ok(!r.out.includes('tok-1234567890'));
  assert.match(r.out, /^default \/ cache\n {2}VARIABLE +VALUE +SET IN {2}→ {2}SETTING\n {2}REDIS_ARGS +\(from the shell\)/m);
});

test('usage errors: unknown format, environment or service (exit 2, one line)', async () => {
  for (const args of [['env', EXAMPLE, '--format', 'xml'], ['env', EXAMPLE, '--env', 'nope'], ['env', EXAMPLE, '--service', 'nope']]) {
    const r = await run(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.equal(r.err.trim().split('\n').length, 1, r.err);
  }
});
