/** Baselines: accepted findings stay quiet, new ones are reported, and unrelated edits keep the match. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../src/cli/cli.js';

async function run(args: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(args, { stdout: (s) => (out += s), stderr: (s) => (err += s), isTTY: false, cwd: process.cwd(), env: {} });
  return { code, out, err };
}

const COMPOSE = `services:
  web:
    image: nginx:1.27
    env_file: missing.env
    ports: ["80:80"]
  api:
    image: nginx:1.27
    ports: ["80:8000"]
`;

test('a baseline silences accepted findings and survives lines inserted above them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'drydock-baseline-'));
  writeFileSync(join(dir, 'compose.yaml'), COMPOSE);
  const before = JSON.parse((await run([dir, '--format', 'json'])).out);
  assert.ok(before.findings.length >= 2, 'the fixture has findings');
  const w = await run(['baseline', dir]);
  assert.equal(w.code, 0);
  const file = join(dir, 'drydock-baseline.json');
  assert.equal(JSON.parse(readFileSync(file, 'utf8')).findings.length, new Set(before.findings.map((f: { fingerprint: string }) => f.fingerprint)).size);

  // unrelated edits: comment lines and a new service above the findings
  writeFileSync(join(dir, 'compose.yaml'), `# edited\n# again\nservices:\n  cache:\n    image: redis:7.4\n${COMPOSE.replace('services:\n', '')}`);
  const shifted = JSON.parse((await run([dir, '--format', 'json'])).out);
  assert.notDeepEqual(
    shifted.findings.map((f: { location: { startLine: number } }) => f.location.startLine),
    before.findings.map((f: { location: { startLine: number } }) => f.location.startLine),
    'the findings moved',
  );
  const r = await run([dir, '--format', 'json', '--baseline', file]);
  assert.deepEqual(JSON.parse(r.out).findings, []);
  assert.equal(r.code, 0);

  // a new defect is still reported
  writeFileSync(join(dir, 'compose.yaml'), `${COMPOSE}  worker:\n    image: nginx:1.27\n    env_file: other-missing.env\n`);
  const fresh = JSON.parse((await run([dir, '--format', 'json', '--baseline', file])).out);
  assert.deepEqual(fresh.findings.map((f: { service: string }) => f.service), ['worker']);
  const text = await run([dir, '--baseline', file, '--quiet']);
  assert.match(text.out, /in the baseline/);
});

test('an unreadable or malformed baseline is a usage error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'drydock-baseline-'));
  writeFileSync(join(dir, 'compose.yaml'), COMPOSE);
  assert.equal((await run([dir, '--baseline', join(dir, 'nope.json')])).code, 2);
  writeFileSync(join(dir, 'bad.json'), '{"findings": 3}');
  const r = await run([dir, '--baseline', join(dir, 'bad.json')]);
  assert.equal(r.code, 2);
  assert.match(r.err, /not a drydock baseline/);
});
