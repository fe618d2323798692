import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_IMAGES, baseHasTool, matchBaseImage } from '../../src/knowledge/base-images.js';
import { consoleScriptsOf, normalizeDistribution } from '../../src/knowledge/python-packages.js';
import { packageTools } from '../../src/knowledge/os-packages.js';
import { parseImageName } from '../../src/model/image-name.js';

const id = (ref: string): string | undefined => matchBaseImage(parseImageName(ref))?.id;

test('tags resolve to image families', () => {
  assert.equal(id('python:3.12-slim'), 'python-slim');
  assert.equal(id('python:3.12-slim-bookworm'), 'python-slim');
  assert.equal(id('python:3.12-slim-trixie'), 'python-slim');
  assert.equal(id('python:3.12'), 'python');
  assert.equal(id('python:3.12-bookworm'), 'python');
  assert.equal(id('python'), 'python');
  assert.equal(id('python:3.13-alpine3.20'), 'python-alpine');
  assert.equal(id('node:22-alpine3.20'), 'node-alpine');
  assert.equal(id('node:22-bookworm-slim'), 'node-slim');
  assert.equal(id('node:lts'), 'node');
  assert.equal(id('gcr.io/distroless/python3-debian12'), 'distroless-python3');
  assert.equal(id('gcr.io/distroless/static-debian12:nonroot'), 'distroless-nonroot');
  assert.equal(id('gcr.io/distroless/base-debian12:debug'), 'distroless-debug');
  assert.equal(id('gcr.io/distroless/nodejs22-debian12'), 'distroless-nodejs');
  assert.equal(id('postgres:16-alpine'), 'postgres-alpine');
  assert.equal(id('postgres:16'), 'postgres');
  assert.equal(id('docker.io/library/redis:7'), 'redis');
  assert.equal(id('redis:7.2-alpine'), 'redis-alpine');
  assert.equal(id('nginx:1.27-alpine-slim'), 'nginx-alpine-slim');
  assert.equal(id('nginx:alpine'), 'nginx-alpine');
  assert.equal(id('nginx:1.27'), 'nginx');
  assert.equal(id('debian:bookworm-slim'), 'debian-slim');
  assert.equal(id('debian:12'), 'debian');
  assert.equal(id('ubuntu:24.04'), 'ubuntu');
  assert.equal(id('alpine:3.20'), 'alpine');
  assert.equal(id('alpine'), 'alpine');
  assert.equal(id('buildpack-deps:bookworm'), 'buildpack-deps');
  assert.equal(id('cgr.dev/chainguard/python:latest'), 'chainguard');
  assert.equal(id('cgr.dev/chainguard/python:latest-dev'), 'chainguard-dev');
  assert.equal(id('scratch'), 'scratch');
});

test('unknown images, suites and pins give no facts', () => {
  for (const ref of [
    'ghcr.io/acme/api:1.0', 'myorg/python:3.12-slim', 'python:3.12-slim-bullseye', 'python@sha256:abc', 'ubuntu:22.04',
    'debian:bullseye', 'redis:6.2', 'python:3.12-windowsservercore', 'gcr.io/distroless/java17-debian12', 'quay.io/python:3.12',
  ]) {
    assert.equal(matchBaseImage(parseImageName(ref)), undefined, ref);
  }
});

test('tool facts: curl, wget, shells, busybox applets; unknown stays undefined', () => {
  const f = (ref: string) => matchBaseImage(parseImageName(ref))!;
  assert.equal(baseHasTool(f('python:3.12-slim'), 'curl'), false);
  assert.equal(baseHasTool(f('python:3.12-slim'), 'bash'), true);
  assert.equal(baseHasTool(f('python:3.12'), 'curl'), true);
  assert.equal(baseHasTool(f('node:22-alpine'), 'wget'), true);
  assert.equal(baseHasTool(f('node:22-alpine'), 'curl'), false);
  assert.equal(baseHasTool(f('postgres:16'), 'pg_isready'), true);
  assert.equal(baseHasTool(f('postgres:16-alpine'), 'bash'), true);
  assert.equal(baseHasTool(f('redis:7'), 'redis-cli'), true);
  assert.equal(baseHasTool(f('nginx:1.27'), 'curl'), true);
  assert.equal(baseHasTool(f('nginx:1.27-alpine-slim'), 'curl'), false);
  assert.equal(baseHasTool(f('gcr.io/distroless/static-debian12'), 'sh'), false);
  assert.equal(baseHasTool(f('gcr.io/distroless/static-debian12'), 'anything'), false);
  assert.equal(baseHasTool(f('gcr.io/distroless/base-debian12:debug'), 'sh'), true);
  // U in KNOWLEDGE.md: nc and ps in postgres/redis/nginx debian images
  assert.equal(baseHasTool(f('postgres:16'), 'nc'), undefined);
  assert.equal(baseHasTool(f('redis:7'), 'ps'), undefined);
  assert.equal(baseHasTool(f('cgr.dev/chainguard/python:latest'), 'curl'), undefined);
});

test('users, default USER and modes', () => {
  const f = (ref: string) => matchBaseImage(parseImageName(ref))!;
  assert.deepEqual(f('node:22').users?.find((u) => u.name === 'node'), { name: 'node', uid: 1000, gid: 1000, home: '/home/node', shell: '/bin/bash' });
  assert.equal(f('postgres:16-alpine').users?.[0]?.uid, 70);
  assert.equal(f('redis:7-alpine').users?.[0]?.gid, 1000);
  assert.equal(f('gcr.io/distroless/static-debian12').defaultUser, '0');
  assert.equal(f('gcr.io/distroless/static-debian12:nonroot').defaultUser, '65532');
  assert.equal(f('python:3.12-slim').dirs?.find((d) => d.path === '/tmp')?.mode, 0o1777);
  assert.equal(f('alpine').dirs, undefined); // /tmp mode on alpine is U
  assert.equal(f('ubuntu:24.04').confidence, 'S');
});

test('every row names a source and a confidence', () => {
  for (const [key, row] of Object.entries(BASE_IMAGES)) {
    assert.equal(row.id, key);
    assert.ok(row.source.length > 10, key);
    assert.ok(row.confidence === 'V' || row.confidence === 'S', key);
    for (const t of row.present) assert.ok(!row.absent.includes(t), `${key}: ${t} both present and absent`);
  }
});

test('console scripts and OS package tools', () => {
  assert.equal(normalizeDistribution('Flask_SQLAlchemy'), 'flask-sqlalchemy');
  assert.deepEqual(consoleScriptsOf('Django'), ['django-admin']);
  assert.deepEqual(consoleScriptsOf('gunicorn'), ['gunicorn']);
  assert.equal(consoleScriptsOf('requests'), undefined);
  assert.equal(packageTools('apt', 'postgresql-client-16')?.tools.pg_isready, '/usr/bin/pg_isready');
  assert.equal(packageTools('apt', 'netcat-openbsd')?.tools.nc, '/bin/nc');
  assert.equal(packageTools('apt', 'curl=7.88.1-10+deb12u5')?.tools.curl, '/usr/bin/curl');
  assert.equal(packageTools('apt', 'procps')?.tools.ps, '/bin/ps');
  assert.equal(packageTools('apt', 'libpq-dev'), undefined);
  assert.equal(packageTools('apk', 'curl')?.tools.curl, '/usr/bin/curl');
});
