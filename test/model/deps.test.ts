import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { audit } from '../../src/audit.js';
import type { BuildDeps } from '../../src/model/deps/types.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function builds(files: Record<string, string>): Promise<{ builds: BuildDeps[]; findings: { ruleId: string; file: string; line?: number; severity: string; message: string }[] }> {
  const root = mkdtempSync(join(tmpdir(), 'drydock-deps-'));
  dirs.push(root);
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  const out = await audit({ root, git: 'off' });
  assert.deepEqual(out.crashed.map((c) => c.error.stack), []);
  return {
    builds: out.model.deps?.builds ?? [],
    findings: out.result.findings.map((f) => ({ ruleId: f.ruleId, file: f.location.file, line: f.location.startLine, severity: f.severity, message: f.message })),
  };
}

const COMPOSE = 'services:\n  app:\n    build: .\n';

describe('deps model', () => {
  test('pip wheel in a builder stage, wheels installed in the final stage, -r includes', async () => {
    const { builds: [b] } = await builds({
      'docker-compose.yml': COMPOSE,
      Dockerfile: [
        'FROM python:3.12 AS builder',
        'WORKDIR /src',
        'COPY requirements/ requirements/',
        'RUN pip wheel --wheel-dir /wheels -r requirements/prod.txt',
        'FROM python:3.12-slim',
        'COPY --from=builder /wheels /wheels',
        'RUN pip install --no-cache-dir /wheels/* && rm -rf /wheels',
        'COPY . /app',
      ].join('\n'),
      'requirements/base.txt': 'flask==3.0.3\n',
      'requirements/prod.txt': '-r base.txt\ngunicorn==22.0.0\n',
    });
    assert.ok(b);
    assert.deepEqual(b.installs.map((s) => [s.kind, s.manifest, s.stage, s.wheel ?? false]), [
      ['requirements', 'requirements/prod.txt', 0, true],
      ['other', undefined, 1, false],
    ]);
    assert.equal(b.pythonComplete, true);
    assert.equal(b.exactSet, true);
    assert.equal(b.pythonVersion, '3.12');
    assert.deepEqual(b.declared.map((d) => d.key).sort(), ['flask', 'gunicorn']);
  });

  test('uv sync through RUN bind mounts, default groups', async () => {
    const { builds: [b] } = await builds({
      'docker-compose.yml': COMPOSE,
      Dockerfile: [
        'FROM ghcr.io/astral-sh/uv:python3.12-bookworm-slim',
        'WORKDIR /app',
        'RUN --mount=type=cache,target=/root/.cache/uv \\',
        '    --mount=type=bind,source=uv.lock,target=uv.lock \\',
        '    --mount=type=bind,source=pyproject.toml,target=pyproject.toml \\',
        '    uv sync --frozen --no-install-project',
      ].join('\n'),
      'pyproject.toml': '[project]\nname = "app"\nversion = "1"\ndependencies = ["fastapi"]\n[dependency-groups]\ndev = ["pytest"]\nlint = ["ruff"]\n',
      'uv.lock': 'version = 1\n[[package]]\nname = "fastapi"\nversion = "0.115.0"\n',
    });
    const s = b!.installs[0]!;
    assert.deepEqual([s.kind, s.manifest, s.lock, s.lockMode, s.honoursLock, s.groups], ['project', 'pyproject.toml', 'uv.lock', 'frozen', true, ['dev']]);
    assert.deepEqual(b!.declared.map((d) => d.key), ['fastapi', 'pytest']);
    assert.equal(b!.cleanBase, true);
    assert.equal(b!.pythonVersion, '3.12');
  });

  test('poetry export to requirements.txt, then pip install -r', async () => {
    const { builds: [b] } = await builds({
      'docker-compose.yml': COMPOSE,
      Dockerfile: [
        'FROM python:3.11-slim',
        'WORKDIR /app',
        'COPY pyproject.toml poetry.lock ./',
        'RUN pip install poetry && poetry export -f requirements.txt --output requirements.txt --without dev',
        'RUN pip install -r requirements.txt',
      ].join('\n'),
      'pyproject.toml': '[tool.poetry]\nname = "app"\n[tool.poetry.dependencies]\npython = "^3.11"\ndjango = "^5.0"\n[tool.poetry.group.dev.dependencies]\npytest = "^8"\n',
      'poetry.lock': '[[package]]\nname = "django"\nversion = "5.0.6"\n',
    });
    const project = b!.installs.find((s) => s.kind === 'project')!;
    assert.deepEqual([project.manifest, project.lock, project.groups, project.loc.startLine], ['pyproject.toml', 'poetry.lock', [], 5]);
    assert.deepEqual(b!.declared.map((d) => d.key).sort(), ['django', 'poetry']);
    assert.equal(b!.pythonComplete, true);
  });

  test('cd in RUN, pip install . and poetry groups', async () => {
    const { builds: [b] } = await builds({
      'docker-compose.yml': COMPOSE,
      Dockerfile: ['FROM python:3.12-slim', 'COPY . /srv/app', 'RUN cd /srv/app && pip install ".[pg]"', 'RUN cd /srv/app && poetry install --without dev --with docs'].join('\n'),
      'pyproject.toml':
        '[project]\nname = "app"\nversion = "1"\ndependencies = ["httpx"]\n[project.optional-dependencies]\npg = ["psycopg"]\n[tool.poetry.group.dev.dependencies]\npytest = "*"\n[tool.poetry.group.docs]\noptional = true\n[tool.poetry.group.docs.dependencies]\nmkdocs = "*"\n',
    });
    assert.deepEqual(b!.installs.map((s) => [s.tool, s.kind, s.manifest, s.extras, s.groups, s.lockMode]), [
      ['pip', 'project', 'pyproject.toml', ['pg'], [], undefined],
      ['poetry', 'project', 'pyproject.toml', [], ['docs'], undefined],
    ]);
  });

  test('an unknown base image or an opaque install makes the build incomplete', async () => {
    const { builds: [b] } = await builds({
      'docker-compose.yml': COMPOSE,
      Dockerfile: 'FROM tiangolo/uvicorn-gunicorn-fastapi:python3.11\nCOPY requirements.txt .\nRUN pip install -r $REQS\n',
      'requirements.txt': 'fastapi\n',
    });
    assert.equal(b!.cleanBase, false);
    assert.equal(b!.pythonComplete, false);
    assert.match(b!.incompleteReason ?? '', /variable/);
  });

  test('npm ci before package-lock.json is copied', async () => {
    const { builds: [b], findings } = await builds({
      'docker-compose.yml': COMPOSE,
      Dockerfile: 'FROM node:20-slim\nWORKDIR /app\nCOPY package.json ./\nRUN npm ci\nCOPY . .\n',
      'package.json': '{ "dependencies": { "express": "^4.19.2" } }\n',
      'package-lock.json': '{ "lockfileVersion": 3, "packages": { "": { "dependencies": { "express": "^4.19.2" } }, "node_modules/express": { "version": "4.19.2" } } }\n',
    });
    const s = b!.installs[0]!;
    assert.deepEqual([s.tool, s.kind, s.manifest, s.lock, s.lockMode], ['npm', 'node', 'package.json', undefined, 'strict']);
    assert.deepEqual(findings.filter((f) => f.ruleId === 'deps/lock-out-of-sync').map((f) => [f.file, f.line]), [['Dockerfile', 4]]);
  });

  test('application imports: copied code only, tests and scripts left out, local packages known', async () => {
    const { builds: [b] } = await builds({
      'docker-compose.yml': COMPOSE,
      Dockerfile: 'FROM python:3.12-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY src/ /app/\n',
      'requirements.txt': 'flask==3.0.3\n',
      'src/web/__init__.py': 'from flask import Flask\nfrom web.views import bp\n',
      'src/web/views.py': 'import redis\n',
      'tests/test_web.py': 'import pytest\n',
      'tools/gen.py': 'import jinja2\n',
      'src/scripts/seed.py': 'import faker\n',
    });
    const app = b!.app!;
    assert.deepEqual(app.files, ['src/web/__init__.py', 'src/web/views.py']);
    assert.deepEqual(app.imports.map((i) => i.module), ['flask', 'web.views', 'redis']);
    assert.ok(app.localModules.has('web'));
  });

  test('undeclared-import severities: exact set, unpinned ranges, unknown extras; implicit needs from the environment', async () => {
    const severities = async (requirements: string, env = '') =>
      (
        await builds({
          'docker-compose.yml': `services:\n  app:\n    build: .\n${env}`,
          Dockerfile: 'FROM python:3.12-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY app.py .\n',
          'requirements.txt': requirements,
          'app.py': 'import yaml\nfrom sqlalchemy import create_engine\n',
        })
      ).findings
        .filter((f) => f.ruleId === 'deps/undeclared-import')
        .map((f) => [f.file, f.line, f.severity]);
    // everything pinned: PyYAML cannot arrive any other way
    assert.deepEqual(await severities('sqlalchemy==2.0.36\n'), [['app.py', 1, 'critical']]);
    // unpinned: PyYAML may come with another package
    assert.deepEqual(await severities('sqlalchemy>=2\n'), [['app.py', 1, 'high']]);
    // an extra we do not know may bring anything
    assert.deepEqual(await severities('sqlalchemy[postgresql]==2.0.36\n'), [['app.py', 1, 'info']]);
    // an explicit driver in the environment, read by the app's SQLAlchemy (S row: high)
    assert.deepEqual(await severities('sqlalchemy==2.0.36\npyyaml==6.0.2\n', '    environment:\n      DATABASE_URL: postgresql+asyncpg://u:p@db/app\n'), [['docker-compose.yml', 5, 'high']]);
    // a bare postgresql:// in the environment may be read by psycopg or asyncpg directly: silent
    assert.deepEqual(await severities('sqlalchemy==2.0.36\npyyaml==6.0.2\n', '    environment:\n      DATABASE_URL: postgresql://u:p@db/app\n'), []);
  });
});
