/** The start plan: what each container runs, through ENTRYPOINT/CMD, compose overrides, scripts and sh -c strings. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { audit } from '../../src/audit.js';
import { discover } from '../../src/discover/index.js';
import { buildModel } from '../../src/model/build-model.js';
import type { ProjectModel, ServiceModel, StartPlan, StartStep } from '../../src/model/types.js';

const EXAMPLE = join(import.meta.dirname, '..', '..', 'examples', 'fastapi-shop');

function repo(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'drydock-start-'));
  for (const [p, t] of Object.entries(files)) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), t);
  }
  return root;
}

async function model(files: Record<string, string>, git: 'off' | ReadonlyMap<string, number> = 'off'): Promise<ProjectModel> {
  return buildModel(discover(repo(files), { git }));
}

function service(m: ProjectModel, name: string, env?: string): ServiceModel {
  const e = env ? m.environments.find((x) => x.name === env) : m.environments[0];
  assert.ok(e, `environment ${env} in ${m.environments.map((x) => x.name)}`);
  const s = e.services.find((x) => x.name === name);
  assert.ok(s, `service ${name}`);
  return s;
}

function plan(m: ProjectModel, name: string, env?: string): StartPlan {
  const p = service(m, name, env).start;
  assert.ok(p, `a start plan for ${name}`);
  return p;
}

/** The steps that are not expanded into others (the programs that do the work). */
const leaves = (p: StartPlan): StartStep[] => p.steps.filter((s) => !s.expands);
const names = (steps: StartStep[]): string[] => steps.map((s) => s.name);
const line = (s: { loc: { file: string; startLine?: number } }): string => `${s.loc.file}:${s.loc.startLine}`;

const ONE_SERVICE = (extra = ''): string => `services:\n  api:\n    build: .\n${extra}`;

test('fastapi-shop production api: /entrypoint.sh runs gunicorn "$@" with the CMD (of the implicit last stage), not exec-ed', async () => {
  const { model: m } = await audit({ root: EXAMPLE, git: 'off', rules: [] });
  const p = plan(m, 'api', 'production');
  // no build.target: the last stage (worker) is built, so its CMD reaches the entrypoint
  assert.deepEqual(p.argv, ['/entrypoint.sh', 'celery', '-A', 'app.tasks', 'worker', '--loglevel=info']);
  assert.equal(p.entrypoint?.origin, 'dockerfile-entrypoint');
  assert.equal(p.cmd?.origin, 'dockerfile-cmd');
  assert.equal(p.user, 'shop');
  assert.equal(p.cwd, '/srv/app');

  const [ep, ...rest] = p.steps;
  assert.equal(ep!.name, 'entrypoint.sh');
  assert.equal(ep!.exec, true);
  assert.equal(ep!.expands, 'script');
  assert.equal(ep!.runsScript, '/entrypoint.sh');
  assert.equal(line(ep!), 'Dockerfile:19');
  assert.deepEqual(names(rest), ['python', 'sleep', 'alembic', 'gunicorn']);

  const wait = rest[0]!;
  assert.equal(wait.inLoop, true);
  assert.equal(wait.conditional, false);

  const alembic = rest[2]!;
  assert.equal(alembic.conditional, true);
  assert.deepEqual(alembic.conditions, ['[ "$ENVIRONMENT" = "development" ]']);
  assert.equal(alembic.conditionHolds, false, 'ENVIRONMENT is production in docker-compose.prod.yml');
  assert.equal(line(alembic), 'docker/entrypoint.sh:7');

  const gunicorn = rest[3]!;
  assert.deepEqual(gunicorn.argv, ['gunicorn', 'celery', '-A', 'app.tasks', 'worker', '--loglevel=info']);
  assert.equal(gunicorn.exec, false);
  assert.equal(gunicorn.origin, 'script');
  assert.equal(gunicorn.scriptPath, '/entrypoint.sh');
  assert.equal(gunicorn.user, 'shop');
  assert.equal(line(gunicorn), 'docker/entrypoint.sh:9');

  assert.equal(p.scripts.length, 1);
  const s = p.scripts[0]!;
  assert.equal(s.path, '/entrypoint.sh');
  assert.equal(s.repoPath, 'docker/entrypoint.sh');
  assert.equal(s.providedBy, 'image');
  assert.equal(s.invocation, 'direct');
  assert.equal(s.shebang, '/bin/sh');
  assert.equal(s.errexit, false);
  assert.equal(s.lastCommandExec, false);
  assert.equal(s.crlf, false);
  assert.equal(s.copyLoc?.startLine, 14);

  assert.equal(p.migrationSteps.length, 1);
  assert.equal(p.migrationSteps[0]!.tool, 'alembic');
  assert.equal(p.migrationSteps[0]!.conditional, true);
  assert.equal(p.migrationSteps[0]!.conditionHolds, false);
  assert.equal(p.migrationSteps[0]!.cwd, '/srv/app');

  assert.equal(p.servers.length, 1);
  assert.equal(p.servers[0]!.kind, 'gunicorn');
  assert.equal(p.servers[0]!.step, p.steps.indexOf(gunicorn));

  assert.deepEqual(
    m.migrations.map((t) => [t.tool, t.configPath, t.dir, t.count]),
    [['alembic', 'alembic.ini', 'migrations', 1]],
  );
});

