import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { classify } from '../../src/discover/classify.js';
import { groupEnvironments } from '../../src/discover/environments.js';
import { walkTree } from '../../src/discover/walk.js';

const names = (files: string[]) => groupEnvironments(files).map((e) => `${e.name}=${e.composeFiles.join('+')}${e.production ? ' (prod)' : ''}`);

test('compose default pair, overlays and standalone files', () => {
  assert.deepEqual(names(['docker-compose.yml', 'docker-compose.override.yml', 'docker-compose.prod.yml']), [
    'development=docker-compose.yml+docker-compose.override.yml',
    'production=docker-compose.yml+docker-compose.prod.yml (prod)',
  ]);
  assert.deepEqual(names(['compose.yaml']), ['default=compose.yaml']);
  assert.deepEqual(names(['docker-compose.base.yml', 'docker-compose.production.yml', 'docker-compose.secretvm.yml']), [
    'production=docker-compose.base.yml+docker-compose.production.yml (prod)',
    'secretvm=docker-compose.base.yml+docker-compose.secretvm.yml',
  ]);
  assert.deepEqual(names(['deploy/docker-compose.dev.yml', 'deploy/docker-compose.prod.yml']), ['development=deploy/docker-compose.dev.yml', 'production=deploy/docker-compose.prod.yml (prod)']);
});

test('an override plus a .dev overlay do not both claim "development"', () => {
  assert.deepEqual(names(['docker-compose.yml', 'docker-compose.override.yml', 'docker-compose.dev.yml']), [
    'default=docker-compose.yml+docker-compose.override.yml',
    'development=docker-compose.yml+docker-compose.dev.yml',
  ]);
});

test('compose files in several folders are prefixed by their folder', () => {
  assert.deepEqual(names(['docker-compose.yml', 'infra/compose.yaml', 'infra/compose.prod.yaml']), [
    'default=docker-compose.yml',
    'infra/default=infra/compose.yaml',
    'infra/production=infra/compose.yaml+infra/compose.prod.yaml (prod)',
  ]);
});

test('classify by name', () => {
  assert.equal(classify('Dockerfile'), 'dockerfile');
  assert.equal(classify('docker/Dockerfile.prod'), 'dockerfile');
  assert.equal(classify('api.Dockerfile'), 'dockerfile');
  assert.equal(classify('docker-compose.prod.yml'), 'compose');
  assert.equal(classify('.env.production'), 'dotenv');
  assert.equal(classify('docker/entrypoint.sh'), 'shell');
  assert.equal(classify('docker-entrypoint'), 'shell');
  assert.equal(classify('requirements-dev.txt'), 'python-manifest');
  assert.equal(classify('README.md'), 'other');
});

test('the walk skips node_modules, virtualenvs and git-ignored files, records what exists', () => {
  const root = mkdtempSync(join(tmpdir(), 'drydock-walk-'));
  const put = (p: string, t = '') => {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), t);
  };
  put('Dockerfile', 'FROM alpine\n');
  put('node_modules/pkg/Dockerfile', 'FROM x\n');
  put('myenv/pyvenv.cfg', 'home = /usr\n');
  put('myenv/lib/Dockerfile', 'FROM x\n');
  put('.gitignore', 'build/\nsecret.env\n');
  put('build/Dockerfile', 'FROM x\n');
  put('secret.env', 'A=1\n');
  put('sub/.gitignore', '*.yml\n');
  put('sub/compose.yml', 'services: {}\n');
  const w = walkTree(root);
  assert.deepEqual([...w.kinds.keys()].sort(), ['Dockerfile']);
  assert.ok(w.ignoredKinds.has('build/Dockerfile') && w.ignoredKinds.has('secret.env') && w.ignoredKinds.has('sub/compose.yml'));
  assert.ok(w.files.has('build/Dockerfile'), 'ignored files still exist for existence checks');
  assert.ok(!w.files.has('node_modules/pkg/Dockerfile'));
  assert.ok(w.dirs.has('node_modules'));
  assert.ok(w.gitignored('secret.env') && !w.gitignored('Dockerfile'));
});
