/** `drydock fix` in-process: output, exit codes, --dry-run, masking, usage errors. */
import assert from 'node:assert/strict';
import { cpSync, linkSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli } from '../../src/cli/cli.js';

const FIXTURE = join(import.meta.dirname, '..', 'rules', 'compose', 'env-yaml-typing', 'invalid', 'booleans-and-numbers');

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function copy(): string {
  const d = mkdtempSync(join(tmpdir(), 'drydock-cli-fix-'));
  dirs.push(d);
  cpSync(FIXTURE, d, { recursive: true });
  return d;
}

async function run(args: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(args, { stdout: (s) => (out += s), stderr: (s) => (err += s), isTTY: false, cwd: process.cwd(), env: {} });
  return { code, out, err };
}

test('fix --dry-run prints the diff and a summary, writes nothing, exits 0', async () => {
  const d = copy();
  const before = readFileSync(join(d, 'docker-compose.prod.yml'), 'utf8');
  const r = await run(['fix', d, '--dry-run']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^--- a\/docker-compose\.prod\.yml\n\+\+\+ b\/docker-compose\.prod\.yml\n@@ /);
  assert.match(r.out, /\+      DEBUG: "True"\n/);
  assert.match(r.out, /Would fix \d+ problems in 1 file \(dry run: nothing was written\):\n  docker-compose\.prod\.yml: \d+ fixes\n/);
  assert.equal(readFileSync(join(d, 'docker-compose.prod.yml'), 'utf8'), before);
});

test('fix applies, then has nothing left to do', async () => {
  const d = copy();
  const r = await run(['fix', d, '--rule', 'compose/env-yaml-typing']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^Fixed \d+ problems in 1 file:\n/);
  assert.doesNotMatch(r.out, /^--- a\//m, 'no diff without --dry-run');
  const again = await run(['fix', d]);
  assert.equal(again.code, 0);
  assert.equal(again.out, 'Nothing to fix.\n');
});

test('fixes that cannot be applied are listed with the reason, exit 1', async () => {
  const d = copy();
  // a second hard link: an atomic rename would split it, so the file is not rewritten
  linkSync(join(d, 'docker-compose.prod.yml'), join(d, 'prod-link.txt'));
  const dry = await run(['fix', d, '--dry-run']);
  assert.equal(dry.code, 1, 'the dry run refuses what the real run would refuse');
  assert.match(dry.out, /hard links/);
  const r = await run(['fix', d]);
  assert.equal(r.code, 1, r.out + r.err);
  assert.match(r.out, /Could not fix \d+ problems:\n  docker-compose\.prod\.yml:\d+:\d+ compose\/env-yaml-typing \[production\]: the fix is invalid: .*hard links/);
});

test('the diff masks secret values', async () => {
  const d = mkdtempSync(join(tmpdir(), 'drydock-cli-fix-'));
  dirs.push(d);
  writeFileSync(join(d, 'compose.yaml'), 'services:\n  api:\n    image: api\n    environment:\n      DB_PASSWORD: 07551234\n');
  const r = await run(['fix', d, '--dry-run']);
  assert.ok(!r.out.includes('07551234'), r.out);
  assert.match(r.out, /\+      DB_PASSWORD: "\*+"/);
});

test('an unknown --rule is a usage error', async () => {
  const r = await run(['fix', copy(), '--rule', 'no/such-rule']);
  assert.equal(r.code, 2);
  assert.match(r.err, /unknown rule "no\/such-rule"/);
});
