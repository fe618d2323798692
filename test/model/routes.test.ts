/**
 * The routes model (model/app/routes.ts) on small repositories, and the healthcheck probe parser
 * (rules/health/_probe.ts). Framework behaviour asserted here was checked against Django 3.2,
 * Flask 2.2/Werkzeug 2.2, FastAPI 0.92/Starlette 0.26, curl 7.88, GNU Wget 1.21, BusyBox 1.35
 * and CPython 3.9-3.12 (see the rule's docs).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { audit } from '../../src/audit.js';
import { matchPath } from '../../src/model/app/routes.js';
import type { RouteSet } from '../../src/model/types.js';
import { argvCommands, parseWritten } from '../../src/model/shell-commands.js';
import { parseProbes } from '../../src/model/healthcheck-probes.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const PY_DOCKERFILE = 'FROM python:3.12-slim\nWORKDIR /srv\nCOPY . .\n';

/** The route set of the first server of service `svc` (default: the only one). */
async function routes(files: Record<string, string>, svc?: string): Promise<RouteSet | undefined> {
  const root = mkdtempSync(join(tmpdir(), 'drydock-routes-'));
  dirs.push(root);
  for (const [p, text] of Object.entries({ Dockerfile: PY_DOCKERFILE, ...files })) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  const out = await audit({ root, git: 'off', rules: [] });
  const services = out.model.environments.flatMap((e) => e.services);
  const s = svc ? services.find((x) => x.name === svc) : services[0];
  return s?.start?.servers[0]?.routes;
}

const compose = (command: string[], env: Record<string, string> = {}): string =>
  `services:\n  app:\n    build: .\n    command: ${JSON.stringify(command)}\n${Object.keys(env).length ? `    environment:\n${Object.entries(env).map(([k, v]) => `      ${k}: "${v}"\n`).join('')}` : ''}`;

const paths = (r: RouteSet | undefined): string[] => (r?.routes ?? []).filter((x) => !x.builtin).map((x) => x.path).sort();
const kind = (r: RouteSet, p: string): string => matchPath(r, p).kind;

describe('routes: FastAPI', () => {
  it('joins include prefixes, router prefixes and nested routers; follows register functions', async () => {
    const r = await routes({
      'compose.yaml': compose(['uvicorn', 'app.main:app', '--host', '0.0.0.0']),
      'app/__init__.py': '',
      'app/main.py': [
        'from fastapi import FastAPI',
        'from .api import api_router',
        'from .extra import register',
        'app = FastAPI(openapi_url="/api/openapi.json")',
        'app.include_router(api_router, prefix="/api")',
        'app.router.add_api_route("/ping", lambda: "pong", methods=["GET", "HEAD"])',
        'register(app)',
        '',
      ].join('\n'),
      'app/api.py': [
        'from fastapi import APIRouter',
        'from app.routes import items',
        'api_router = APIRouter()',
        'api_router.include_router(items.router, prefix="/items", tags=["items"])',
        '',
      ].join('\n'),
      'app/routes/items.py': ['from fastapi import APIRouter', 'router = APIRouter(prefix="/v1")', '@router.get("/{item_id:int}")', 'def get(item_id: int): ...', ''].join('\n'),
      'app/extra.py': ['def register(app):', '    @app.get("/healthz")', '    def h(): return "ok"', ''].join('\n'),
    });
    assert.ok(r);
    assert.deepEqual(r.gaps, []);
    assert.deepEqual(paths(r), ['/api/items/v1/{item_id:int}', '/healthz', '/ping']);
    assert.equal(kind(r, '/api/items/v1/42'), 'served');
    assert.equal(kind(r, '/api/items/v1/x'), 'missing');
    assert.equal(kind(r, '/healthz/'), 'redirect'); // Starlette redirect_slashes: 307
    assert.equal(kind(r, '/api/openapi.json'), 'served');
    assert.equal(kind(r, '/docs'), 'served');
    assert.equal(kind(r, '/openapi.json'), 'missing');
  });

  it('makes mounts opaque and unknown code a gap', async () => {
    const base = ['from fastapi import FastAPI', 'from fastapi.staticfiles import StaticFiles', 'app = FastAPI(redirect_slashes=False)', 'app.mount("/static", StaticFiles(directory="s"))', '@app.get("/health")', 'def h(): ...', ''];
    const r = await routes({ 'compose.yaml': compose(['uvicorn', 'main:app']), 'main.py': base.join('\n') });
    assert.ok(r?.complete);
    assert.equal(r.trailingSlash, 'none');
    assert.equal(kind(r, '/static/app.css'), 'unknown');
    assert.equal(kind(r, '/health/'), 'missing');
    const gap = await routes({ 'compose.yaml': compose(['uvicorn', 'main:app']), 'main.py': [...base, 'from prometheus_fastapi_instrumentator import Instrumentator', 'Instrumentator().instrument(app).expose(app)', ''].join('\n') });
    assert.equal(gap?.complete, false);
    const mw = await routes({ 'compose.yaml': compose(['uvicorn', 'main:app']), 'main.py': [...base, '@app.exception_handler(404)', 'async def nf(request, exc): ...', ''].join('\n') });
    assert.equal(mw?.complete, false);
  });
});