test('fastapi-shop development api: the compose command replaces CMD and still goes through the entrypoint script', async () => {
  const { model: m } = await audit({ root: EXAMPLE, git: 'off', rules: [] });
  const p = plan(m, 'api', 'development');
  assert.equal(p.cmd?.origin, 'compose-command');
  assert.equal(p.entrypoint?.origin, 'dockerfile-entrypoint');
  const g = leaves(p).find((s) => s.name === 'gunicorn')!;
  assert.deepEqual(g.argv, ['gunicorn', 'uvicorn', 'app.main:app', '--host', '0.0.0.0', '--port', '8000', '--reload']);
  const alembic = leaves(p).find((s) => s.name === 'alembic')!;
  assert.equal(alembic.conditionHolds, true, 'ENVIRONMENT=development in .env.development');
  assert.equal(p.servers[0]!.reload, true);
});

test('exec form: ENTRYPOINT gets CMD as arguments; exec "$@" runs the CMD', async () => {
  const m = await model({
    'docker-compose.yml': ONE_SERVICE(),
    Dockerfile: 'FROM python:3.12-slim\nWORKDIR /app\nCOPY docker-entrypoint.sh /usr/local/bin/\nCOPY . .\nENTRYPOINT ["docker-entrypoint.sh"]\nCMD ["uvicorn", "app.main:app"]\n',
    'docker-entrypoint.sh': '#!/bin/sh\nset -e\npython manage.py migrate --noinput\nexec "$@"\n',
  });
  const p = plan(m, 'api');
  assert.deepEqual(names(p.steps), ['docker-entrypoint.sh', 'python', 'uvicorn']);
  const uv = p.steps[2]!;
  assert.equal(uv.exec, true);
  assert.equal(uv.origin, 'dockerfile-cmd', 'the words are written in the CMD');
  assert.equal(line(uv), 'Dockerfile:6');
  assert.equal(uv.via && line({ loc: uv.via }), 'docker-entrypoint.sh:4');
  assert.equal(uv.cwd, '/app');
  assert.equal(p.scripts[0]!.errexit, true);
  assert.equal(p.scripts[0]!.lastCommandExec, true);
  assert.equal(p.scripts[0]!.path, '/usr/local/bin/docker-entrypoint.sh', 'found on PATH');
  // uvicorn's default host is 127.0.0.1 (https://www.uvicorn.org/settings/)
  assert.deepEqual([p.servers[0]!.kind, p.servers[0]!.host, p.servers[0]!.port, p.servers[0]!.bindFrom], ['uvicorn', '127.0.0.1', 8000, 'default']);
  assert.equal(p.migrationSteps[0]!.tool, 'django');
  assert.equal(p.migrationSteps[0]!.conditional, false);
});

