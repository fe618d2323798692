import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SourceFile } from '../../src/core/source-file.js';
import { parseDockerfile } from '../../src/parse/dockerfile/parse-dockerfile.js';
import { buildDockerfileModel } from '../../src/model/dockerfile-model.js';
import { buildImageModels } from '../../src/model/image-fs.js';
import type { ImageModel, RepoTree } from '../../src/model/types.js';

/** Build the image models of a Dockerfile whose context is a tiny repository (`files`: path → text). */
async function images(dockerfile: string, files: Record<string, string> = {}, modes: Record<string, number> = {}): Promise<ImageModel[]> {
  const source = new SourceFile('Dockerfile', dockerfile);
  const df = buildDockerfileModel(source, parseDockerfile(source));
  const all = { Dockerfile: dockerfile, ...files };
  const dirs = new Set<string>(['']);
  for (const f of Object.keys(all)) for (let i = f.indexOf('/'); i >= 0; i = f.indexOf('/', i + 1)) dirs.add(f.slice(0, i));
  const gitModes = new Map(Object.keys(all).map((f) => [f, modes[f] ?? 0o100644]));
  const tree: RepoTree = {
    root: '/repo',
    files: new Set(Object.keys(all)),
    dirs,
    kinds: new Map(),
    git: { tracked: new Set(gitModes.keys()), modes: gitModes, ignored: () => false },
  };
  return buildImageModels(df, { contextDir: '', tree, readText: (p) => (all as Record<string, string>)[p] });
}
const last = async (dockerfile: string, files?: Record<string, string>, modes?: Record<string, number>): Promise<ImageModel> => {
  const all = await images(dockerfile, files, modes);
  return all[all.length - 1]!;
};

test('python:3.12-slim has no curl; apt-get install adds it; purge removes it', async () => {
  const img = await images(
    [
      'FROM python:3.12-slim AS plain',
      'FROM python:3.12-slim AS with-curl',
      'RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*',
      'FROM with-curl AS purged',
      'RUN apt-get purge -y --auto-remove curl',
    ].join('\n'),
  );
  assert.equal(img[0]!.hasExecutable('curl'), false);
  assert.equal(img[0]!.hasExecutable('python3'), true);
  assert.equal(img[0]!.hasExecutable('wget'), false);
  assert.equal(img[1]!.hasExecutable('curl'), true);
  assert.equal(img[1]!.findExecutable('curl').path, '/usr/bin/curl');
  assert.equal(img[1]!.osPackages[0]?.name, 'curl');
  assert.equal(img[2]!.hasExecutable('curl'), false);
});

test('alpine has busybox wget and nc but no curl or bash; distroless has no shell', async () => {
  const alpine = await last('FROM alpine:3.20\n');
  assert.equal(alpine.hasExecutable('wget'), true);
  assert.equal(alpine.hasExecutable('nc'), true);
  assert.equal(alpine.hasExecutable('curl'), false);
  assert.equal(alpine.hasExecutable('bash'), false);
  const distroless = await last('FROM gcr.io/distroless/python3-debian12\n');
  assert.equal(distroless.hasExecutable('sh'), false);
  assert.equal(distroless.hasExecutable('/bin/sh'), false);
  assert.equal(distroless.hasExecutable('python3'), true);
  assert.equal(distroless.hasExecutable('anything-else'), false);
  const apkCurl = await last('FROM node:22-alpine\nRUN apk add --no-cache curl\n');
  assert.equal(apkCurl.hasExecutable('curl'), true);
  const virtual = await last('FROM node:22-alpine\nRUN apk add --no-cache --virtual .deps curl bash && apk del .deps\n');
  assert.equal(virtual.hasExecutable('curl'), false);
  assert.equal(virtual.hasExecutable('bash'), false);
});

test('useradd -m creates the home; without -m on debian there is none', async () => {
  const img = await last(
    ['FROM python:3.12-slim', 'RUN groupadd -g 1001 app && useradd -m -u 1001 -g app app', 'RUN useradd -r -u 999 worker', 'USER app'].join('\n'),
  );
  const app = img.user('app');
  assert.equal(app.exists, true);
  assert.equal(app.uid, 1001);
  assert.equal(app.gid, 1001);
  assert.equal(app.home, '/home/app');
  assert.equal(app.homeExists, true);
  assert.equal(img.finalPath('/home/app').owner, 'app');
  assert.equal(img.finalUser.name, 'app');
  const worker = img.user('worker');
  assert.equal(worker.home, '/home/worker');
  assert.equal(worker.homeExists, false);
  assert.equal(img.user('1001').name, 'app');
});