describe('routes: Flask', () => {
  it('replaces a blueprint prefix at registration, joins nested blueprints, finds the app by discovery', async () => {
    const r = await routes({
      'compose.yaml': compose(['flask', 'run', '--host', '0.0.0.0']),
      'app.py': [
        'from flask import Flask, Blueprint',
        'from werkzeug.middleware.proxy_fix import ProxyFix',
        'parent = Blueprint("p", __name__, url_prefix="/ignored")',
        'child = Blueprint("c", __name__, url_prefix="/child")',
        '@child.get("/x")',
        'def x(): ...',
        'parent.register_blueprint(child)',
        'def create_app():',
        '    app = Flask(__name__, static_folder=None)',
        '    app.wsgi_app = ProxyFix(app.wsgi_app)',
        '    app.register_blueprint(parent, url_prefix="/p")',
        '    app.add_url_rule("/ok/", view_func=x)',
        '    return app',
        '',
      ].join('\n'),
    });
    assert.ok(r);
    assert.deepEqual(r.gaps, []);
    assert.deepEqual(paths(r), ['/ok/', '/p/child/x']);
    assert.equal(kind(r, '/ok'), 'redirect'); // Werkzeug strict_slashes: 308
    assert.equal(kind(r, '/p/child/x/'), 'missing'); // never the other way
  });

  it('treats a 404 handler and DispatcherMiddleware as gaps', async () => {
    const r = await routes({
      'compose.yaml': compose(['gunicorn', 'wsgi:app']),
      'wsgi.py': ['from flask import Flask', 'app = Flask(__name__)', '@app.errorhandler(404)', 'def nf(e): return app.send_static_file("index.html")', ''].join('\n'),
    });
    assert.equal(r?.complete, false);
  });
});