test('shell form: CMD runs under /bin/sh -c; a shell-form ENTRYPOINT ignores CMD', async () => {
  const m = await model({
    'docker-compose.yml': 'services:\n  a:\n    build: ./a\n  b:\n    build: ./b\n',
    'a/Dockerfile': 'FROM python:3.12\nCMD gunicorn -b 0.0.0.0:$PORT app:app\n',
    'b/Dockerfile': 'FROM python:3.12\nENV PORT=9000\nENTRYPOINT exec gunicorn app:app\nCMD ["--workers", "4"]\n',
  });
  const a = plan(m, 'a');
  assert.equal(a.cmd?.form, 'shell');
  assert.deepEqual(a.argv, ['/bin/sh', '-c', 'gunicorn -b 0.0.0.0:$PORT app:app']);
  assert.deepEqual(names(a.steps), ['sh', 'gunicorn']);
  assert.equal(a.steps[0]!.expands, 'shell-string');
  const g = a.steps[1]!;
  assert.equal(g.exec, false, 'no exec: sh stays PID 1');
  assert.equal(g.depth, 1);
  assert.equal(g.origin, 'dockerfile-cmd');
  assert.deepEqual([g.loc.startLine, g.loc.startColumn], [2, 5], 'exact location inside the CMD');
  assert.equal(a.servers[0]!.port, undefined, 'PORT is not known');

  const b = plan(m, 'b');
  assert.equal(b.cmdIgnored, true);
  const gb = b.steps.find((s) => s.name === 'gunicorn')!;
  assert.deepEqual(gb.argv, ['gunicorn', 'app:app'], 'the CMD words are $0 $1 of the shell, not arguments');
  assert.equal(gb.exec, true);
  assert.equal(b.servers[0]!.host, '0.0.0.0', 'PORT is set by ENV, so gunicorn binds 0.0.0.0:$PORT');
  assert.equal(b.servers[0]!.port, 9000);
});

test('compose command override and entrypoint override (which resets the image CMD)', async () => {
  const dockerfile = 'FROM python:3.12\nCOPY entrypoint.sh /entrypoint.sh\nENTRYPOINT ["/entrypoint.sh"]\nCMD ["gunicorn", "app:app"]\n';
  const script = '#!/bin/sh\nexec "$@"\n';
  const m = await model({
    'docker-compose.yml': `services:
  cmd:
    build: .
    command: celery -A proj worker
  ep:
    build: .
    entrypoint: ["python", "-m", "http.server"]
  both:
    build: .
    entrypoint: /bin/sh -c
    command: ["echo hi && exec gunicorn app:app"]
  empty:
    build: .
    entrypoint: []
`,
    Dockerfile: dockerfile,
    'entrypoint.sh': script,
  });
  const cmd = plan(m, 'cmd');
  assert.deepEqual(cmd.argv, ['/entrypoint.sh', 'celery', '-A', 'proj', 'worker']);
  assert.deepEqual(names(leaves(cmd)), ['celery']);
  assert.equal(leaves(cmd)[0]!.origin, 'compose-command');
  assert.equal(cmd.servers[0]!.kind, 'celery-worker');
  assert.equal(cmd.servers[0]!.app, 'proj');

  const ep = plan(m, 'ep');
  assert.equal(ep.cmd, undefined, 'a compose entrypoint drops the image CMD');
  assert.deepEqual(ep.argv, ['python', '-m', 'http.server']);
  assert.equal(ep.steps[0]!.origin, 'compose-entrypoint');

  const both = plan(m, 'both');
  assert.deepEqual(both.argv, ['/bin/sh', '-c', 'echo hi && exec gunicorn app:app']);
  const g = both.steps.find((s) => s.name === 'gunicorn')!;
  assert.equal(g.origin, 'compose-command');
  assert.equal(g.exec, true);

  const empty = plan(m, 'empty');
  assert.equal(empty.entrypoint, undefined, 'entrypoint: [] removes the image ENTRYPOINT');
  assert.deepEqual(empty.argv, ['gunicorn', 'app:app'], '... and keeps its CMD');
});