test('USER 1000 with no such account: it does not exist and has no home', async () => {
  const img = await last('FROM python:3.12-slim\nWORKDIR /app\nUSER 1000:1000\n');
  assert.equal(img.finalUser.exists, false);
  assert.equal(img.finalUser.homeExists, false);
  assert.equal(img.finalUser.home, undefined);
  // useradd without -u takes the first free uid >= 1000 on an image whose accounts we know
  const named = await last('FROM python:3.12-slim\nRUN useradd --create-home app\nUSER 1000\n');
  assert.equal(named.finalUser.exists, true);
  assert.equal(named.finalUser.name, 'app');
  assert.equal(named.user('app').uidInferred, true);
  // node images already have uid 1000 (node)
  const node = await last('FROM node:22-slim\nRUN useradd app\n');
  assert.equal(node.user('app').uid, 1001);
  assert.equal(node.user('1000').name, 'node');
  // an unknown base: we cannot tell
  const unknown = await last('FROM ghcr.io/acme/base:1\nUSER 1000\n');
  assert.equal(unknown.finalUser.exists, undefined);
});

test('alpine adduser -D creates the home; Debian adduser creates it too', async () => {
  const a = await last('FROM python:3.12-alpine\nRUN addgroup -S app && adduser -D -u 1000 -G app app\n');
  assert.equal(a.user('app').homeExists, true);
  assert.equal(a.user('app').uid, 1000);
  assert.equal(a.finalPath('/home/app').mode, 0o2755);
  const d = await last('FROM debian:bookworm-slim\nRUN adduser --disabled-password --gecos "" app\n');
  assert.equal(d.user('app').homeExists, true);
  const sys = await last('FROM debian:bookworm-slim\nRUN adduser --system --no-create-home app\n');
  assert.equal(sys.user('app').home, '/nonexistent');
  assert.equal(sys.user('app').homeExists, false);
});

test('pip install --target keeps gunicorn off PATH; plain pip puts it on PATH', async () => {
  const target = await last('FROM python:3.12-slim\nRUN pip install --no-cache-dir --target=/deps gunicorn==22.0.0\n');
  assert.equal(target.hasExecutable('gunicorn'), false);
  assert.equal(target.finalPath('/deps/bin/gunicorn').exists, true);
  const rec = target.pythonPackages[0]!;
  assert.equal(rec.name, 'gunicorn');
  assert.equal(rec.method, 'pip-target');
  assert.equal(rec.scriptsDir, '/deps/bin');
  assert.equal(rec.scriptsOnPath, false);

  const plain = await last('FROM python:3.12-slim\nRUN pip install gunicorn uvicorn[standard]\n');
  assert.equal(plain.hasExecutable('gunicorn'), true);
  assert.equal(plain.findExecutable('uvicorn').path, '/usr/local/bin/uvicorn');
  assert.deepEqual(plain.pythonPackages.map((p) => [p.name, p.scriptsOnPath]), [['gunicorn', true], ['uvicorn', true]]);
  // nothing installs celery: absent (the official python image ships only pip)
  assert.equal(plain.hasExecutable('celery'), false);

  const user = await last('FROM python:3.12-slim\nRUN pip install --user celery\n');
  assert.equal(user.pythonPackages[0]!.scriptsDir, '/root/.local/bin');
  assert.equal(user.hasExecutable('celery'), false);
});

test('requirements files are read through the COPY that brought them in', async () => {
  const files = { 'requirements.txt': 'Django==5.0  # web\n-r requirements/base.txt\n--index-url https://pypi.org/simple\n', 'requirements/base.txt': 'gunicorn>=21\npsycopg[binary]\n' };
  const img = await last('FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nCOPY requirements requirements\nRUN pip install -r requirements.txt\n', files);
  assert.deepEqual(img.pythonPackages.map((p) => p.name), ['django', 'gunicorn', 'psycopg']);
  assert.equal(img.pythonPackages[0]!.requirementsFile, '/app/requirements.txt');
  assert.equal(img.hasExecutable('django-admin'), true);
  assert.equal(img.hasExecutable('gunicorn'), true);
  // a requirements file we cannot read: recorded as a project install, scripts unknown
  const unread = await last('FROM python:3.12-slim\nRUN pip install -r /tmp/req.txt\n');
  assert.equal(unread.projectInstalls[0]?.manifest, '/tmp/req.txt');
  assert.equal(unread.hasExecutable('gunicorn'), undefined);
  assert.equal(unread.hasExecutable('curl'), false); // a wheel does not ship curl
  const uv = await last('FROM python:3.12-slim\nWORKDIR /app\nCOPY pyproject.toml uv.lock ./\nRUN uv sync --frozen\n', { 'pyproject.toml': '', 'uv.lock': '' });
  assert.equal(uv.projectInstalls[0]?.description, 'installs project dependencies from /app/pyproject.toml');
  assert.equal(uv.projectInstalls[0]?.contextSource, 'pyproject.toml');
});

