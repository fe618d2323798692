/**
 * Every format through the one golden AuditResult: a snapshot per format
 * (test/report/__snapshots__/<format>.snap; written when missing or with UPDATE_SNAPSHOTS=1),
 * determinism, secret masking, SARIF against the official 2.1.0 schema, GitHub escaping, and the
 * HTML page's self-containment and escaping.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import Ajv04 from 'ajv-draft-04';
import addFormatsModule from 'ajv-formats';
import type { Log } from 'sarif';
import { audit } from '../../src/audit.js';
import type { AuditResult } from '../../src/core/result.js';
import { SourceFile } from '../../src/core/source-file.js';
import { collectSecretValues } from '../../src/model/secrets.js';
import type { ReportContext } from '../../src/report/context.js';
import { escapeData, escapeProperty } from '../../src/report/github.js';
import { FORMATS, render, type Format } from '../../src/report/index.js';
import { renderHtml } from '../../src/report/html.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { findRule } from '../../src/rules/index.js';
import { RULE_FIXTURES, scanFixture } from '../helpers/fixtures.js';
import { DEV_PASSWORD, GOLDEN, goldenContext, PROD_PASSWORD, SECRETS } from './golden.js';

const SNAPSHOTS = join(import.meta.dirname, '__snapshots__');
const SCHEMA = join(import.meta.dirname, '..', 'fixtures', 'schemas', 'sarif-2.1.0-rtm.5.json');
const EXAMPLE = join(import.meta.dirname, '..', '..', 'examples', 'fastapi-shop');

const renderGolden = (format: Format): string => render(format, GOLDEN, goldenContext(), SECRETS);

function matchSnapshot(name: string, actual: string): void {
  const file = join(SNAPSHOTS, name);
  if (process.env.UPDATE_SNAPSHOTS === '1' || !existsSync(file)) {
    mkdirSync(SNAPSHOTS, { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  assert.equal(actual, readFileSync(file, 'utf8'), `${name} differs from its snapshot (UPDATE_SNAPSHOTS=1 to accept)`);
}

// ajv-draft-04 and ajv-formats are CommonJS (`module.exports = X; exports.default = X`): under
// NodeNext the default import is typed as the whole module, and `.default` is X at runtime too.
const Ajv = Ajv04.default;
const addFormats = addFormatsModule.default;

function sarifValidator(): (log: unknown) => string[] {
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA, 'utf8')) as object);
  return (log) => (validate(log) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''} ${JSON.stringify(e.params)}`));
}

describe('reporters: golden result', () => {
  test('FORMATS lists every format, text first', () => {
    assert.deepEqual([...FORMATS], ['text', 'json', 'markdown', 'sarif', 'html', 'github']);
  });

  for (const format of FORMATS) {
    test(`${format}: matches its snapshot`, () => matchSnapshot(`${format}.snap`, renderGolden(format)));

    test(`${format}: deterministic (rendered twice, identical)`, () => assert.equal(renderGolden(format), renderGolden(format)));

    test(`${format}: masks the passwords`, () => {
      const out = renderGolden(format);
      assert.ok(!out.includes(PROD_PASSWORD), `${format} leaks the production password`);
      assert.ok(!out.includes(DEV_PASSWORD), `${format} leaks the development password`);
    });
  }

  test('the passwords are really in what the reporters quote (the masking test is not vacuous)', () => {
    const ctx = goldenContext();
    assert.ok(renderMarkdown(GOLDEN, ctx).includes(PROD_PASSWORD), 'markdown shows the fix diff of the password line');
    const html = renderHtml(GOLDEN, ctx);
    assert.ok(html.includes(PROD_PASSWORD) && html.includes(`POSTGRES_PASSWORD: ${DEV_PASSWORD}`), 'html shows both code frames');
  });
});

describe('secret masking on a real scan', () => {
  const fixture = join(RULE_FIXTURES, 'secrets', 'hardcoded', 'invalid', 'prod-literals');
  /** the literal secrets written in that fixture (see test/report/secrets-masked.test.ts) */
  const written = ['Sup3r-Secret-Pg-2024', 'S3cretUrlPass99', 'abcd1234efgh5678', 'tok_9f8e7d6c5b4a3928', 'django-insecure-8c1f0e2b7a', 'local-only-not-committed'];

  test('every format of the secrets/hardcoded fixture leaks no value', { skip: existsSync(fixture) ? false : `fixture ${fixture} is gone` }, async () => {
    const out = await scanFixture(fixture);
    const graph = out.model.environments.map((e) => ({ environment: e.name, services: e.services.map((s) => ({ name: s.name, dependsOn: s.dependsOn.map((d) => ({ service: d.service, condition: d.condition })) })) }));
    const ctx: ReportContext = { sources: out.model.sources, color: false, ruleTitle: (id) => findRule(id)?.meta.title, graph };
    const secrets = collectSecretValues(out.model);
    assert.ok(out.result.findings.some((f) => f.ruleId === 'secrets/hardcoded'));
    for (const format of FORMATS) {
      const text = render(format, out.result, ctx, secrets);
      for (const s of written) assert.ok(!text.includes(s), `${format} leaks ${s.slice(0, 3)}...`);
    }
  });
});