test('sh -c "python manage.py migrate && exec gunicorn ..." from compose', async () => {
  const m = await model({
    'docker-compose.yml': ONE_SERVICE(`    command: sh -c "python manage.py migrate && exec gunicorn config.wsgi -b 0.0.0.0:8000 -w 3"\n`),
    Dockerfile: 'FROM python:3.12\nWORKDIR /code\nCOPY . .\n',
    'manage.py': '',
    'shop/migrations/0001_initial.py': '',
    'shop/migrations/__init__.py': '',
  });
  const p = plan(m, 'api');
  assert.deepEqual(names(p.steps), ['sh', 'python', 'gunicorn']);
  const [sh, migrate, g] = p.steps as [StartStep, StartStep, StartStep];
  assert.equal(sh.exec, true);
  assert.equal(migrate.exec, false);
  assert.equal(migrate.conditional, false, '&& after a command is the normal path, not a guard');
  assert.equal(g.exec, true);
  assert.equal(g.origin, 'compose-command');
  assert.equal(line(g), 'docker-compose.yml:4');
  assert.deepEqual(p.migrationSteps.map((s) => [s.tool, s.step, s.cwd]), [['django', 1, '/code']]);
  const srv = p.servers[0]!;
  assert.deepEqual([srv.kind, srv.host, srv.port, srv.bindFrom, srv.workers, srv.app], ['gunicorn', '0.0.0.0', 8000, 'argv', 3, 'config.wsgi']);
  assert.deepEqual(
    m.migrations.map((t) => [t.tool, t.configPath, t.dirs]),
    [['django', 'manage.py', ['shop/migrations']]],
  );
});

test('tini, gosu, su-exec and env are unwrapped; gosu changes the user and env --chdir the cwd', async () => {
  const m = await model({
    'docker-compose.yml': ONE_SERVICE(),
    Dockerfile:
      'FROM python:3.12\nWORKDIR /app\nCOPY start.sh /start.sh\nENTRYPOINT ["/usr/bin/tini", "--", "/start.sh"]\nCMD ["web"]\n',
    'start.sh': `#!/bin/bash
set -euo pipefail
if [ "$(id -u)" = "0" ]; then
  chown -R app /data
fi
case "$1" in
  web) exec env --chdir /app/src DJANGO_DEBUG=0 gosu app gunicorn wsgi:application ;;
  worker) exec su-exec app celery -A proj worker ;;
esac
`,
  });
  const p = plan(m, 'api');
  const top = p.steps[0]!;
  assert.equal(top.name, 'start.sh');
  assert.deepEqual(top.wrappers, ['tini']);
  const chown = p.steps.find((s) => s.name === 'chown')!;
  assert.equal(chown.conditional, true);
  assert.equal(chown.conditionHolds, undefined, '$(id -u) is not known');
  const g = p.steps.find((s) => s.name === 'gunicorn')!;
  assert.deepEqual(g.wrappers, ['env', 'gosu'], '`exec` is the shell keyword here: see `exec`');
  assert.equal(g.user, 'app');
  assert.equal(g.cwd, '/app/src');
  assert.equal(g.exec, true);
  assert.equal(g.conditional, true);
  assert.equal(g.conditionHolds, true, 'the CMD is "web"');
  const c = p.steps.find((s) => s.name === 'celery')!;
  assert.equal(c.user, 'app');
  assert.equal(c.conditionHolds, false);
  assert.equal(p.scripts[0]!.errexit, true);
  // gunicorn with no -b, no PORT and no config file: 127.0.0.1:8000
  const srv = p.servers.find((s) => s.kind === 'gunicorn')!;
  assert.deepEqual([srv.host, srv.port, srv.bindFrom, srv.chdir], ['127.0.0.1', 8000, 'default', undefined]);
  assert.equal(srv.configFile, '/app/src/gunicorn.conf.py');
  assert.equal(srv.configFileExists, false);
});

