/**
 * Console scripts that Python distributions install (shared KNOWLEDGE.md §2.1), keyed by the
 * normalised distribution name (PEP 503: lower case, runs of `-_.` → `-`). A distribution that is
 * not listed has unknown scripts: callers must not conclude that it installs none.
 */
import type { Confidence } from './base-images.js';

export interface ConsoleScripts {
  scripts: string[];
  /** `python -m <module>` works (the package ships `__main__.py`); undefined when not verified */
  module?: string;
  source: string;
  confidence: Confidence;
}

export const CONSOLE_SCRIPTS: Record<string, ConsoleScripts> = {
  gunicorn: { scripts: ['gunicorn'], module: 'gunicorn', source: 'benoitc/gunicorn:setup.py console_scripts (as reproduced); gunicorn/__main__.py', confidence: 'S' },
  uvicorn: { scripts: ['uvicorn'], module: 'uvicorn', source: 'encode/uvicorn:pyproject.toml [project.scripts]; uvicorn/__main__.py', confidence: 'V' },
  celery: { scripts: ['celery'], module: 'celery', source: 'celery/celery:setup.py console_scripts', confidence: 'V' },
  alembic: { scripts: ['alembic'], source: 'sqlalchemy/alembic:pyproject.toml', confidence: 'V' },
  daphne: { scripts: ['daphne'], source: 'django/daphne:setup.py', confidence: 'V' },
  hypercorn: { scripts: ['hypercorn'], module: 'hypercorn', source: 'pgjones/hypercorn:pyproject.toml', confidence: 'V' },
  flask: { scripts: ['flask'], module: 'flask', source: 'pallets/flask:pyproject.toml; Flask 3.1 wheel flask/__main__.py', confidence: 'V' },
  django: { scripts: ['django-admin'], module: 'django', source: 'django/django:pyproject.toml; django/__main__.py', confidence: 'V' },
  granian: { scripts: ['granian'], source: 'emmett-framework/granian:pyproject.toml', confidence: 'V' },
  dramatiq: { scripts: ['dramatiq', 'dramatiq-gevent'], module: 'dramatiq', source: 'Bogdanp/dramatiq:setup.py', confidence: 'V' },
  rq: { scripts: ['rq', 'rqinfo', 'rqworker'], source: 'rq/rq:pyproject.toml (rqinfo/rqworker marked "TODO [v2]: Remove")', confidence: 'V' },
  huey: { scripts: ['huey_consumer', 'huey_consumer.py'], source: 'coleifer/huey:setup.py', confidence: 'V' },
  pytest: { scripts: ['pytest', 'py.test'], module: 'pytest', source: 'pytest-dev/pytest:pyproject.toml; pytest 9 wheel entry_points.txt', confidence: 'V' },
  poetry: { scripts: ['poetry'], source: 'python-poetry/poetry:pyproject.toml [tool.poetry.scripts]', confidence: 'V' },
  uv: { scripts: ['uv'], source: 'astral-sh/uv:pyproject.toml (maturin bindings = "bin")', confidence: 'V' },
  pip: { scripts: ['pip', 'pip3'], module: 'pip', source: 'pip 23.2.1 wheel entry_points.txt (pip, pip3, pip3.<minor>)', confidence: 'V' },
};

/** PEP 503 normalisation: `Flask_SQLAlchemy` → `flask-sqlalchemy`. */
export function normalizeDistribution(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** The console scripts of a distribution, or undefined when we do not know them. */
export function consoleScriptsOf(distribution: string): string[] | undefined {
  return CONSOLE_SCRIPTS[normalizeDistribution(distribution)]?.scripts;
}

/** The distributions known to install `script`. */
export function distributionsProviding(script: string): string[] {
  return Object.entries(CONSOLE_SCRIPTS)
    .filter(([, c]) => c.scripts.includes(script))
    .map(([d]) => d);
}