test('multi-stage prefix install: COPY --from=builder /install /usr/local puts gunicorn on PATH', async () => {
  const img = await images(
    [
      'FROM python:3.12-slim AS builder',
      'RUN pip install --prefix=/install gunicorn',
      'FROM python:3.12-slim',
      'COPY --from=builder /install /usr/local',
      'CMD ["gunicorn", "app:app"]',
    ].join('\n'),
  );
  assert.equal(img[0]!.hasExecutable('gunicorn'), false);
  assert.equal(img[0]!.finalPath('/install/bin/gunicorn').exists, true);
  const runtime = img[1]!;
  assert.equal(runtime.hasExecutable('gunicorn'), true);
  assert.equal(runtime.findExecutable('gunicorn').path, '/usr/local/bin/gunicorn');
  const rec = runtime.pythonPackages.find((p) => p.name === 'gunicorn')!;
  assert.equal(rec.copiedFromStage, 0);
  assert.equal(rec.scriptsDir, '/usr/local/bin');
  assert.equal(rec.scriptsOnPath, true);
  // copying only the site-packages leaves the scripts behind
  const lib = await last(
    ['FROM python:3.12-slim AS b', 'RUN pip install --prefix=/install gunicorn', 'FROM python:3.12-slim', 'COPY --from=b /install/lib /usr/local/lib'].join('\n'),
  );
  assert.equal(lib.hasExecutable('gunicorn'), false);
});

test('a venv on PATH: pip installs there', async () => {
  const img = await last('FROM python:3.12-slim\nRUN python -m venv /opt/venv\nENV PATH="/opt/venv/bin:$PATH"\nRUN pip install gunicorn\n');
  assert.equal(img.pythonPackages[0]!.method, 'pip-venv');
  assert.equal(img.pythonPackages[0]!.scriptsDir, '/opt/venv/bin');
  assert.equal(img.hasExecutable('gunicorn'), true);
  assert.equal(img.path[0], '/opt/venv/bin');
  assert.ok(img.path.includes('/usr/local/bin'));
});

test('WORKDIR is created by the current USER (BuildKit): root before USER, the user after', async () => {
  const img = await last('FROM python:3.12-slim\nWORKDIR /app\nRUN useradd -u 1000 app\nUSER app\nWORKDIR /app/data\nWORKDIR /app\n');
  const app = img.finalPath('/app');
  assert.equal(app.exists, true);
  assert.equal(app.owner, 'root');
  assert.equal(app.mode, 0o755);
  assert.equal(app.createdBy?.keyword, 'WORKDIR');
  const data = img.finalPath('/app/data');
  assert.equal(data.owner, 'app');
  assert.equal(data.ownerUid, 1000);
  assert.equal(img.writableBy('/app', 'app'), false);
  assert.equal(img.writableBy('/app/data', 'app'), true);
  assert.equal(img.writableBy('/tmp', 'app'), true);
  assert.equal(img.writableBy('/app', 'root'), true);
});

test('mkdir then chown -R; chmod numeric and +x; pathAt sees earlier steps', async () => {
  const img = await last(
    [
      'FROM python:3.12-slim',
      'RUN useradd -u 1000 app',
      'RUN mkdir -p /app/cache/a && touch /app/cache/a/f',
      'RUN chown -R app:app /app/cache',
      'RUN chmod 1777 /app/cache/a && chmod +x /app/cache/a/f',
    ].join('\n'),
  );
  assert.equal(img.pathAt(2, '/app/cache').owner, 'root');
  assert.equal(img.pathAt(3, '/app/cache').owner, 'app');
  assert.equal(img.finalPath('/app/cache/a/f').owner, 'app');
  assert.equal(img.finalPath('/app/cache/a').mode, 0o1777);
  assert.equal(img.finalPath('/app/cache/a/f').mode, 0o755);
  assert.equal(img.finalPath('/app/cache/a/f').executable, true);
  assert.equal(img.finalPath('/app').owner, 'root');
  assert.equal(img.pathAt(1, '/app/cache').exists, false);
  assert.equal(img.pathAt(0, '/app').exists, false);
  assert.equal(img.finalPath('/srv/other').exists, false);
  assert.equal(img.finalPath('/tmp').mode, 0o1777);
});

test('rm -rf removes a path and everything under it', async () => {
  const img = await last('FROM python:3.12-slim\nRUN mkdir -p /app/build/x && touch /app/keep\nRUN rm -rf /app/build\n');
  assert.equal(img.finalPath('/app/build').exists, false);
  assert.equal(img.finalPath('/app/build/x').exists, false);
  assert.equal(img.finalPath('/app/keep').exists, true);
  assert.equal(img.pathAt(1, '/app/build/x').exists, true);
});