test('case: the first matching item wins; ${VAR:=default} assigns; [[ == ]] patterns; elif/else guards', async () => {
  const m = await model({
    'docker-compose.yml': ONE_SERVICE('    environment:\n      MODE: web-1\n'),
    Dockerfile: 'FROM python:3.12\nCOPY entry.sh /entry.sh\nENTRYPOINT ["/entry.sh"]\nCMD ["start"]\n',
    'entry.sh': `#!/bin/bash
: "\${PORT:=7000}"
if [[ "$MODE" == web* ]]; then
  alembic upgrade head
elif [ "$MODE" = worker ]; then
  exec celery -A app worker
else
  echo idle
fi
case "$1" in
  start) exec uvicorn app:app --host 0.0.0.0 --port "$PORT" ;;
  *) exec "$@" ;;
esac
`,
  });
  const p = plan(m, 'api');
  const alembic = p.steps.find((s) => s.name === 'alembic')!;
  assert.equal(alembic.conditionHolds, true);
  const celery = p.steps.find((s) => s.name === 'celery')!;
  assert.deepEqual(celery.conditions, ['!([[ "$MODE" == web* ]])', '[ "$MODE" = worker ]']);
  assert.equal(celery.conditionHolds, false);
  const uv = p.steps.find((s) => s.name === 'uvicorn')!;
  assert.equal(uv.conditionHolds, true);
  assert.deepEqual(uv.argv.slice(-2), ['--port', '7000']);
  assert.equal(p.steps.find((s) => s.name === 'start')!.conditionHolds, false, 'the `*)` item is not reached when `start)` matched');
  assert.deepEqual([p.servers.find((s) => s.kind === 'uvicorn')!.port, p.migrationSteps[0]!.conditionHolds], [7000, true]);
});

test('gunicorn reads ./gunicorn.conf.py from its working directory: the bind then comes from the file', async () => {
  const m = await model({
    'docker-compose.yml': 'services:\n  with:\n    build: ./with\n  without:\n    build: ./without\n  explicit:\n    build: ./without\n    command: gunicorn -c conf/g.py app:app\n',
    'with/Dockerfile': 'FROM python:3.12\nWORKDIR /srv\nCOPY gunicorn.conf.py .\nCMD ["gunicorn", "app:app"]\n',
    'with/gunicorn.conf.py': 'bind = "0.0.0.0:8000"\n',
    'without/Dockerfile': 'FROM python:3.12\nWORKDIR /srv\nCOPY deploy/ ./deploy/\nCMD ["gunicorn", "app:app"]\n',
    'without/deploy/gunicorn.conf.py': 'bind = "0.0.0.0:8000"\n',
  });
  const w = plan(m, 'with').servers[0]!;
  assert.deepEqual([w.configFile, w.configFileExplicit, w.configFileExists, w.bindFrom, w.host], ['/srv/gunicorn.conf.py', false, true, 'config', undefined]);
  const wo = plan(m, 'without').servers[0]!;
  assert.deepEqual([wo.configFile, wo.configFileExists, wo.bindFrom, wo.host, wo.port], ['/srv/gunicorn.conf.py', false, 'default', '127.0.0.1', 8000]);
  const ex = plan(m, 'explicit').servers[0]!;
  assert.deepEqual([ex.configFile, ex.configFileExplicit, ex.bindFrom], ['/srv/conf/g.py', true, 'config']);
});

test('cd in a script changes the cwd of later steps; set -- and shift rewrite "$@"', async () => {
  const m = await model({
    'docker-compose.yml': ONE_SERVICE(),
    Dockerfile: 'FROM python:3.12\nWORKDIR /app\nCOPY run.sh /run.sh\nENTRYPOINT ["/run.sh"]\nCMD ["--workers", "2"]\n',
    'run.sh': '#!/bin/sh\ncd /app/backend\nalembic -c conf/alembic.ini upgrade head\nif [ "${1#-}" != "$1" ]; then\n  set -- gunicorn "$@"\nfi\nset -- uvicorn main:app --host 0.0.0.0\nexec "$@"\n',
  });
  const p = plan(m, 'api');
  const alembic = p.steps.find((s) => s.name === 'alembic')!;
  assert.equal(alembic.cwd, '/app/backend');
  assert.equal(p.migrationSteps[0]!.configFile, '/app/backend/conf/alembic.ini');
  const uv = p.steps.find((s) => s.name === 'uvicorn')!;
  assert.deepEqual(uv.argv, ['uvicorn', 'main:app', '--host', '0.0.0.0']);
  assert.equal(uv.origin, 'script');
  assert.equal(p.servers[0]!.host, '0.0.0.0');
});

