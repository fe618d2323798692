/** Compose loading as Compose does it: merge rules, interpolation with provenance, extends, include. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { discover } from '../../src/discover/index.js';
import { buildModel } from '../../src/model/build-model.js';

function repo(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'drydock-compose-'));
  for (const [p, t] of Object.entries(files)) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), t);
  }
  return root;
}

async function envOf(files: Record<string, string>, name: string) {
  const model = await buildModel(discover(repo(files), { git: 'off' }));
  const env = model.environments.find((e) => e.name === name);
  assert.ok(env, `environment ${name} in ${model.environments.map((e) => e.name)}`);
  return { env, model, svc: (n: string) => env.services.find((s) => s.name === n)! };
}

test('overlay merge: command replaced, ports unique by string, volumes by target, env by key', async () => {
  const { svc } = await envOf(
    {
      'docker-compose.yml': `services:
  api:
    build: .
    command: ["gunicorn", "app:app"]
    ports: ["8000:8000"]
    volumes: ["./a:/data", "logs:/logs"]
    environment:
      - A=1
      - B=2
    depends_on: [db]
  db:
    image: postgres:16
`,
      'docker-compose.prod.yml': `services:
  api:
    build:
      target: runtime
    command: uvicorn app:app
    ports: ["80:8000", "8000:8000"]
    volumes: ["./b:/data"]
    environment:
      B: "3"
      C: x
    depends_on:
      db:
        condition: service_healthy
`,
      Dockerfile: 'FROM python:3.12-slim AS runtime\nCMD ["python"]\n',
    },
    'production',
  );
  const api = svc('api');
  assert.deepEqual(api.command?.argv, ['uvicorn', 'app:app']);
  assert.deepEqual(api.ports.map((p) => p.raw), ['8000:8000', '80:8000']);
  assert.deepEqual(api.mounts.map((m) => `${m.source}:${m.target}`), ['./b:/data', 'logs:/logs']);
  assert.deepEqual([...api.env].map(([k, v]) => `${k}=${v.value}`), ['A=1', 'B=3', 'C=x']);
  assert.equal(api.env.get('B')!.loc.file, 'docker-compose.prod.yml');
  assert.deepEqual(api.env.get('B')!.overrode.map((o) => o.value), ['2']);
  assert.equal(api.build?.context, '');
  assert.equal(api.build?.target?.value, 'runtime', '`build: .` merges with an overlay `build: {target}`');
  assert.equal(api.dependsOn[0]!.condition, 'service_healthy');
  assert.equal(api.dependsOn[0]!.loc.file, 'docker-compose.prod.yml');
  assert.equal(api.runtime.stage?.name, 'runtime');
});

test('interpolation reads the project .env, remembers where values came from, and !reset clears', async () => {
  const { env, svc } = await envOf(
    {
      'compose.yaml': `services:
  web:
    image: "nginx:\${NGINX_TAG:-1.27}"
    environment:
      PASSWORD: \${DB_PASSWORD}
      MISSING: $NOPE
      LITERAL: "$$HOME"
    ports: ["80:80"]
`,
      'compose.override.yaml': 'services:\n  web:\n    ports: !reset []\n',
      '.env': 'DB_PASSWORD=s3cret-value\n',
    },
    'development',
  );
  const web = svc('web');
  assert.equal(web.image?.value, 'nginx:1.27');
  assert.equal(web.env.get('PASSWORD')!.value, 's3cret-value');
  assert.equal(web.env.get('MISSING')!.value, '');
  assert.equal(web.env.get('LITERAL')!.value, '$HOME');
  assert.deepEqual(web.ports, []);
  const pw = env.interpolations.find((u) => u.name === 'DB_PASSWORD')!;
  assert.deepEqual(pw.resolvedFrom && pw.resolvedFrom !== 'shell' ? [pw.resolvedFrom.file, pw.resolvedFrom.startLine] : null, ['.env', 1]);
  const nope = env.interpolations.find((u) => u.name === 'NOPE')!;
  assert.equal(nope.resolvedFrom, undefined);
  assert.equal(nope.loc.startLine, 6);
});

test('anchors, merge keys, extends, include and profiles', async () => {
  const { svc } = await envOf(
    {
      'compose.yaml': `include:
  - infra/compose.yaml
x-common: &common
  restart: unless-stopped
  environment:
    TZ: UTC
services:
  base:
    image: python:3.12-slim
    environment:
      FROM_BASE: "1"
  web:
    <<: *common
    extends: base
    environment:
      OWN: "2"
  debug:
    image: busybox
    profiles: [debug]
`,
      'infra/compose.yaml': 'services:\n  cache:\n    image: redis:7\n    volumes: ["./redis.conf:/etc/redis.conf"]\n',
    },
    'default',
  );
  const web = svc('web');
  assert.equal(web.restart?.value, 'unless-stopped');
  assert.equal(web.image?.value, 'python:3.12-slim');
  assert.deepEqual([...web.env.keys()].sort(), ['FROM_BASE', 'OWN']);
  assert.equal(svc('debug').enabled, false);
  assert.equal(svc('cache').mounts[0]!.hostPath, 'infra/redis.conf', 'included files resolve paths from their own folder');
});

test('env_file values, then environment, with later files winning', async () => {
  const { svc } = await envOf(
    {
      'compose.yaml': 'services:\n  web:\n    image: nginx:1.27\n    env_file: [a.env, b.env]\n    environment:\n      Z: from-compose\n',
      'a.env': 'X=a\nZ=a\n',
      'b.env': 'X=b\n',
    },
    'default',
  );
  const web = svc('web');
  assert.equal(web.env.get('X')!.value, 'b');
  assert.equal(web.env.get('X')!.loc.file, 'b.env');
  assert.equal(web.env.get('Z')!.value, 'from-compose');
  assert.equal(web.env.get('Z')!.from, 'environment');
});