describe('sarif', () => {
  const validate = sarifValidator();

  test('golden SARIF is valid against the official 2.1.0 schema', () => assert.deepEqual(validate(JSON.parse(renderGolden('sarif'))), []));

  test('an empty result is valid too', () => {
    const empty: AuditResult = { ...GOLDEN, findings: [], summary: { critical: 0, high: 0, medium: 0, low: 0, info: 0 }, suppressed: 0 };
    assert.deepEqual(validate(JSON.parse(render('sarif', empty, goldenContext(), SECRETS))), []);
  });

  test('a real scan of the example project is valid (registry rules, real locations)', async () => {
    const out = await audit({ root: EXAMPLE, git: 'off' });
    const ctx: ReportContext = { sources: out.model.sources, color: false, ruleTitle: (id) => findRule(id)?.meta.title };
    const log = JSON.parse(render('sarif', out.result, ctx, collectSecretValues(out.model))) as Log;
    assert.deepEqual(validate(log), []);
    assert.equal(log.runs[0]!.results!.length, out.result.findings.length);
  });

  test('a fix that interpolates ${VAR:?message} survives masking', () => {
      const log = JSON.parse(renderGolden('sarif')) as Log;
      const fixed = log.runs[0]!.results!.find((r) => r.fixes)!;
      assert.equal(fixed.fixes![0]!.artifactChanges[0]!.replacements[0]!.insertedContent!.text, '${POSTGRES_PASSWORD:?set it in .env}');
  });

  test('a wrong level is caught by the validator', () => {
    const log = JSON.parse(renderGolden('sarif')) as Log;
    (log.runs[0]!.results![0] as { level: string }).level = 'critical';
    assert.ok(validate(log).some((e) => e.includes('/runs/0/results/0/level')));
  });

  test('rules, levels, locations, fingerprints and properties', () => {
    const log = JSON.parse(renderGolden('sarif')) as Log;
    const run = log.runs[0]!;
    const driver = run.tool.driver;
    assert.equal(log.version, '2.1.0');
    assert.equal(driver.name, 'drydock');
    assert.equal(driver.version, '0.1.0');
    assert.equal(driver.informationUri, undefined, 'no made-up home page');
    const ids = driver.rules!.map((r) => r.id);
    assert.deepEqual(ids, [...ids].sort());
    const secrets = driver.rules!.find((r) => r.id === 'secrets/hardcoded')!;
    assert.equal(secrets.shortDescription!.text, 'Secret written literally in a compose file');
    assert.equal(secrets.fullDescription!.text, 'A password, token or key is written as a literal value.');
    assert.match(secrets.help!.markdown!, /\*\*Why:\*\*/);
    assert.equal(secrets.helpUri, 'https://docs.docker.com/compose/how-tos/use-secrets/');
    assert.deepEqual(secrets.properties!.tags, ['secrets', 'security']);
    assert.equal(secrets.properties!['security-severity'], '8.0');
    const root = driver.rules!.find((r) => r.id === 'image/runs-as-root')!;
    assert.equal(root.properties!['security-severity'], '5.5');
    const dep = driver.rules!.find((r) => r.id === 'compose/depends-on-invalid')!;
    assert.deepEqual(dep.properties!.tags, ['compose']);
    assert.equal(dep.properties!['security-severity'], undefined);

    const results = run.results!;
    assert.deepEqual(
      results.map((r) => r.level),
      GOLDEN.findings.map((f) => ({ critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' })[f.severity]),
    );
    for (const [i, r] of results.entries()) {
      const f = GOLDEN.findings[i]!;
      assert.equal(driver.rules![r.ruleIndex!]!.id, r.ruleId);
      assert.deepEqual(r.partialFingerprints, { 'drydockFingerprint/v1': f.fingerprint });
      const loc = r.locations![0]!.physicalLocation!;
      assert.equal(loc.artifactLocation!.uriBaseId, 'SRCROOT');
      assert.equal(loc.artifactLocation!.uri, f.location.file);
      if (f.location.startLine === undefined) assert.equal(loc.region, undefined, 'a file-level finding has no region');
      else assert.equal(loc.region!.startLine, f.location.startLine);
      assert.equal(r.properties!.severity, f.severity);
      assert.equal(r.properties!.environment, f.environment);
      assert.equal(r.properties!.service, f.service);
    }
    const withRelated = results.find((r) => r.relatedLocations?.length)!;
    assert.equal(withRelated.relatedLocations![0]!.physicalLocation!.region!.startLine, 8);
    assert.equal(withRelated.relatedLocations![0]!.message!.text, 'service "db" (no healthcheck)');
  });
});

describe('github', () => {
  test('escapes data and properties like @actions/core', () => {
    assert.equal(escapeData('100% done\r\nnext: a,b'), '100%25 done%0D%0Anext: a,b');
    assert.equal(escapeProperty('a:b,c%d\ne'), 'a%3Ab%2Cc%25d%0Ae');
  });

  test('an annotation escapes its file, title and message', () => {
    const odd: AuditResult = {
      ...GOLDEN,
      findings: [
        {
          ruleId: 'x/odd',
          severity: 'medium',
          message: 'first line\nsecond: 50%\r',
          location: { file: 'odd,dir/a:b.yml', startLine: 3, startColumn: 2, endLine: 4, endColumn: 1 },
          related: [],
          fix: null,
          fingerprint: '0000000000000000',
        },
      ],
      summary: { critical: 0, high: 0, medium: 1, low: 0, info: 0 },
    };
    const out = render('github', odd, goldenContext(), SECRETS).split('\n');
    assert.equal(out[0], '::warning file=odd%2Cdir/a%3Ab.yml,line=3,col=2,endLine=4,title=x/odd::first line%0Asecond: 50%25%0D (medium)');
  });

  test('levels: critical/high → error, medium → warning, low/info → notice; file-level has no line', () => {
    const lines = renderGolden('github').trimEnd().split('\n');
    assert.equal(lines.length, GOLDEN.findings.length + 1, 'one annotation per finding, then the summary');
    assert.deepEqual(
      lines.slice(0, -1).map((l) => l.slice(2, l.indexOf(' '))),
      GOLDEN.findings.map((f) => ({ critical: 'error', high: 'error', medium: 'warning', low: 'notice', info: 'notice' })[f.severity]),
    );
    assert.ok(lines.includes('::notice file=docker-compose.override.yml,title=ops/no-restart-policy::service "web" has no restart policy in development. (low, development, service web)'));
  });
});

describe('markdown', () => {
  test('sections in release order, blockers critical before high', () => {
    const md = renderGolden('markdown');
    const order = ['## Summary', '## Blockers', '## Other findings', '## Action plan', '## Development versus production', '## Verification checklist'].map((h) => md.indexOf(h));
    assert.ok(order.every((i) => i >= 0), 'every section is there');
    assert.deepEqual([...order].sort((a, b) => a - b), order);
    const blockers = md.slice(md.indexOf('## Blockers'), md.indexOf('## Other findings'));
    assert.ok(blockers.indexOf('Critical:') < blockers.indexOf('High:'));
    assert.match(md, /\| `production` \(production\) \| `docker-compose.yml` \+ `docker-compose.prod.yml` \| 1 \| 2 \| 0 \| 0 \| 0 \| \*\*yes\*\* \|/);
    assert.match(md, /\[docker-compose.yml:7\]\(docker-compose.yml#L7\)/);
    assert.match(md, /```diff\n--- a\/docker-compose.prod.yml\n\+\+\+ b\/docker-compose.prod.yml\n@@ -6,3 \+6,3 @@/);
    assert.match(md, /- \[ \] `test -f .env.production`/);
    assert.match(md, /- \[ \] `docker compose -f docker-compose.yml -f docker-compose.override.yml up -d && docker compose ps`/, '<files> is filled for the environment');
    assert.ok(!md.includes('## Environment variables'), 'no mapping table unless one is given');
  });

  test('extension point: the environment-variable table renders the rows it is given', () => {
    const md = renderMarkdown(GOLDEN, goldenContext(), {
      envTable: [{ variable: 'DATABASE_URL', setting: 'Settings.database_url', setIn: { development: { file: '.env', startLine: 2 }, production: undefined } }],
    });
    assert.match(md, /## Environment variables\n\n\| Variable \| Setting \| `development` \| `production` \|\n\|---\|---\|---\|---\|\n\| `DATABASE_URL` \| Settings.database_url \| \[.env:2\]\(.env#L2\) \| \*\*not set\*\* \|/);
  });
});

describe('html', () => {
  const page = renderGolden('html');

  test('self-contained: no external resource, a CSP that forbids fetching', () => {
    assert.ok(!/<(?:link|img|iframe|object|embed)\b/i.test(page));
    assert.ok(!/\bsrc\s*=/i.test(page));
    assert.ok(!/url\(\s*['"]?(?:https?:)?\/\//i.test(page));
    assert.match(page, /<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
  });

  test('one graph per environment with its services, an undefined dependency drawn as missing', () => {
    assert.equal((page.match(/<svg class="graph"/g) ?? []).length, 2);
    assert.match(page, /<g class="node missing" data-service="cache"/);
    assert.match(page, /<g class="node sev-critical" data-service="web"/);
    assert.match(page, /<text class="edge-label"[^>]*>healthy<\/text>/);
  });

  test('escapes data and embeds JSON without a way out of the script element', () => {
    assert.ok(page.includes('container &lt;db&gt; has no healthcheck'));
    const hostile: AuditResult = { ...GOLDEN, findings: GOLDEN.findings.map((f, i) => (i === 0 ? { ...f, message: '</script><script>alert(1)</script><!--' } : f)) };
    const out = render('html', hostile, goldenContext(), SECRETS);
    assert.ok(!out.includes('<script>alert(1)'));
    assert.ok(out.includes('\\u003c/script>\\u003cscript>alert(1)\\u003c/script>\\u003c!--'), 'JSON data escapes <');
    assert.ok(out.includes('&lt;/script&gt;&lt;script&gt;alert(1)'), 'the card escapes the message');
  });

  test('masking keeps the markup intact around a masked code-frame line', () => {
    assert.match(page, /<span class="ln">7<\/span> {6}POSTGRES_PASSWORD: \*{6}\n<\/span>/);
  });

  test('without ctx.graph it still draws the services (no edges)', () => {
    const { graph: _graph, ...ctx } = goldenContext();
    const out = render('html', GOLDEN, ctx, SECRETS);
    assert.equal((out.match(/<svg class="graph"/g) ?? []).length, 2);
    assert.ok(!out.includes('class="edge"'));
  });

  test('a code frame comes from ctx.sources', () => {
    const ctx = { ...goldenContext(), sources: new Map([['Dockerfile', new SourceFile('Dockerfile', 'FROM scratch-image-for-test\n')]]) };
    assert.ok(render('html', GOLDEN, ctx, SECRETS).includes('FROM scratch-image-for-test'));
  });
});