test('bash script.sh / sh -c inside a script / functions / || guards / background', async () => {
  const m = await model({
    'docker-compose.yml': ONE_SERVICE(`    command: ["bash", "scripts/boot.sh"]\n    environment:\n      RUN_MIGRATIONS: "1"\n`),
    Dockerfile: 'FROM python:3.12\nWORKDIR /opt/app\nCOPY . .\n',
    'scripts/boot.sh': `migrate() {
  flask db upgrade
}
[ "$RUN_MIGRATIONS" = 1 ] && migrate
celery -A tasks worker &
python -c 'import app' || echo broken
sh -c 'exec flask --app app run --host 0.0.0.0 --debug'
`,
  });
  const p = plan(m, 'api');
  assert.equal(p.scripts[0]!.invocation, 'interpreter');
  assert.equal(p.scripts[0]!.path, '/opt/app/scripts/boot.sh');
  const up = p.steps.find((s) => s.name === 'flask' && s.argv.includes('upgrade'))!;
  assert.equal(up.conditional, true);
  assert.equal(up.conditionHolds, true);
  assert.equal(line(up), 'scripts/boot.sh:2', 'the function body, inlined where it is called');
  assert.equal(p.migrationSteps[0]!.tool, 'flask-migrate');
  assert.equal(p.steps.find((s) => s.name === 'celery')!.background, true);
  const run = p.steps.find((s) => s.name === 'flask' && s.argv.includes('run'))!;
  assert.equal(run.exec, true);
  assert.equal(run.depth, 2);
  assert.deepEqual([run.loc.startLine, run.loc.startColumn], [7, 8], 'exact location inside the quoted string');
  const srv = p.servers.find((s) => s.kind === 'flask')!;
  assert.deepEqual([srv.host, srv.port, srv.reload, srv.devServer, srv.app], ['0.0.0.0', 5000, true, true, 'app']);
});

test('npm start runs the package.json script (one level), with pre/post scripts', async () => {
  const m = await model({
    'docker-compose.yml': ONE_SERVICE('    environment:\n      PORT: "4000"\n'),
    Dockerfile: 'FROM node:22\nWORKDIR /usr/src/app\nCOPY package.json .\nCOPY server.js .\nCMD ["npm", "start"]\n',
    'package.json': JSON.stringify({ scripts: { prestart: 'npx prisma migrate deploy', start: 'node server.js', dev: 'nodemon server.js' } }, null, 2),
    'server.js': '',
  });
  const p = plan(m, 'api');
  assert.equal(p.steps[0]!.expands, 'package-script');
  assert.deepEqual(names(leaves(p)), ['prisma', 'node']);
  const node = leaves(p)[1]!;
  assert.equal(node.scriptPath, '/usr/src/app/package.json');
  assert.equal(node.loc.file, 'package.json');
  assert.equal(node.loc.startLine, 4);
  assert.equal(p.migrationSteps[0]!.tool, 'prisma');
  assert.deepEqual([p.servers[0]!.kind, p.servers[0]!.port, p.servers[0]!.host, p.servers[0]!.app], ['node', 4000, undefined, 'server.js']);
});

test('a bind mount over the script path wins over the image copy; a missing script is unresolved', async () => {
  const m = await model({
    'docker-compose.yml': `services:
  api:
    build: .
    volumes:
      - ./dev/entrypoint.sh:/entrypoint.sh:ro
  other:
    build: .
    entrypoint: ["/missing.sh"]
`,
    Dockerfile: 'FROM python:3.12\nCOPY entrypoint.sh /entrypoint.sh\nENTRYPOINT ["/entrypoint.sh"]\n',
    'entrypoint.sh': '#!/bin/sh\nexec gunicorn app:app\n',
    'dev/entrypoint.sh': '#!/bin/sh\r\nexec flask run\r\n',
  });
  const p = plan(m, 'api');
  assert.equal(p.scripts[0]!.repoPath, 'dev/entrypoint.sh');
  assert.equal(p.scripts[0]!.providedBy, 'bind-mount');
  assert.equal(p.scripts[0]!.crlf, true);
  const other = plan(m, 'other');
  assert.equal(other.steps.length, 1);
  assert.match(other.unresolved[0]!.message, /missing\.sh/);
});