describe('routes: Django', () => {
  const project = (settings: string, urls: string): Record<string, string> => ({
    'compose.yaml': compose(['gunicorn', 'site_.wsgi'], { DJANGO_SETTINGS_MODULE: 'site_.settings.prod' }),
    'site_/__init__.py': '',
    'site_/wsgi.py': 'from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n',
    'site_/settings/__init__.py': '',
    'site_/settings/base.py': 'ROOT_URLCONF = "site_.urls"\nMEDIA_URL = "/media/"\nMIDDLEWARE = ["django.middleware.common.CommonMiddleware"]\n',
    'site_/settings/prod.py': `from .base import *\n${settings}`,
    'site_/urls.py': urls,
    'site_/api.py': 'from django.urls import re_path\nfrom . import views\nurlpatterns = [re_path(r"^v(?P<n>[0-9]+)/status$", views.s)]\n',
    'site_/views.py': 'def s(request, n=None): ...\n',
  });
  const urls = [
    'from django.conf import settings',
    'from django.conf.urls.static import static',
    'from django.contrib import admin',
    'from django.urls import include, path',
    'from . import api, views',
    'urlpatterns = [',
    '    path("admin/", admin.site.urls),',
    '    path("api/", include(api)),',
    '    path("items/<slug:slug>/", views.s),',
    '] + static(settings.MEDIA_URL, document_root="/m")',
    'urlpatterns += [path("health/", views.s)]',
    '',
  ].join('\n');

  it('follows settings star imports, include() of modules, converters and re_path', async () => {
    const r = await routes(project('', urls));
    assert.ok(r);
    assert.deepEqual(r.gaps, []);
    assert.equal(r.trailingSlash, 'redirect-add');
    assert.deepEqual(paths(r), ['/api/v(?P<n>[0-9]+)/status', '/health/', '/items/<slug:slug>/']);
    assert.equal(kind(r, '/api/v2/status'), 'served');
    assert.equal(kind(r, '/api/v2/status/'), 'missing');
    assert.equal(kind(r, '/items/a-b/'), 'served');
    assert.equal(kind(r, '/health'), 'redirect'); // CommonMiddleware + APPEND_SLASH: 301
    assert.equal(kind(r, '/admin/login/'), 'unknown');
    assert.equal(kind(r, '/media/x.png'), 'unknown');
    assert.equal(kind(r, '/healthz/'), 'missing');
  });

  it('does not redirect without CommonMiddleware or with APPEND_SLASH = False', async () => {
    const none = await routes(project('MIDDLEWARE = []\n', urls));
    assert.equal(none?.trailingSlash, 'none');
    assert.equal(kind(none!, '/health'), 'missing');
    const off = await routes(project('APPEND_SLASH = False\n', urls));
    assert.equal(off?.trailingSlash, 'none');
  });

  it('is not complete with a third-party include at the root or a project middleware that may answer', async () => {
    const r = await routes(project('', 'from django.urls import include, path\nurlpatterns = [path("", include("health_check.urls"))]\n'));
    assert.equal(r?.complete, false);
    const mw = await routes({ ...project('MIDDLEWARE = ["site_.mw.Health"]\n', urls), 'site_/mw.py': 'class Health:\n    pass\n' });
    assert.equal(mw?.complete, true);
    assert.equal(mw?.interceptors.length, 1);
  });
});

describe('routes: Express', () => {
  const files = (server: string): Record<string, string> => ({
    'compose.yaml': 'services:\n  web:\n    build: .\n    command: ["node", "server.js"]\n',
    Dockerfile: 'FROM node:20-alpine\nWORKDIR /app\nCOPY . .\n',
    'server.js': server,
    'routes/index.js': "import express from 'express';\nconst r = express.Router();\nr.route('/items/:id').get((req, res) => res.send('x'));\nexport default r;\n",
  });

  it('mounts routers, matches case-insensitively with an optional trailing slash', async () => {
    const r = await routes(files("const express = require('express')\nconst app = express()\napp.use('/v1', require('./routes/index'))\napp.get('/health', (req, res) => res.send('ok'))\napp.listen(3000)\n"));
    assert.ok(r);
    assert.deepEqual(r.gaps, []);
    assert.deepEqual(paths(r), ['/health', '/v1/items/:id']);
    assert.equal(kind(r, '/HEALTH/'), 'served');
    assert.equal(kind(r, '/v1/items/7'), 'served');
    assert.equal(kind(r, '/v1/items'), 'missing');
  });

  it('is not complete when the app is handed to a function or routes are registered in a loop', async () => {
    const a = await routes(files("const express = require('express')\nconst app = express()\nrequire('./routes/all')(app)\napp.listen(3000)\n"));
    assert.equal(a?.complete, false);
    const b = await routes(files("const express = require('express')\nconst app = express()\nfor (const p of ['/a', '/b']) { app.get(p, (q, s) => s.end()) }\napp.listen(3000)\n"));
    assert.equal(b?.complete, false);
    const c = await routes(files("const express = require('express')\nconst app = express()\napp.use((req, res) => res.sendFile('/app/index.html'))\napp.listen(3000)\n"));
    assert.equal(c?.complete, false);
  });
});

