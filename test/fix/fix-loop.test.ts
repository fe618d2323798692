/**
 * The fix engine end to end, on temp trees with a registry of test-only rules (passed through
 * the audit's `rules` option): safe vs unsafe, modes and line endings kept, atomic writes,
 * idempotency, --dry-run, suppressions, parse failures and new findings rolled back, overlaps
 * taking two passes, directories, oscillation.
 */
import assert from 'node:assert/strict';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { audit, type AuditOptions } from '../../src/audit.js';
import type { Fix } from '../../src/core/finding.js';
import { fixProject, type FixOutcome } from '../../src/fix/fix-loop.js';
import { mapGet, type YamlScalarNode } from '../../src/parse/compose/yaml-tree.js';
import type { ProjectModel } from '../../src/model/types.js';
import { defineRule, type FindingInput, type Rule, type RuleMeta } from '../../src/rules/define-rule.js';

// ---------------------------------------------------------------- test-only rules

const meta = (id: string, fixable: RuleMeta['fixable'] = 'safe'): RuleMeta => ({
  id,
  severity: 'low',
  title: id,
  fixable,
  status: 'preview',
  docs: { summary: id, why: 'test', fix: 'test', verify: 'test', references: [] },
});

interface EnvScalar {
  file: string;
  service: string;
  name: string;
  node: YamlScalarNode;
  keyStart: number;
  raw: string;
}

/** Scalars under services.*.environment (map form) of every compose file. */
function* envScalars(model: ProjectModel): Generator<EnvScalar> {
  for (const [file, cf] of model.composeFiles) {
    const services = mapGet(cf.root, 'services');
    if (services?.kind !== 'map') continue;
    for (const [service, { value: svc }] of services.entries) {
      const env = mapGet(svc, 'environment');
      if (env?.kind !== 'map') continue;
      for (const [name, { value, keyLoc }] of env.entries) {
        if (value.kind !== 'scalar' || value.value === null) continue;
        const keyStart = cf.source.offsetOf(keyLoc.startLine!, keyLoc.startColumn!);
        yield { file, service, name, node: value, keyStart, raw: cf.source.text.slice(value.range[0], value.range[1]) };
      }
    }
  }
}

const finding = (s: EnvScalar, message: string, fix?: Fix, extra: Partial<FindingInput> = {}): FindingInput => ({
  message,
  location: s.node.loc,
  key: `${s.service}/${s.name}`,
  ...(fix ? { fix } : {}),
  ...extra,
});

const edit = (s: EnvScalar, text: string) => ({ file: s.file, start: s.node.range[0], end: s.node.range[1], text });

/** safe: an unquoted environment value gets double quotes */
const quoteEnv = defineRule({
  meta: meta('test/quote-env'),
  check({ model, report }) {
    for (const s of envScalars(model))
      if (!s.node.quoted && !['BREAK_ME', 'FLIP', 'NEVER', 'NOOP'].includes(s.name))
        report(finding(s, `${s.name} is not quoted`, { description: 'quote it', safety: 'safe', edits: [edit(s, `"${s.raw}"`)] }));
  },
});

/** safe: MODE is upper-cased; its edit overlaps the quote fix on the same scalar */
const upperMode = defineRule({
  meta: meta('test/upper-mode'),
  check({ model, report }) {
    for (const s of envScalars(model))
      if (s.name === 'MODE' && s.raw !== s.raw.toUpperCase())
        report(finding(s, 'MODE is not upper case', { description: 'upper-case it', safety: 'safe', edits: [edit(s, s.raw.toUpperCase())] }));
  },
});

/** unsafe: restart: always → unless-stopped */
const restartUnsafe = defineRule({
  meta: meta('test/restart', 'unsafe'),
  check({ model, report }) {
    for (const [file, cf] of model.composeFiles) {
      const services = mapGet(cf.root, 'services');
      if (services?.kind !== 'map') continue;
      for (const [name, { value }] of services.entries) {
        const r = mapGet(value, 'restart');
        if (r?.kind === 'scalar' && r.value === 'always')
          report({ message: `${name} restarts always`, location: r.loc, key: name, fix: { description: 'unless-stopped', safety: 'unsafe', edits: [{ file, start: r.range[0], end: r.range[1], text: 'unless-stopped' }] } });
      }
    }
  },
});