test('git mode and COPY --chmod are recorded for scripts', async () => {
  const m = await model(
    {
      'docker-compose.yml': ONE_SERVICE(),
      Dockerfile: 'FROM python:3.12\nCOPY --chmod=755 entrypoint.sh /usr/local/bin/entrypoint\nENTRYPOINT ["entrypoint"]\n',
      'entrypoint.sh': '#!/bin/sh\nexec "$@"\n',
    },
    new Map([['entrypoint.sh', 0o100644], ['Dockerfile', 0o100644], ['docker-compose.yml', 0o100644]]),
  );
  const s = plan(m, 'api').scripts[0]!;
  assert.equal(s.gitMode, 0o100644);
  assert.equal(s.copyChmod, '755');
  assert.equal(s.path, '/usr/local/bin/entrypoint');
});

test('server defaults: daphne, hypercorn, runserver, next, uvicorn env', async () => {
  const m = await model({
    'docker-compose.yml': `services:
  daphne:
    image: python:3.12
    command: daphne proj.asgi:application
  daphne-b:
    image: python:3.12
    command: daphne -b 0.0.0.0 proj.asgi:application
  hyper:
    image: python:3.12
    command: hypercorn main:app --bind 0.0.0.0
  runserver:
    image: python:3.12
    command: python manage.py runserver
  runserver-all:
    image: python:3.12
    command: python manage.py runserver 0:8001
  next:
    image: node:22
    command: npx next start
  uv-env:
    image: python:3.12
    command: python -m uvicorn main:app --reload
    environment:
      UVICORN_HOST: 0.0.0.0
`,
  });
  const srv = (n: string) => plan(m, n).servers[0]!;
  assert.deepEqual([srv('daphne').host, srv('daphne').port, srv('daphne').bindFrom], ['127.0.0.1', 8000, 'default']);
  assert.deepEqual([srv('daphne-b').host, srv('daphne-b').port], ['0.0.0.0', 8000]);
  assert.deepEqual([srv('hyper').host, srv('hyper').port], ['0.0.0.0', 8000]);
  assert.deepEqual([srv('runserver').kind, srv('runserver').host, srv('runserver').port, srv('runserver').devServer, srv('runserver').reload], ['django-runserver', '127.0.0.1', 8000, true, true]);
  assert.deepEqual([srv('runserver-all').host, srv('runserver-all').port], ['0.0.0.0', 8001]);
  assert.deepEqual([srv('next').kind, srv('next').host, srv('next').port], ['next', '0.0.0.0', 3000]);
  assert.deepEqual([srv('uv-env').host, srv('uv-env').port, srv('uv-env').bindFrom, srv('uv-env').reload], ['0.0.0.0', 8000, 'env', true]);
  assert.equal(plan(m, 'daphne').imageKnown, false);
});

test('migration tools: alembic, flask-migrate, prisma, rails, knex are found at project level', async () => {
  const m = await model({
    'svc/alembic.ini': '[alembic]\nscript_location = %(here)s/db\n',
    'svc/db/versions/abc_init.py': '',
    'web/migrations/alembic.ini': '[alembic]\n',
    'web/migrations/env.py': '',
    'web/migrations/versions/1_x.py': '',
    'node/prisma/schema.prisma': '',
    'node/prisma/migrations/20240101_init/migration.sql': '',
    'rb/db/migrate/20240101_create.rb': '',
    'rb/config/database.yml': '',
    'js/knexfile.js': "module.exports = { migrations: { directory: './db/migrations' } }",
    'js/db/migrations/001_init.js': '',
  });
  assert.deepEqual(
    m.migrations.map((t) => [t.tool, t.configPath, t.dir]).sort(),
    [
      ['alembic', 'svc/alembic.ini', 'svc/db'],
      ['flask-migrate', 'web/migrations/alembic.ini', 'web/migrations'],
      ['knex', 'js/knexfile.js', 'js/db/migrations'],
      ['prisma', 'node/prisma/schema.prisma', 'node/prisma/migrations'],
      ['rails', 'rb/config/database.yml', 'rb/db/migrate'],
    ],
  );
});
