/** Python runtime facts: settings expressions, module resolution, Celery's app lookup, Django settings selection, proxy routes. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { audit } from '../../src/audit.js';
import { SourceFile } from '../../src/core/source-file.js';
import { selectSettings } from '../../src/model/app/django.js';
import { caddyRoutes, nginxRoutes, routeDir } from '../../src/model/app/proxy.js';
import { asPath, evaluate, type EvalScope, type PyVal } from '../../src/model/app/py-eval.js';

const EXAMPLE = join(import.meta.dirname, '..', '..', 'examples', 'django-blog');

function scope(names: Record<string, PyVal> = {}, env: Record<string, string | null> = {}): EvalScope {
  return {
    lookup: (n) => names[n],
    env: (n) => (n in env ? env[n] : undefined),
    file: '/app/blog/settings/base.py',
    cwd: '/app',
  };
}

describe('settings expressions', () => {
  test('BASE_DIR forms compute the directory the process sees', () => {
    const p = (text: string): string | undefined => asPath(evaluate(text, scope()), '/app');
    assert.equal(p('Path(__file__).resolve().parent.parent'), '/app/blog');
    assert.equal(p('Path(__file__).resolve().parents[2]'), '/app');
    assert.equal(p('os.path.dirname(os.path.dirname(os.path.abspath(__file__)))'), '/app/blog');
    assert.equal(p('environ.Path(__file__) - 3'), '/app');
    const root: PyVal = { k: 'env-path', p: '/app' };
    assert.equal(asPath(evaluate('ROOT.path("shop")("static")', scope({ ROOT: root })), '/app'), '/app/shop/static');
    assert.equal(asPath(evaluate('str(ROOT.path("shop"))', scope({ ROOT: root })), '/app'), '/app/shop');
    assert.equal(p('pathlib.Path(__file__).absolute().parent / "static"'), '/app/blog/settings/static');
  });

  test('joins, environment reads and comparisons', () => {
    const base: PyVal = { k: 'path', p: '/app/blog' };
    const s = scope({ BASE_DIR: base }, { STATIC_ROOT: '/srv/static', DEBUG: '0', UNKNOWN: null });
    assert.equal(asPath(evaluate('BASE_DIR / "static"', s), '/app'), '/app/blog/static');
    assert.equal(asPath(evaluate('os.path.join(BASE_DIR, "templates")', s), '/app'), '/app/blog/templates');
    assert.equal(asPath(evaluate('os.path.join(BASE_DIR, "/abs")', s), '/app'), '/abs');
    assert.equal(asPath(evaluate('os.environ.get("STATIC_ROOT", BASE_DIR / "x")', s), '/app'), '/srv/static');
    assert.equal(asPath(evaluate('os.getenv("MISSING", "rel/dir")', s), '/app'), '/app/rel/dir');
    assert.deepEqual(evaluate('os.environ.get("DEBUG", "1") == "1"', s), { k: 'bool', b: false });
    assert.equal(evaluate('os.environ.get("UNKNOWN", "x")', s).k, 'unknown');
    assert.equal(evaluate('f"{BASE_DIR}/static"', s).k, 'unknown');
    assert.equal(evaluate('[p for p in X]', s).k, 'unknown');
  });

  test('lists and dicts keep where their items are written', () => {
    const v = evaluate('[BASE_DIR / "a", ("vendor", "/opt/v")]', scope({ BASE_DIR: { k: 'path', p: '/app' } }), (s, e) => ({ file: 'x.py', startLine: 1, startColumn: s + 1, endLine: 1, endColumn: e + 1 }));
    assert.equal(v.k, 'list');
    if (v.k !== 'list') return;
    assert.equal(v.items[0]!.text, 'BASE_DIR / "a"');
    assert.equal(v.items[0]!.loc?.startColumn, 2);
    const d = evaluate('{"staticfiles": {"BACKEND": "x.Manifest"}}', scope());
    assert.equal(d.k === 'dict' && d.entries.get('staticfiles')?.v.k, 'dict');
  });
});

describe('DJANGO_SETTINGS_MODULE selection', () => {
  const loc = (line: number) => ({ file: 'f', startLine: line });
  test('--settings beats the environment, which beats setdefault', () => {
    const code = { setdefault: { module: 'p.settings.base', how: 'setdefault' as const, loc: loc(1), repoPath: 'p/wsgi.py' } };
    const variable = { value: 'p.settings.dev', loc: loc(2), from: 'environment' as const, overrode: [] };
    assert.equal(selectSettings({ code, variable, flag: { module: 'p.settings.prod', loc: loc(3) } }).module, 'p.settings.prod');
    assert.equal(selectSettings({ code, variable }).module, 'p.settings.dev');
    assert.equal(selectSettings({ code }).source, 'setdefault');
    assert.equal(selectSettings({ code, variable: { ...variable, value: null } }).status, 'unknown');
    assert.equal(selectSettings({ code: {} }).status, 'unset');
  });
  test('a forced os.environ assignment in code beats the environment', () => {
    const sel = selectSettings({ code: { assignment: { module: 'p.forced', how: 'assignment', loc: loc(1), repoPath: 'p/wsgi.py' } }, variable: { value: 'p.env', loc: loc(2), from: 'environment', overrode: [] } });
    assert.equal(sel.module, 'p.forced');
  });
});

describe('proxy configuration', () => {
  test('nginx alias, location root and inherited server root', () => {
    const src = new SourceFile('n.conf', 'server {\n  root /srv/www;\n  location /static/ { alias /app/static/; }\n  location ^~ /media/ { root /data; }\n  location /assets/ { }\n  location ~ \\.php$ { alias /x/; }\n  location / { proxy_pass http://web:8000; }\n}\n');
    const routes = nginxRoutes(src);
    assert.deepEqual(routes.map((r) => [r.prefix, r.mode, routeDir(r), r.loc.startLine]), [
      ['/static/', 'alias', '/app/static', 3],
      ['/media/', 'root', '/data/media', 4],
      ['/assets/', 'root', '/srv/www/assets', 2],
    ]);
  });
  test('Caddy handle_path strips the prefix, handle keeps it', () => {
    const src = new SourceFile('Caddyfile', 'example.com {\n  handle_path /static/* {\n    root * /srv/static\n    file_server\n  }\n  handle /media/* {\n    root * /srv\n    file_server\n  }\n  reverse_proxy web:8000\n}\n');
    assert.deepEqual(caddyRoutes(src).map((r) => [r.prefix, routeDir(r)]), [['/static/', '/srv/static'], ['/media/', '/srv/media']]);
  });
});

describe('examples/django-blog', () => {
  test('facts the app rules read', async () => {
    const { model } = await audit({ root: EXAMPLE, git: 'off' });
    const prod = model.environments.find((e) => e.name === 'production')!;
    const web = prod.services.find((s) => s.name === 'web')!.python!;
    const worker = prod.services.find((s) => s.name === 'worker')!.python!;
    // gunicorn imports blog.wsgi, whose package __init__ imports .celery first: its setdefault is the code default
    assert.equal(web.references.find((r) => r.kind === 'app')?.result.repoPath, 'blog/wsgi.py');
    assert.equal(web.django?.selection.module, 'blog.settings.base');
    assert.equal(web.django?.selection.loc?.file, 'docker-compose.yml');
    assert.equal(web.django?.selection.codeDefault?.loc.file, 'blog/celery.py');
    const s = web.django!.settings!;
    assert.equal(s.baseDir?.value, '/app/blog');
    assert.equal(s.staticRoot?.value, '/app/blog/staticfiles');
    assert.deepEqual(s.pathEntries.map((e) => [e.path, e.exists, e.alternative?.path]), [['/app/blog/static', false, '/app/static']]);
    assert.deepEqual(web.django!.productionCandidates.map((c) => c.repoPath), ['blog/settings/production.py']);
    // the production worker: `-A blogapp` does not import; the image has `blog`, whose blog.celery:app Celery finds
    assert.equal(worker.celery[0]?.status, 'module-missing');
    assert.deepEqual(worker.celery[0]?.suggestions, ['blog']);
    const dev = model.environments.find((e) => e.name === 'default')!.services.find((s) => s.name === 'worker')!.python!;
    assert.equal(dev.celery[0]?.resolved, 'blog.celery:app');
    // the build's collectstatic runs with the base settings (a RUN prefix)
    assert.equal(web.djangoBuild[0]?.selection.source, 'command-env');
    assert.deepEqual(model.proxies?.map((p) => [p.service, p.routes.map((r) => routeDir(r))]), [['nginx', ['/app/static']]]);
  });
});