test('an unknown RUN script makes answers unknown, not false', async () => {
  const img = await last('FROM python:3.12-slim\nRUN mkdir /app\nCOPY install.sh /\nRUN /install.sh\n', { 'install.sh': '#!/bin/sh\n' }, { 'install.sh': 0o100755 });
  assert.equal(img.hasExecutable('curl'), undefined);
  assert.equal(img.finalPath('/opt/thing').exists, undefined);
  assert.equal(img.finalPath('/app').exists, true);
  assert.equal(img.finalPath('/app').owner, undefined);
  assert.equal(img.user('1000').exists, undefined);
  assert.equal(img.opaque.length, 1);
  assert.match(img.opaque[0]!.reason, /install\.sh/);
  // a piped installer too
  const piped = await last('FROM python:3.12-slim\nRUN curl -fsSL https://example.com/i.sh | sh\n');
  assert.equal(piped.hasExecutable('curl'), undefined);
  // an unknown base image: tools unknown
  const unknown = await last('FROM registry.example.com/base:1\n');
  assert.equal(unknown.unknownBase, true);
  assert.equal(unknown.hasExecutable('curl'), undefined);
  assert.equal(unknown.finalPath('/app').exists, undefined);
});

test('COPY: root-owned unless --chown, modes from the git index, --chmod, files into PATH dirs', async () => {
  const files = { 'app/main.py': 'print()', 'app/sub/x.py': '', 'entrypoint.sh': '#!/bin/sh\n', 'bin/tool': '' };
  const img = await last(
    [
      'FROM python:3.12-slim',
      'WORKDIR /srv',
      'COPY app ./app',
      'COPY --chown=1000:1000 entrypoint.sh /usr/local/bin/',
      'COPY --chmod=755 bin/tool /usr/local/bin/tool',
    ].join('\n'),
    files,
    { 'entrypoint.sh': 0o100755 },
  );
  const main = img.finalPath('/srv/app/main.py');
  assert.equal(main.exists, true);
  assert.equal(main.owner, 'root');
  assert.equal(main.mode, 0o644);
  assert.equal(main.contextSource, 'app/main.py');
  assert.equal(img.finalPath('/srv/app/sub').kind, 'dir');
  assert.equal(img.finalPath('/srv/app/missing.py').exists, false);
  assert.equal(img.finalPath('/srv/app/node_modules/x').exists, undefined);
  assert.equal(img.finalPath('/usr/local/bin/entrypoint.sh').owner, '1000');
  assert.equal(img.hasExecutable('entrypoint.sh'), true);
  assert.equal(img.hasExecutable('tool'), true);
  assert.equal(img.hasExecutable('/srv/app/main.py'), false);
});

test('npm ci records the manifest and whether devDependencies are skipped', async () => {
  const img = await last('FROM node:22-slim\nENV NODE_ENV=production\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\n', { 'package.json': '{}', 'package-lock.json': '{}' });
  const p = img.projectInstalls[0]!;
  assert.equal(p.tool, 'npm');
  assert.equal(p.manifest, '/app/package.json');
  assert.equal(p.omitDev, true);
  assert.equal(p.contextSource, 'package.json');
});

test('heredoc RUN bodies and redirections are interpreted', async () => {
  const img = await last('FROM debian:bookworm-slim\nRUN <<EOF\nset -e\napt-get update\napt-get install -y wget\necho ok > /etc/marker\nEOF\n');
  assert.equal(img.hasExecutable('wget'), true);
  assert.equal(img.finalPath('/etc/marker').exists, true);
});

test('USER through an unknown variable: the user and what it creates are unknown', async () => {
  const img = await last('FROM python:3.12-slim\nARG APP_USER\nUSER $APP_USER\nWORKDIR /data\n');
  assert.equal(img.finalUser.exists, undefined);
  assert.equal(img.finalPath('/data').exists, true);
  assert.equal(img.finalPath('/data').owner, undefined);
  const known = await last('FROM python:3.12-slim\nARG APP_USER=app\nRUN useradd -m $APP_USER\nUSER ${APP_USER}\n');
  assert.equal(known.finalUser.name, 'app');
  assert.equal(known.finalUser.homeExists, true);
});

test('purging a base tool removes it; Debian adduser homes are 0700', async () => {
  const nginx = await last('FROM nginx:1.27\nRUN apt-get purge -y curl\n');
  assert.equal(nginx.hasExecutable('curl'), false);
  assert.equal((await last('FROM nginx:1.27\n')).hasExecutable('curl'), true);
  const d = await last('FROM debian:bookworm-slim\nRUN adduser --disabled-password app\n');
  assert.equal(d.finalPath('/home/app').mode, 0o700);
  assert.equal(d.writableBy('/home/app', 'app'), true);
  assert.equal(d.writableBy('/home/app', '1001'), false);
});