describe('healthcheck probes', () => {
  const env = (n: string): string | undefined => ({ PORT: '8000' })[n];
  // the commands as model/healthcheck-commands.ts parses them
  const loc = { file: 'compose.yaml' };
  const probes = async (test: string[]) =>
    parseProbes(
      test,
      test[0] === 'CMD-SHELL' ? (await parseWritten(test.slice(1).join(' '), { file: loc.file, loc })).commands : (await argvCommands(test.slice(1).map((text) => ({ text, loc })), loc.file)).commands,
      env,
    );
  const one = async (test: string[]) => {
    const p = await probes(test);
    assert.ok(p.understood, `not understood: ${test.join(' ')}`);
    assert.equal(p.probes.length, 1);
    return p.probes[0]!;
  };

  it('reads curl options, combined flags and the URL', async () => {
    const a = (await one(['CMD', 'curl', '-fsS', '-o', '/dev/null', '-w', '%{http_code}', 'http://localhost:8000/health?x=1']));
    assert.deepEqual([a.host, a.port, a.path, a.failsOnHttpError, a.method], ['localhost', 8000, '/health?x=1', true, 'GET']);
    const b = (await one(['CMD-SHELL', 'curl --silent localhost:$PORT/ready || exit 1']));
    assert.deepEqual([b.port, b.path, b.failsOnHttpError], [8000, '/ready', false]);
    const c = (await one(['CMD', 'curl', '-sfI', 'http://127.0.0.1/']));
    assert.deepEqual([c.port, c.method], [80, 'HEAD']);
    assert.equal((await one(['CMD', 'curl', '--fail-with-body', '-X', 'POST', 'https://[::1]/x'])).method, 'POST');
    assert.equal((await one(['CMD', 'curl', '--fail-with-body', 'https://[::1]/x'])).port, 443);
  });

  it('leaves variables it cannot resolve unknown (exec form does not expand them)', async () => {
    const p = (await one(['CMD', 'curl', '-f', 'http://localhost:$PORT/health']));
    assert.equal(p.port, undefined);
    assert.equal(p.path, '/health');
    assert.equal((await one(['CMD-SHELL', 'curl -f http://localhost:${NOPE}/health'])).port, undefined);
  });

  it('reads wget, python urllib/requests, node and nc', async () => {
    const w = (await one(['CMD', 'wget', '-qO-', '--spider', 'http://localhost:3000/h']));
    assert.deepEqual([w.tool, w.failsOnHttpError, w.method], ['wget', true, undefined]);
    const u = (await one(['CMD', 'python3', '-c', "import urllib.request as u; u.urlopen('http://localhost:8000/health', timeout=2)"]));
    assert.deepEqual([u.tool, u.failsOnHttpError, u.path], ['python-urllib', true, '/health']);
    assert.equal((await one(['CMD', 'python', '-c', "import requests; requests.get('http://localhost:8000/h')"])).failsOnHttpError, false);
    assert.equal((await one(['CMD', 'python', '-c', "import requests; requests.get('http://localhost:8000/h').raise_for_status()"])).failsOnHttpError, true);
    const n = (await one(['CMD', 'node', '-e', "require('http').get('http://localhost:3000/h', r => process.exit(r.statusCode === 200 ? 0 : 1))"]));
    assert.deepEqual([n.failsOnHttpError, n.failsOnConnect], [true, true]);
    const z = (await one(['CMD-SHELL', 'nc -z localhost 6379']));
    assert.deepEqual([z.tool, z.port, z.path], ['nc', 6379, undefined]);
  });

  it('gives up on shapes whose status is not the probe\'s', async () => {
    for (const t of ['curl -s http://localhost/h | grep ok', 'curl -f http://localhost/h; true', 'curl -f http://localhost/h || echo down', '[ "$(curl -s http://localhost/h)" = ok ]'])
      assert.equal((await probes(['CMD-SHELL', t])).understood, false, t);
    assert.equal((await probes(['CMD', 'python', '-c', "try:\n import urllib.request as u; u.urlopen('http://localhost/h')\nexcept Exception: pass"])).understood, false);
    const chain = await probes(['CMD-SHELL', 'test -f /tmp/ready && curl -f http://localhost:8000/a && wget -q http://localhost:8000/b']);
    assert.deepEqual(chain.probes.map((p) => p.path), ['/a', '/b']);
  });
});
