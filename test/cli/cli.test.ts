/** The CLI in-process: exit codes, formats, filters, config and usage errors. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../src/cli/cli.js';
import { VERSION } from '../../src/version.js';

const EXAMPLE = join(import.meta.dirname, '..', '..', 'examples', 'fastapi-shop');

async function run(args: string[], cwd = process.cwd()) {
  let out = '';
  let err = '';
  const code = await runCli(args, { stdout: (s) => (out += s), stderr: (s) => (err += s), isTTY: false, cwd, env: {} });
  return { code, out, err };
}

test('--version prints the version', async () => {
  const r = await run(['--version']);
  assert.equal(r.code, 0);
  assert.equal(r.out.trim(), VERSION);
});

test('scan exits 1 when a finding reaches --fail-on, 0 with never', async () => {
  assert.equal((await run(['scan', EXAMPLE, '--quiet'])).code, 1);
  assert.equal((await run(['scan', EXAMPLE, '--fail-on', 'never'])).code, 0);
});

test('json output is the documented API shape and byte-identical across runs', async () => {
  const a = await run([EXAMPLE, '--format', 'json']);
  const b = await run([EXAMPLE, '--format', 'json']);
  assert.equal(a.out, b.out);
  const j = JSON.parse(a.out);
  assert.equal(j.version, 1);
  assert.equal(j.tool.name, 'drydock');
  assert.equal(j.root, '.');
  assert.deepEqual(Object.keys(j), ['version', 'tool', 'root', 'environments', 'findings', 'summary']);
  assert.deepEqual(
    j.environments.map((e: { name: string }) => e.name),
    ['development', 'production'],
  );
  for (const f of j.findings) {
    assert.deepEqual(Object.keys(f).filter((k) => !['environment', 'service', 'verify'].includes(k)), ['ruleId', 'severity', 'message', 'location', 'related', 'fix', 'fingerprint']);
    assert.ok(!f.location.file.includes('\\') && !f.location.file.startsWith('/'));
  }
});

test('--env filters findings to one environment', async () => {
  const j = JSON.parse((await run([EXAMPLE, '--format', 'json', '--env', 'development'])).out);
  assert.ok(j.findings.every((f: { environment?: string }) => f.environment === undefined || f.environment === 'development'));
  assert.deepEqual(j.environments.map((e: { name: string }) => e.name), ['development']);
});

test('an unknown environment, format, rule or option is a usage error (exit 2, one line)', async () => {
  for (const args of [[EXAMPLE, '--env', 'nope'], [EXAMPLE, '--format', 'xml'], [EXAMPLE, '--ignore', 'no/such-rule'], [EXAMPLE, '--bogus']]) {
    const r = await run(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.ok(r.err.trim().length > 0 && !r.err.includes('    at '), `no stack trace: ${r.err}`);
  }
});

test('-f makes one explicit environment, like docker compose -f', async () => {
  const r = await run(['scan', EXAMPLE, '-f', join(EXAMPLE, 'docker-compose.yml'), '-f', join(EXAMPLE, 'docker-compose.prod.yml'), '--list-environments']);
  assert.equal(r.code, 0);
  assert.match(r.out, /^production\tdocker-compose\.yml \+ docker-compose\.prod\.yml\t/);
});

test('--list-environments names environments with their files and services', async () => {
  const r = await run(['scan', EXAMPLE, '--list-environments']);
  assert.match(r.out, /^development\tdocker-compose\.yml \+ docker-compose\.override\.yml\tapi, db, redis, worker$/m);
});

test('--ignore and config ignores drop a rule; --output writes the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'drydock-cli-'));
  writeFileSync(join(dir, 'compose.yaml'), 'services:\n  web:\n    image: nginx:1.27\n    env_file: missing.env\n');
  const j = (r: { out: string }) => JSON.parse(r.out).findings.map((f: { ruleId: string }) => f.ruleId);
  assert.deepEqual(j(await run([dir, '--format', 'json'])), ['compose/env-file-missing']);
  assert.deepEqual(j(await run([dir, '--format', 'json', '--ignore', 'compose/env-file-missing'])), []);
  writeFileSync(join(dir, 'drydock.config.yaml'), 'rules:\n  compose/env-file-missing: low\n');
  const low = JSON.parse((await run([dir, '--format', 'json'])).out);
  assert.equal(low.findings[0].severity, 'low');
  assert.equal((await run([dir])).code, 0, 'low does not reach the default --fail-on high');
  writeFileSync(join(dir, 'drydock.config.yaml'), 'ignore:\n  - rule: compose/env-file-missing\n    paths: ["compose.yaml"]\n');
  assert.deepEqual(j(await run([dir, '--format', 'json'])), []);
  writeFileSync(join(dir, 'drydock.config.yaml'), 'rulez: {}\n');
  const bad = await run([dir]);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /unknown key "rulez"/);
  const outFile = join(dir, 'report.json');
  const r = await run([dir, '--config', join(dir, 'none.yaml'), '--format', 'json', '--output', outFile]);
  assert.equal(r.code, 2, 'a missing explicit config is a usage error');
  const ok = await run([join(dir), '--format', 'json', '--output', outFile, '-c', '/dev/null']);
  assert.equal(ok.code, 1);
  assert.equal(JSON.parse(readFileSync(outFile, 'utf8')).version, 1);
  assert.match(ok.out, /Found 1 problem/);
});

test('inline drydock-ignore comments suppress a finding on the line or the line above', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'drydock-cli-'));
  writeFileSync(join(dir, 'compose.yaml'), 'services:\n  web:\n    image: nginx:1.27\n    # drydock-ignore compose/env-file-missing: created by the deploy job\n    env_file: missing.env\n');
  const r = JSON.parse((await run([dir, '--format', 'json'])).out);
  assert.deepEqual(r.findings, []);
});

test('rules and explain', async () => {
  const r = await run(['rules']);
  assert.match(r.out, /compose\/env-file-missing\s+critical/);
  const e = await run(['explain', 'compose/env-file-missing']);
  assert.equal(e.code, 0);
  assert.match(e.out, /How to verify after deploying/);
  assert.equal((await run(['explain', 'nope/nope'])).code, 2);
});
