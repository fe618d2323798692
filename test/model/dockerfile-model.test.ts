import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SourceFile } from '../../src/core/source-file.js';
import { parseDockerfile } from '../../src/parse/dockerfile/parse-dockerfile.js';
import { buildDockerfileModel } from '../../src/model/dockerfile-model.js';
import { parseImageName } from '../../src/model/image-name.js';

const model = (text: string, buildArgs?: ReadonlyMap<string, string | null>) => {
  const source = new SourceFile('Dockerfile', text);
  return buildDockerfileModel(source, parseDockerfile(source), buildArgs);
};
const env = (stage: { env: Map<string, { value: string }> }) =>
  Object.fromEntries([...stage.env].map(([k, v]) => [k, v.value]));

test('parseImageName splits registry ports, tags and digests', () => {
  assert.deepEqual(parseImageName('python'), { raw: 'python', repository: 'python' });
  assert.deepEqual(parseImageName('localhost:5000/app:1.0'), { raw: 'localhost:5000/app:1.0', repository: 'localhost:5000/app', tag: '1.0' });
  assert.deepEqual(parseImageName('localhost:5000/app'), { raw: 'localhost:5000/app', repository: 'localhost:5000/app' });
  assert.deepEqual(parseImageName('python@sha256:abc'), { raw: 'python@sha256:abc', repository: 'python', digest: 'sha256:abc' });
  assert.deepEqual(parseImageName('python:3.12-slim@sha256:abc'), {
    raw: 'python:3.12-slim@sha256:abc', repository: 'python', tag: '3.12-slim', digest: 'sha256:abc',
  });
  assert.deepEqual(parseImageName('ghcr.io/acme/api:v2'), { raw: 'ghcr.io/acme/api:v2', repository: 'ghcr.io/acme/api', tag: 'v2' });
});

test('global ARGs expand in FROM, transitively and with defaults; build args override', () => {
  const text = 'ARG PY=3.12\nARG BASE=python:${PY}-slim\nARG REG\nFROM ${REG:-docker.io}/${BASE} AS app\n';
  const m = model(text);
  assert.deepEqual([...m.globalArgs], [['PY', '3.12'], ['BASE', 'python:3.12-slim'], ['REG', undefined]]);
  const base = m.stages[0]!.base;
  assert.equal(base.raw, 'docker.io/python:3.12-slim');
  assert.equal(base.repository, 'docker.io/python');
  assert.equal(base.tag, '3.12-slim');
  assert.deepEqual(base.loc, { file: 'Dockerfile', startLine: 4, startColumn: 6, endLine: 4, endColumn: 31 });
  assert.equal(m.stages[0]!.name, 'app');
  assert.equal(model(text, new Map([['PY', '3.13'], ['REG', 'ghcr.io']])).stages[0]!.base.raw, 'ghcr.io/python:3.13-slim');
  // `args: [PY]` without a value comes from the shell at build time: the default stands
  assert.equal(model(text, new Map([['PY', null]])).stages[0]!.base.tag, '3.12-slim');
});

test('a global ARG is visible inside a stage only when redeclared', () => {
  const text = 'ARG VERSION=1.0\nARG OTHER=x\nFROM alpine\nARG VERSION\nENV V=$VERSION O=${OTHER:-unset}\nARG LOCAL=l\nENV L=$LOCAL\n';
  assert.deepEqual(env(model(text).stages[0]!), { V: '1.0', O: 'unset', L: 'l' });
  assert.deepEqual(env(model(text, new Map([['VERSION', '2.0'], ['LOCAL', 'b']])).stages[0]!), { V: '2.0', O: 'unset', L: 'b' });
});

test('ENV values are expanded, quoted, and win over ARGs; one ENV sees the values before it', () => {
  const text = 'FROM alpine\nARG HOME_DIR=/opt\nENV A=1\nENV A=2 B=$A C="with space" D=${MISSING:-fallback}\nENV HOME_DIR=/srv E=$HOME_DIR\nENV LEGACY some value here\n';
  const stage = model(text).stages[0]!;
  assert.deepEqual(env(stage), { A: '2', B: '1', C: 'with space', D: 'fallback', HOME_DIR: '/srv', E: '/opt', LEGACY: 'some value here' });
  assert.deepEqual(stage.env.get('C')!.loc, { file: 'Dockerfile', startLine: 4, startColumn: 14, endLine: 4, endColumn: 28 });
});

test('WORKDIR resolves against the previous one and expands variables', () => {
  const text = 'FROM alpine\nWORKDIR app\nWORKDIR src/../lib\nENV ROOT=/srv\nWORKDIR $ROOT/api\nFROM alpine\n';
  const m = model(text);
  assert.equal(m.stages[0]!.workdir, '/srv/api');
  assert.equal(m.stages[1]!.workdir, '/');
  assert.equal(model('FROM alpine\nWORKDIR app\nWORKDIR src/../lib\n').stages[0]!.workdir, '/app/lib');
});