/** safe, but its fix breaks the YAML */
const breakYaml = defineRule({
  meta: meta('test/break-yaml'),
  check({ model, report }) {
    for (const s of envScalars(model)) if (s.name === 'BREAK_ME') report(finding(s, 'break me', { description: 'break it', safety: 'safe', edits: [edit(s, '[unclosed')] }));
  },
});

/** safe: renames OLD_NAME to NEW_NAME, which test/new-name then reports: a new finding */
const renameKey = defineRule({
  meta: meta('test/rename'),
  check({ model, report }) {
    for (const s of envScalars(model))
      if (s.name === 'OLD_NAME') report(finding(s, 'rename', { description: 'rename', safety: 'safe', edits: [{ file: s.file, start: s.keyStart, end: s.keyStart + 8, text: 'NEW_NAME' }] }));
  },
});
const newName = defineRule({
  meta: meta('test/new-name', 'none'),
  check({ model, report }) {
    for (const s of envScalars(model)) if (s.name === 'NEW_NAME') report(finding(s, 'NEW_NAME is used'));
  },
});

/** safe: TODO_FIX in a shell script becomes done */
const scriptMarker = defineRule({
  meta: meta('test/script-marker'),
  check({ model, report }) {
    for (const [file, src] of model.sources) {
      if (!file.endsWith('.sh')) continue;
      const i = src.text.indexOf('TODO_FIX');
      if (i >= 0) report({ message: 'marker', location: src.location(i, i + 8), fix: { description: 'done', safety: 'safe', edits: [{ file, start: i, end: i + 8, text: 'done' }] } });
    }
  },
});

/** safe: an env file named *.header gets a two-line header (inserted text with line breaks) */
const envHeader = defineRule({
  meta: meta('test/env-header'),
  check({ model, report }) {
    for (const [file, src] of model.sources)
      if (file.endsWith('.env.header') && !src.text.startsWith('# managed'))
        report({ message: 'no header', location: { file }, fix: { description: 'add header', safety: 'safe', edits: [{ file, start: 0, end: 0, text: '# managed\nMANAGED=1\n' }] } });
  },
});

/** a safe-marked fix that creates a directory: applied only with --unsafe */
const dataDir = defineRule({
  meta: meta('test/data-dir'),
  check({ model, report }) {
    for (const s of envScalars(model)) {
      if (s.name !== 'DATA_DIR') continue;
      const dir = String(s.node.value).replace(/^\.\//, '');
      if (!model.tree.dirs.has(dir)) report(finding(s, `${dir} is missing`, { description: `create ${dir}/`, safety: 'safe', edits: [], createDirectories: [dir] }));
    }
  },
});

/** FLIP: a ↔ b, forever: an oscillation */
const flip = defineRule({
  meta: meta('test/flip'),
  check({ model, report }) {
    for (const s of envScalars(model))
      if (s.name === 'FLIP') report(finding(s, 'flip', { description: 'flip', safety: 'safe', edits: [edit(s, s.raw === 'a' ? 'b' : 'a')] }));
  },
});

/** NEVER: the fix appends a comment that changes nothing the rule looks at */
const never = defineRule({
  meta: meta('test/never'),
  check({ model, report }) {
    for (const s of envScalars(model))
      if (s.name === 'NEVER') report(finding(s, 'never', { description: 'no-op-ish', safety: 'safe', edits: [{ file: s.file, start: s.node.range[1], end: s.node.range[1], text: ' #' }] }));
  },
});

/** NOOP: the fix replaces the value with itself */
const noop = defineRule({
  meta: meta('test/noop'),
  check({ model, report }) {
    for (const s of envScalars(model)) if (s.name === 'NOOP') report(finding(s, 'noop', { description: 'nothing', safety: 'safe', edits: [edit(s, s.raw)] }));
  },
});

/** a fix that edits a file outside the root */
const escape = defineRule({
  meta: meta('test/escape'),
  check({ model, report }) {
    for (const s of envScalars(model))
      if (s.name === 'ESCAPE') report(finding(s, 'escape', { description: 'escape', safety: 'safe', edits: [{ file: '../outside.txt', start: 0, end: 0, text: 'x' }] }));
  },
});

const RULES: Rule[] = [quoteEnv, upperMode, restartUnsafe, breakYaml, renameKey, newName, scriptMarker, envHeader, dataDir, flip, never, noop, escape];

// ---------------------------------------------------------------- helpers

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tree(files: Record<string, string | { text: string; mode: number }>): string {
  const root = mkdtempSync(join(tmpdir(), 'drydock-fix-test-'));
  dirs.push(root);
  for (const [rel, f] of Object.entries(files)) {
    const p = join(root, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, typeof f === 'string' ? f : f.text);
    if (typeof f !== 'string') chmodSync(p, f.mode);
  }
  return root;
}

const read = (root: string, rel: string) => readFileSync(join(root, rel), 'utf8');
const mode = (root: string, rel: string) => statSync(join(root, rel)).mode & 0o7777;

/** every path under root with its content (or <dir>), mode and mtime */
function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      const st = statSync(join(root, r));
      if (e.isDirectory()) {
        out.set(r, `<dir> ${st.mode & 0o7777}`);
        walk(r);
      } else out.set(r, `${readFileSync(join(root, r), 'utf8')} ${st.mode & 0o7777} ${st.mtimeMs}`);
    }
  };
  walk('');
  return out;
}

