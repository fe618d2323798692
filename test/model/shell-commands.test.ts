/** The parsed shell commands the model exposes: ImageModel.runCommands and healthcheck commands. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { discover } from '../../src/discover/index.js';
import { buildModel } from '../../src/model/build-model.js';
import { offsetsIn } from '../../src/model/shell-commands.js';
import type { ShellCommand } from '../../src/parse/shell/types.js';
import type { Location } from '../../src/core/location.js';

async function modelOf(files: Record<string, string>) {
  const root = mkdtempSync(join(tmpdir(), 'drydock-shell-'));
  for (const [p, t] of Object.entries(files)) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), t);
  }
  return buildModel(discover(root, { git: 'off' }));
}

/** The text a location covers (single-line locations). */
const at = (text: string, l: Location): string => text.split('\n')[l.startLine! - 1]!.slice(l.startColumn! - 1, l.endColumn! - 1);
const names = (cmds: ShellCommand[] | undefined) => cmds?.map((c) => `${c.context.shellString ?? 0}${c.context.joinedBy ?? '-'}${c.name}`);

test('runCommands: shell form, continuation comments, exec form and its sh -c string, with Dockerfile locations', async () => {
  const dockerfile = [
    'FROM python:3.12-slim',
    'RUN mkdir -p /app \\',
    '  # a comment BuildKit drops',
    '  && chmod 755 /app',
    'RUN ["chmod", "+x", "/app/run.sh"]',
    'RUN ["sh", "-c", "cp \\"/a b\\" /c && echo"]',
    'COPY . /app',
    'RUN <<EOF',
    'echo one',
    'echo two',
    'EOF',
    'RUN python3 <<EOF',
    'print(1)',
    'EOF',
  ].join('\n');
  const model = await modelOf({ Dockerfile: dockerfile });
  const image = model.dockerfiles.get('Dockerfile')!.stages[0]!.image!;
  const ins = model.dockerfiles.get('Dockerfile')!.stages[0]!.instructions;

  const first = image.runCommands(1)!;
  assert.deepEqual(names(first), ['0;mkdir', '0&&chmod']);
  assert.equal(first[1]!.loc.startLine, 4);
  assert.equal(at(dockerfile, first[1]!.args[1]!.loc), '/app');

  const exec = image.runCommands(2)!;
  assert.deepEqual(names(exec), ['0;chmod']);
  assert.equal(at(dockerfile, exec[0]!.args[1]!.loc), '"/app/run.sh"');
  assert.equal(exec[0]!.args[1]!.literal, true);

  const shellString = image.runCommands(3)!;
  assert.deepEqual(names(shellString), ['0;sh', '1;cp', '1&&echo']);
  assert.equal(shellString[1]!.args[0]!.text, '/a b');
  // from the shell's opening quote to its closing one (the JSON backslash before the first is not the word's)
  assert.equal(at(dockerfile, shellString[1]!.args[0]!.loc), '"/a b\\"');

  assert.deepEqual(names(image.runCommands(5)), ['0;echo', '0;echo']);
  assert.equal(image.runCommands(5)![1]!.loc.startLine, 10);
  assert.equal(ins[6]!.keyword, 'RUN');
  assert.equal(image.runCommands(6), undefined, 'a heredoc fed to python is not shell');
  assert.equal(image.runCommands(4), undefined, 'COPY has no commands');
});

test('runCommands: a RUN under a non-POSIX SHELL is not read', async () => {
  const model = await modelOf({ Dockerfile: 'FROM mcr.microsoft.com/windows/servercore:ltsc2022\nSHELL ["powershell", "-Command"]\nRUN Write-Host hi\n' });
  assert.equal(model.dockerfiles.get('Dockerfile')!.stages[0]!.image!.runCommands(2), undefined);
});

test('healthcheck commands: compose CMD-SHELL ($$, folded scalar), CMD list with sh -c, and the image HEALTHCHECK', async () => {
  const compose = [
    'services:',
    '  a:',
    '    image: python:3.12-slim',
    '    healthcheck:',
    '      test: ["CMD-SHELL", "pg_isready -U $${POSTGRES_USER} || exit 1"]',
    '  b:',
    '    image: python:3.12-slim',
    '    healthcheck:',
    '      test: ["CMD", "sh", "-c", "curl -f http://localhost/ | grep ok"]',
    '  c:',
    '    image: python:3.12-slim',
    '    healthcheck:',
    '      test: >',
    '        curl -f http://localhost/',
    '        || exit 1',
    '  d:',
    '    build: .',
    '  e:',
    '    image: python:3.12-slim',
    '    healthcheck:',
    '      disable: true',
    '      test: curl x',
  ].join('\n');
  const dockerfile = ['FROM node:20-alpine AS base', 'HEALTHCHECK --interval=5s CMD wget -qO- http://localhost:3000/ \\', '  || exit 1', 'FROM base', 'CMD ["node", "server.js"]'].join('\n');
  const model = await modelOf({ 'compose.yaml': compose, Dockerfile: dockerfile });
  const svc = (n: string) => model.environments[0]!.services.find((s) => s.name === n)!;

  const a = svc('a').healthcheck!.commands!;
  assert.deepEqual(names(a), ['0;pg_isready', '0||exit']);
  assert.equal(a[0]!.args[1]!.text, '${POSTGRES_USER}');
  assert.equal(at(compose, a[0]!.nameWord!.loc), 'pg_isready');
  assert.equal(at(compose, a[0]!.args[1]!.loc), '$${POSTGRES_USER}');

  const b = svc('b').healthcheck!.commands!;
  assert.deepEqual(names(b), ['0;sh', '1;curl', '1|grep']);
  assert.equal(at(compose, b[0]!.nameWord!.loc), '"sh"');
  assert.equal(at(compose, b[1]!.nameWord!.loc), 'curl');

  const c = svc('c').healthcheck!.commands!;
  assert.deepEqual(names(c), ['0;curl', '0||exit']);
  assert.equal(c[0]!.loc.startLine, 14);
  assert.equal(c[1]!.loc.startLine, 15);

  assert.equal(svc('e').healthcheck!.commands, undefined);

  const stages = svc('d').runtime.dockerfile!.stages;
  const hc = stages[1]!.healthcheck!;
  assert.equal(hc, stages[0]!.healthcheck, 'inherited through FROM base');
  assert.deepEqual(names(hc.commands), ['0;wget', '0||exit']);
  assert.equal(at(dockerfile, hc.commands![0]!.nameWord!.loc), 'wget');
  assert.equal(hc.commands![1]!.loc.startLine, 3);
});

test('offsetsIn maps a value back through quotes, escapes, $$ and folding, and gives up on what it cannot map', () => {
  const text = `x: "a \\"b\\" $$c"`;
  const f = offsetsIn('a "b" $c', text, 3, text.length)!;
  assert.deepEqual([0, 2, 3, 6, 7, 8].map((i) => text[f(i)]), ['a', '"', 'b', '$', 'c', '"']);
  assert.equal(offsetsIn('a\nb', '"a\\nb"', 0, 6), undefined);
  assert.equal(offsetsIn('http://x/80', '"http://x/${PORT}"', 0, 18), undefined);
});