test('a stage built FROM an earlier stage inherits its config; an external image gives nothing', () => {
  const text = [
    'FROM python:3.12 AS Builder',
    'ENV APP=/app',
    'WORKDIR /app',
    'USER app',
    'EXPOSE 8000',
    'HEALTHCHECK CMD curl -f http://localhost/',
    'CMD ["python", "main.py"]',
    'FROM builder AS test',
    'RUN pytest',
    'FROM 0',
    'FROM debian',
  ].join('\n');
  const [b, t, byIndex, ext] = model(text).stages;
  assert.equal(t!.baseStage, 0);
  assert.equal(t!.base.raw, 'builder');
  assert.deepEqual(env(t!), { APP: '/app' });
  assert.equal(t!.workdir, '/app');
  assert.deepEqual(t!.user, b!.user);
  assert.equal(t!.user!.value, 'app');
  assert.deepEqual(t!.user!.loc.startLine, 4);
  assert.deepEqual(t!.cmd!.argv, ['python', 'main.py']);
  assert.deepEqual(t!.healthcheck!.value, ['CMD-SHELL', 'curl -f http://localhost/']);
  assert.deepEqual(t!.expose.map((e) => e.value), ['8000']);
  assert.deepEqual(t!.instructions.map((i) => i.keyword), ['FROM', 'RUN']);
  assert.equal(byIndex!.baseStage, 0);
  assert.equal(ext!.baseStage, undefined);
  assert.equal(ext!.user, undefined);
  assert.equal(ext!.cmd, undefined);
  assert.equal(ext!.workdir, '/');
  assert.equal(ext!.env.size, 0);
  // ARGs do not carry over into a child stage
  assert.equal(model('FROM alpine AS a\nARG X=1\nFROM a\nENV Y=${X:-none}\n').stages[1]!.env.get('Y')!.value, 'none');
});

test('ENTRYPOINT resets an inherited CMD but not a CMD of the same stage', () => {
  const text = 'FROM alpine AS base\nCMD ["serve"]\nFROM base AS a\nENTRYPOINT ["tini", "--"]\nFROM base AS b\nCMD ["run"]\nENTRYPOINT ["tini", "--"]\n';
  const [base, a, b] = model(text).stages;
  assert.deepEqual(base!.cmd!.argv, ['serve']);
  assert.equal(a!.cmd, undefined);
  assert.deepEqual(a!.entrypoint!.argv, ['tini', '--']);
  assert.deepEqual(b!.cmd!.argv, ['run']);
});

test('CMD/ENTRYPOINT: exec form keeps argv, shell form runs under SHELL', () => {
  const text = 'FROM alpine\nCMD ["sh", "-c", "exec node server.js"]\nENTRYPOINT exec gunicorn app:app\nFROM alpine\nSHELL ["/bin/bash", "-c"]\nCMD echo $HOME\n';
  const [one, two] = model(text).stages;
  assert.deepEqual(one!.cmd, {
    form: 'exec', argv: ['sh', '-c', 'exec node server.js'], text: 'sh -c exec node server.js',
    loc: { file: 'Dockerfile', startLine: 2, startColumn: 1, endLine: 2, endColumn: 40 },
  });
  assert.deepEqual(one!.entrypoint!.argv, ['/bin/sh', '-c', 'exec gunicorn app:app']);
  assert.equal(one!.entrypoint!.form, 'shell');
  assert.deepEqual(two!.cmd!.argv, ['/bin/bash', '-c', 'echo $HOME']);
});

test('EXPOSE and HEALTHCHECK are normalised', () => {
  const text = 'FROM alpine\nENV PORT=9000\nEXPOSE 8000 8000/tcp $PORT/udp\nHEALTHCHECK --interval=5s CMD ["curl", "-f", "http://x/"]\nFROM alpine\nHEALTHCHECK NONE\n';
  const [one, two] = model(text).stages;
  assert.deepEqual(one!.expose.map((e) => e.value), ['8000', '8000/tcp', '9000/udp']);
  assert.equal(one!.expose[2]!.loc.startColumn, 22);
  assert.deepEqual(one!.healthcheck!.value, ['CMD', 'curl', '-f', 'http://x/']);
  assert.deepEqual(two!.healthcheck!.value, ['NONE']);
});

test('COPY/ADD steps: flags, sources, destination against WORKDIR, exec form and heredocs', () => {
  const text = [
    'FROM node:20 AS build',
    'FROM python:3.12',
    'ARG OWNER=app',
    'ENV DEST=conf',
    'WORKDIR /srv',
    'COPY --from=build --chown=${OWNER}:${OWNER} --chmod=755 /out/dist ./static/',
    'COPY . .',
    'ADD ["my file.txt", "other.txt", "$DEST/"]',
    'COPY <<EOF /etc/app.conf',
    'key=value',
    'EOF',
    'COPY requirements.txt /abs/path',
  ].join('\n');
  const [, stage] = model(text).stages;
  const [fromBuild, dot, add, heredoc, abs] = stage!.copies;
  assert.equal(fromBuild!.keyword, 'COPY');
  assert.equal(fromBuild!.from, 'build');
  assert.equal(fromBuild!.chown, 'app:app');
  assert.equal(fromBuild!.chmod, '755');
  assert.deepEqual(fromBuild!.sources.map((s) => s.value), ['/out/dist']);
  assert.deepEqual(fromBuild!.sources[0]!.loc, { file: 'Dockerfile', startLine: 6, startColumn: 57, endLine: 6, endColumn: 66 });
  assert.equal(fromBuild!.dest, '/srv/static/');
  assert.equal(fromBuild!.heredoc, false);
  assert.equal(dot!.dest, '/srv/');
  assert.equal(dot!.from, undefined);
  assert.equal(add!.keyword, 'ADD');
  assert.deepEqual(add!.sources.map((s) => s.value), ['my file.txt', 'other.txt']);
  assert.equal(add!.sources[0]!.loc.startColumn, 6);
  assert.equal(add!.dest, '/srv/conf/');
  assert.equal(heredoc!.heredoc, true);
  assert.equal(heredoc!.dest, '/etc/app.conf');
  assert.equal(heredoc!.instruction.heredocs[0]!.body, 'key=value\n');
  assert.equal(abs!.dest, '/abs/path');
});