const auditOptions: Omit<AuditOptions, 'root'> = { rules: RULES, git: 'off' };

function fix(root: string, o: { safety?: 'safe' | 'unsafe'; dryRun?: boolean; rules?: string[]; registry?: Rule[] } = {}): Promise<FixOutcome> {
  return fixProject({
    root,
    safety: o.safety ?? 'safe',
    dryRun: o.dryRun ?? false,
    rules: o.rules,
    audit,
    auditOptions: { ...auditOptions, ...(o.registry ? { rules: o.registry } : {}) },
  });
}

const COMPOSE = `services:
  api:
    image: api
    restart: always
    environment:
      DEBUG: yes
      PORT: 8080
      NAME: "quoted"
`;

// ---------------------------------------------------------------- tests

describe('fixProject', () => {
  test('safe run applies safe fixes only and counts the unsafe ones', async () => {
    const root = tree({ 'compose.yaml': COMPOSE });
    const out = await fix(root);
    assert.deepEqual(out.crashed, []);
    assert.equal(read(root, 'compose.yaml'), COMPOSE.replace('DEBUG: yes', 'DEBUG: "yes"').replace('PORT: 8080', 'PORT: "8080"'));
    assert.deepEqual(out.fixed.map((f) => f.ruleId), ['test/quote-env', 'test/quote-env']);
    assert.deepEqual(out.files, [{ file: 'compose.yaml', fixes: 2 }]);
    assert.deepEqual(out.unfixed, []);
    assert.equal(out.unsafeAvailable, 1);
    assert.equal(out.passes, 1);
    assert.ok(out.verified);

    const unsafe = await fix(root, { safety: 'unsafe' });
    assert.deepEqual(unsafe.fixed.map((f) => f.ruleId), ['test/restart']);
    assert.match(read(root, 'compose.yaml'), /restart: unless-stopped\n/);
    assert.equal(unsafe.unsafeAvailable, 0);
  });

  test('--rule limits the fixes to those rules', async () => {
    const root = tree({ 'compose.yaml': COMPOSE });
    const out = await fix(root, { safety: 'unsafe', rules: ['test/restart'] });
    assert.deepEqual(out.fixed.map((f) => f.ruleId), ['test/restart']);
    assert.match(read(root, 'compose.yaml'), /DEBUG: yes\n/);
  });

  test('keeps file modes and CRLF line endings; atomic writes leave no temp files', async () => {
    const crlf = COMPOSE.replace(/\n/g, '\r\n');
    const root = tree({
      'compose.yaml': { text: crlf, mode: 0o640 },
      'scripts/entrypoint.sh': { text: '#!/bin/sh\necho TODO_FIX\nexec "$@"\n', mode: 0o755 },
      '.env.header': { text: 'A=1\r\nB=2\r\n', mode: 0o600 },
    });
    const out = await fix(root);
    assert.deepEqual(out.unfixed, []);
    assert.equal(read(root, 'compose.yaml'), crlf.replace('DEBUG: yes', 'DEBUG: "yes"').replace('PORT: 8080', 'PORT: "8080"'));
    assert.equal(read(root, 'scripts/entrypoint.sh'), '#!/bin/sh\necho done\nexec "$@"\n');
    assert.equal(read(root, '.env.header'), '# managed\r\nMANAGED=1\r\nA=1\r\nB=2\r\n', 'inserted \\n becomes \\r\\n in a CRLF file');
    assert.equal(mode(root, 'compose.yaml'), 0o640);
    assert.equal(mode(root, 'scripts/entrypoint.sh'), 0o755);
    assert.equal(mode(root, '.env.header'), 0o600);
    const leftovers = [...snapshot(root).keys()].filter((p) => p.includes('.drydock-tmp-'));
    assert.deepEqual(leftovers, []);
    assert.deepEqual(out.files.map((f) => f.file), ['.env.header', 'compose.yaml', 'scripts/entrypoint.sh']);
  });

  test('running fix twice changes nothing the second time', async () => {
    const root = tree({ 'compose.yaml': COMPOSE, 'run.sh': '#!/bin/sh\nTODO_FIX\n', '.env.header': 'X=1\n' });
    const first = await fix(root, { safety: 'unsafe' });
    assert.ok(first.fixed.length >= 4);
    const before = snapshot(root);
    const second = await fix(root, { safety: 'unsafe' });
    assert.deepEqual(second.fixed, []);
    assert.deepEqual(second.unfixed, []);
    assert.equal(second.diff, '');
    assert.deepEqual(snapshot(root), before);
  });

  test('--dry-run writes nothing and returns a correct unified diff', async () => {
    const root = tree({ 'compose.yaml': COMPOSE, 'scripts/run.sh': { text: '#!/bin/sh\nTODO_FIX\n', mode: 0o755 } });
    const before = snapshot(root);
    const out = await fix(root, { dryRun: true });
    assert.deepEqual(snapshot(root), before, 'the tree is untouched');
    assert.ok(out.dryRun && out.verified);
    assert.equal(
      out.diff,
      [
        '--- a/compose.yaml',
        '+++ b/compose.yaml',
        '@@ -3,6 +3,6 @@',
        '     image: api',
        '     restart: always',
        '     environment:',
        '-      DEBUG: yes',
        '-      PORT: 8080',
        '+      DEBUG: "yes"',
        '+      PORT: "8080"',
        '       NAME: "quoted"',
        '--- a/scripts/run.sh',
        '+++ b/scripts/run.sh',
        '@@ -1,2 +1,2 @@',
        ' #!/bin/sh',
        '-TODO_FIX',
        '+done',
        '',
      ].join('\n'),
    );
    assert.equal(out.fixed.length, 3);
    assert.deepEqual(readdirSync(tmpdir()).filter((n) => n.startsWith(`drydock-fix-${process.pid}-`)), [], 'the scratch copy is removed');
    // the real run does exactly what the dry run showed
    const real = await fix(root);
    assert.equal(real.diff, out.diff);
  });

  test('suppressed findings are never fixed', async () => {
    const text = COMPOSE.replace('      PORT: 8080', '      # drydock-ignore test/quote-env: the app wants an int\n      PORT: 8080');
    const root = tree({ 'compose.yaml': text });
    const out = await fix(root);
    assert.equal(read(root, 'compose.yaml'), text.replace('DEBUG: yes', 'DEBUG: "yes"'));
    assert.equal(out.fixed.length, 1);
  });

  test('a fix that breaks the file is dropped and reported; the others in the file still apply', async () => {
    const text = COMPOSE.replace('      NAME:', '      BREAK_ME: x\n      NAME:');
    const root = tree({ 'compose.yaml': text });
    const out = await fix(root);
    assert.equal(read(root, 'compose.yaml'), text.replace('DEBUG: yes', 'DEBUG: "yes"').replace('PORT: 8080', 'PORT: "8080"'));
    assert.deepEqual(
      out.unfixed.map((u) => [u.ruleId, u.reason]),
      [['test/break-yaml', 'parse-error']],
    );
    assert.match(out.unfixed[0]!.detail, /compose\.yaml:\d+ would no longer parse/);
  });

  test('a fix that causes a new finding is written, re-audited, rolled back and reported', async () => {
    const text = COMPOSE.replace('      NAME:', '      OLD_NAME: "x"\n      NAME:');
    const root = tree({ 'compose.yaml': { text, mode: 0o644 } });
    const out = await fix(root);
    // the quote fixes (same pass) are kept, the rename is not
    assert.equal(read(root, 'compose.yaml'), text.replace('DEBUG: yes', 'DEBUG: "yes"').replace('PORT: 8080', 'PORT: "8080"'));
    assert.deepEqual(out.unfixed.map((u) => [u.ruleId, u.reason]), [['test/rename', 'new-finding']]);
    assert.match(out.unfixed[0]!.detail, /test\/new-name/);
    assert.equal(mode(root, 'compose.yaml'), 0o644);
    assert.deepEqual([...snapshot(root).keys()].filter((p) => p.includes('.drydock-tmp-')), []);
  });

  test('overlapping fixes on one value are applied in two passes', async () => {
    const root = tree({ 'compose.yaml': 'services:\n  api:\n    image: api\n    environment:\n      MODE: debug\n' });
    const out = await fix(root);
    assert.equal(read(root, 'compose.yaml'), 'services:\n  api:\n    image: api\n    environment:\n      MODE: "DEBUG"\n');
    assert.equal(out.passes, 2);
    assert.deepEqual(out.fixed.map((f) => [f.ruleId, f.pass]), [['test/quote-env', 1], ['test/upper-mode', 2]]);
    assert.deepEqual(out.unfixed, []);
    // the diff is original → final, across passes
    assert.match(out.diff, /-      MODE: debug\n\+      MODE: "DEBUG"\n/);
  });

  test('with one pass only, the overlapping fix is reported as waiting', async () => {
    const root = tree({ 'compose.yaml': 'services:\n  api:\n    image: api\n    environment:\n      MODE: debug\n' });
    const out = await fixProject({ root, safety: 'safe', dryRun: false, audit, auditOptions, maxPasses: 1 });
    assert.deepEqual(out.unfixed.map((u) => [u.ruleId, u.reason]), [['test/upper-mode', 'overlap']]);
    assert.match(out.unfixed[0]!.detail, /overlaps the fix for test\/quote-env/);
  });

  test('directories are created only with --unsafe, and never over an existing path', async () => {
    const text = 'services:\n  api:\n    image: api\n    environment:\n      DATA_DIR: "./data/cache"\n';
    const root = tree({ 'compose.yaml': text });
    const safe = await fix(root);
    assert.deepEqual(safe.fixed, []);
    assert.equal(safe.unsafeAvailable, 1);
    assert.ok(!snapshot(root).has('data'));

    const dry = await fix(root, { safety: 'unsafe', dryRun: true });
    assert.deepEqual(dry.createdDirectories, ['data', 'data/cache']);
    assert.ok(!snapshot(root).has('data'), 'dry run creates nothing');

    const out = await fix(root, { safety: 'unsafe' });
    assert.deepEqual(out.createdDirectories, ['data', 'data/cache']);
    assert.ok(statSync(join(root, 'data/cache')).isDirectory());
    assert.deepEqual(readdirSync(join(root, 'data/cache')), []);

    const blocked = tree({ 'compose.yaml': text, 'data/cache': 'a file' });
    const b = await fix(blocked, { safety: 'unsafe' });
    assert.deepEqual(b.unfixed.map((u) => u.reason), ['invalid-fix']);
    assert.match(b.unfixed[0]!.detail, /exists and is not a directory/);
    assert.equal(read(blocked, 'data/cache'), 'a file');
  });

  test('fixes that undo each other stop; a fix that does not resolve its finding is applied once', async () => {
    const root = tree({ 'compose.yaml': 'services:\n  api:\n    image: api\n    environment:\n      FLIP: a\n      NEVER: "x"\n' });
    const out = await fix(root);
    const reasons = Object.fromEntries(out.unfixed.map((u) => [u.ruleId, u.reason]));
    assert.equal(reasons['test/flip'], 'oscillation');
    assert.equal(reasons['test/never'], 'not-resolved');
    assert.ok(out.passes <= 3, `passes: ${out.passes}`);
    assert.equal(out.fixed.filter((f) => f.ruleId === 'test/never').length, 1);
  });

  test('a fix that changes nothing is not applied', async () => {
    const root = tree({ 'compose.yaml': 'services:\n  api:\n    image: api\n    environment:\n      NOOP: x\n' });
    const out = await fix(root);
    assert.deepEqual(out.unfixed.map((u) => [u.ruleId, u.reason, u.detail]), [['test/noop', 'not-resolved', 'the fix changes nothing']]);
    assert.equal(out.passes, 0);
  });

  test('a file changed on disk after the audit is not overwritten', async () => {
    const root = tree({ 'compose.yaml': COMPOSE });
    let calls = 0;
    const out = await fixProject({
      root,
      safety: 'safe',
      dryRun: false,
      auditOptions,
      audit: async (o: AuditOptions) => {
        const r = await audit(o);
        if (++calls === 1) writeFileSync(join(root, 'compose.yaml'), COMPOSE + '# edited meanwhile\n');
        return r;
      },
    });
    assert.equal(read(root, 'compose.yaml'), COMPOSE + '# edited meanwhile\n');
    assert.deepEqual([...new Set(out.unfixed.map((u) => u.reason))], ['write-error']);
    assert.match(out.unfixed[0]!.detail, /changed on disk/);
    assert.deepEqual(out.fixed, []);
  });

  test('a symbolic link is written through to its target inside the root, never outside it', async () => {
    const root = tree({ 'deploy/real.yaml': COMPOSE });
    symlinkSync('deploy/real.yaml', join(root, 'compose.yaml'));
    const out = await fix(root);
    assert.deepEqual(out.unfixed, []);
    assert.ok(lstatSync(join(root, 'compose.yaml')).isSymbolicLink(), 'the link stays a link');
    assert.match(read(root, 'deploy/real.yaml'), /DEBUG: "yes"/);

    const outside = tree({ 'real.yaml': COMPOSE });
    const inner = tree({});
    symlinkSync(join(outside, 'real.yaml'), join(inner, 'compose.yaml'));
    const o = await fix(inner);
    assert.deepEqual([...new Set(o.unfixed.map((u) => u.reason))], ['invalid-fix']);
    assert.match(o.unfixed[0]!.detail, /outside the scanned root/);
    assert.equal(read(outside, 'real.yaml'), COMPOSE);
  });

  test('a fix that edits outside the root is refused', async () => {
    const root = tree({ 'compose.yaml': 'services:\n  api:\n    image: api\n    environment:\n      ESCAPE: "x"\n' });
    const out = await fix(root);
    assert.deepEqual(out.unfixed.map((u) => [u.ruleId, u.reason]), [['test/escape', 'invalid-fix']]);
    assert.throws(() => statSync(join(dirname(root), 'outside.txt')));
  });

  test('a dry run whose scratch copy audits differently falls back to one unverified pass', async () => {
    // a rule whose finding depends on the absolute root cannot be reproduced in a copy
    const rooted = defineRule({
      meta: meta('test/rooted'),
      check({ model, report }) {
        for (const s of envScalars(model))
          if (!s.node.quoted) report(finding(s, `in ${model.root}`, { description: 'quote', safety: 'safe', edits: [edit(s, `"${s.raw}"`)] }, { key: `${model.root}/${s.name}` }));
      },
    });
    const root = tree({ 'compose.yaml': COMPOSE });
    const before = snapshot(root);
    const out = await fix(root, { dryRun: true, registry: [rooted] });
    assert.equal(out.verified, false);
    assert.match(out.notes.join('\n'), /not re-audited/);
    assert.match(out.diff, /\+      DEBUG: "yes"/);
    assert.deepEqual(snapshot(root), before);
  });
});
