/** Image path → repository file, through COPY/ADD destinations, --from chains and FROM <stage>. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SourceFile } from '../../src/core/source-file.js';
import { discover } from '../../src/discover/index.js';
import { parseDockerfile } from '../../src/parse/dockerfile/parse-dockerfile.js';
import { buildModel } from '../../src/model/build-model.js';
import { buildDockerfileModel } from '../../src/model/dockerfile-model.js';
import { imageFileSource, imagePathExistsFromCopies, type ImageFilesOptions } from '../../src/model/image-files.js';

function dockerfile(text: string) {
  const src = new SourceFile('Dockerfile', text);
  return buildDockerfileModel(src, parseDockerfile(src));
}

/** A tree from a list of files (directories derived). */
function tree(files: string[]): NonNullable<ImageFilesOptions['tree']> {
  const dirs = new Set<string>(['']);
  for (const f of files) {
    const parts = f.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  return { files: new Set(files), dirs };
}

function source(text: string, files: string[], imagePath: string, context = '', extra: Partial<ImageFilesOptions> = {}) {
  const df = dockerfile(text);
  const stage = df.stages[df.stages.length - 1]!;
  return imageFileSource(stage, context, imagePath, { stages: df.stages, tree: tree(files), ...extra });
}

test('file and directory copies: trailing slash, renamed file, directory contents, COPY . .', () => {
  const files = ['requirements.txt', 'app/main.py', 'app/api/routes.py', 'alembic.ini', 'docker/entrypoint.sh'];
  const text = `FROM python:3.12
WORKDIR /srv/app
COPY requirements.txt deps/
COPY docker/entrypoint.sh /entrypoint.sh
COPY app ./app
COPY alembic.ini ./
`;
  assert.equal(source(text, files, '/srv/app/deps/requirements.txt')?.repoPath, 'requirements.txt');
  assert.equal(source(text, files, '/entrypoint.sh')?.repoPath, 'docker/entrypoint.sh');
  assert.equal(source(text, files, '/srv/app/app/main.py')?.repoPath, 'app/main.py');
  assert.equal(source(text, files, '/srv/app/app/api/routes.py')?.repoPath, 'app/api/routes.py');
  assert.equal(source(text, files, '/srv/app/alembic.ini')?.repoPath, 'alembic.ini');
  assert.equal(source(text, files, 'alembic.ini')?.repoPath, 'alembic.ini', 'a relative path is relative to WORKDIR');
  assert.equal(source(text, files, '/srv/app/main.py'), undefined, 'the directory itself is not copied, only its contents');
  assert.equal(source(text, files, '/srv/app/app/missing.py'), undefined);
  const r = source(text, files, '/srv/app/app/main.py')!;
  assert.equal(r.step.loc.startLine, 5);
  assert.deepEqual(r.chain, [r.step]);

  const all = 'FROM node:22\nWORKDIR /usr/src/app\nCOPY . .\n';
  assert.equal(source(all, ['svc/server.js', 'svc/lib/a.js'], '/usr/src/app/lib/a.js', 'svc')?.repoPath, 'svc/lib/a.js');
  assert.equal(source(all, ['svc/server.js'], '/usr/src/app/server.js', 'svc')?.repoPath, 'svc/server.js');
});

test('WORKDIR-relative destinations, several sources, wildcards', () => {
  const files = ['a.py', 'b.py', 'req/base.txt', 'req/prod.txt', 'conf/x.conf'];
  const text = `FROM python:3.12
WORKDIR /opt
WORKDIR svc
COPY a.py b.py lib/
COPY req/*.txt /reqs/
COPY conf* /etc/app/
`;
  assert.equal(source(text, files, '/opt/svc/lib/b.py')?.repoPath, 'b.py');
  assert.equal(source(text, files, '/reqs/prod.txt')?.repoPath, 'req/prod.txt');
  assert.equal(source(text, files, '/etc/app/x.conf')?.repoPath, 'conf/x.conf', 'a matched directory spills its contents');
});

test('the last COPY that has the file wins; a later directory copy without it does not hide an earlier one', () => {
  const files = ['v1/settings.py', 'v2/settings.py', 'extra/other.py'];
  const text = 'FROM python:3.12\nCOPY v1/ /app/\nCOPY v2/ /app/\nCOPY extra/ /app/\n';
  const r = source(text, files, '/app/settings.py')!;
  assert.equal(r.repoPath, 'v2/settings.py');
  assert.equal(r.step.loc.startLine, 3);
});

test('COPY --from=<stage> follows into the earlier stage; FROM <stage> inherits its copies', () => {
  const files = ['src/main.py', 'scripts/start.sh', 'base.cfg'];
  const text = `FROM python:3.12 AS base
COPY base.cfg /etc/base.cfg
FROM base AS build
WORKDIR /build
COPY src ./src
COPY scripts/start.sh bin/start
FROM base
COPY --from=build /build/src /app
COPY --from=build /build/bin/ /usr/local/bin/
COPY --from=ghcr.io/acme/tools:1 /bin/tool /usr/bin/tool
`;
  const r = source(text, files, '/app/main.py')!;
  assert.equal(r.repoPath, 'src/main.py');
  assert.equal(r.chain.length, 2);
  assert.equal(r.step.loc.startLine, 8);
  assert.equal(r.chain[1]!.loc.startLine, 5);
  assert.equal(source(text, files, '/usr/local/bin/start')?.repoPath, 'scripts/start.sh');
  assert.equal(source(text, files, '/etc/base.cfg')?.repoPath, 'base.cfg', 'inherited from the base stage');
  assert.equal(source(text, files, '/usr/bin/tool'), undefined, 'an external image is not the repository');
});

test('.dockerignore, ADD archives and heredocs provide no repository file', () => {
  const files = ['app/main.py', 'app/secret.env', 'vendor.tar.gz'];
  const text = 'FROM python:3.12\nCOPY app /app\nADD vendor.tar.gz /vendor/\nCOPY <<EOF /app/generated.py\nprint(1)\nEOF\n';
  const ignore = { excludes: (p: string) => p.endsWith('.env') };
  assert.equal(source(text, files, '/app/secret.env', '', { dockerignore: ignore }), undefined);
  assert.equal(source(text, files, '/app/main.py', '', { dockerignore: ignore })?.repoPath, 'app/main.py');
  assert.equal(source(text, files, '/vendor/lib/x.py'), undefined);
  assert.equal(source(text, files, '/app/generated.py'), undefined);
});

test('without the tree: the first plausible candidate', () => {
  const df = dockerfile('FROM python:3.12\nWORKDIR /srv\nCOPY app ./app\nCOPY gunicorn.conf.py ./\n');
  const stage = df.stages[0]!;
  assert.equal(imageFileSource(stage, 'svc', '/srv/app/main.py')?.repoPath, 'svc/app/main.py');
  assert.equal(imageFileSource(stage, 'svc', '/srv/gunicorn.conf.py')?.repoPath, 'svc/gunicorn.conf.py');
  assert.equal(imageFileSource(stage, undefined, '/srv/gunicorn.conf.py'), undefined, 'a remote context');
});

test('imagePathExistsFromCopies: files, copied directories and their parents, --from destinations', () => {
  const files = ['app/main.py', 'app/pkg/__init__.py'];
  const text = 'FROM python:3.12 AS b\nRUN pip install --prefix=/install x\nFROM python:3.12\nWORKDIR /srv\nCOPY app ./app\nCOPY --from=b /install /usr/local\nCOPY <<EOF /etc/x.conf\nx\nEOF\n';
  const df = dockerfile(text);
  const stage = df.stages[1]!;
  const o = { stages: df.stages, tree: tree(files) };
  const exists = (p: string) => imagePathExistsFromCopies(stage, '', p, o);
  assert.equal(exists('/srv/app/main.py'), true);
  assert.equal(exists('/srv/app/pkg'), true);
  assert.equal(exists('/srv/app'), true);
  assert.equal(exists('/srv'), true, 'a parent of a destination');
  assert.equal(exists('/srv/app/nope.py'), false);
  assert.equal(exists('/usr/local'), true, 'a --from destination exists when the build works');
  assert.equal(exists('/etc/x.conf'), true);
  assert.equal(exists('/srv/gunicorn.conf.py'), false);
});

test('through the model: the service build context decides where sources are read', async () => {
  const root = mkdtempSync(join(tmpdir(), 'drydock-imagefiles-'));
  const write = (p: string, t: string) => {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), t);
  };
  write('deploy/docker-compose.yml', 'services:\n  api:\n    build:\n      context: ../backend\n      dockerfile: ../deploy/api.Dockerfile\n');
  write('deploy/api.Dockerfile', 'FROM python:3.12\nWORKDIR /code\nCOPY . .\n');
  write('backend/app.py', '');
  const m = await buildModel(discover(root, { git: 'off' }));
  const svc = m.environments[0]!.services[0]!;
  assert.equal(svc.build?.context, 'backend');
  const stage = svc.runtime.stage!;
  assert.equal(imageFileSource(stage, svc.build!.context, '/code/app.py', { stages: svc.runtime.dockerfile!.stages, tree: m.tree })?.repoPath, 'backend/app.py');
});
