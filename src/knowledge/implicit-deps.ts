/**
 * Features that need a package the code never imports by name (shared KNOWLEDGE.md §4), and the
 * extras that bring such packages in. Rows marked U in KNOWLEDGE.md are left out: a trigger we
 * cannot tie to a verified package makes no claim.
 */
import type { Confidence } from './python-imports.js';

export interface ImplicitNeed {
  /** what in the code or config asks for it (for messages) */
  trigger: string;
  /** distributions that satisfy it: any one will do */
  dists: string[];
  /** `dist[extra]` spellings that also satisfy it */
  extras: string[];
  /** what the user sees without it */
  failure: string;
  conf: Confidence;
  source: string;
}

// ---------------------------------------------------------------- extras

export interface ExtraRow {
  /** `dist[extra]`, names PEP 503-normalised */
  dist: string;
  extra: string;
  provides: string[];
  conf: Confidence;
  source: string;
}

/** What an extra installs (only the distributions a rule may need to know about). */
export const EXTRAS: readonly ExtraRow[] = [
  { dist: 'pydantic', extra: 'email', provides: ['email-validator'], conf: 'V', source: "pydantic METADATA `email-validator>=2.0.0; extra == 'email'` (KNOWLEDGE §4)" },
  { dist: 'passlib', extra: 'bcrypt', provides: ['bcrypt'], conf: 'S', source: 'passlib docs, passlib.hash.bcrypt (KNOWLEDGE §4)' },
  { dist: 'passlib', extra: 'argon2', provides: ['argon2-cffi'], conf: 'S', source: 'passlib docs, passlib.hash.argon2 (KNOWLEDGE §4)' },
  { dist: 'uvicorn', extra: 'standard', provides: ['httptools', 'python-dotenv', 'pyyaml', 'uvloop', 'watchfiles', 'websockets'], conf: 'V', source: 'encode/uvicorn:pyproject.toml `standard` extra (KNOWLEDGE §4)' },
  { dist: 'celery', extra: 'redis', provides: ['redis'], conf: 'V', source: 'celery/celery:setup.py extras (KNOWLEDGE §4)' },
  { dist: 'django', extra: 'argon2', provides: ['argon2-cffi'], conf: 'V', source: 'django/django:pyproject.toml `argon2 = ["argon2-cffi>=23.1.0"]`' },
  { dist: 'django', extra: 'bcrypt', provides: ['bcrypt'], conf: 'V', source: 'django/django:pyproject.toml `bcrypt = ["bcrypt>=4.1.1"]`' },
  { dist: 'flask', extra: 'dotenv', provides: ['python-dotenv'], conf: 'V', source: 'pallets/flask:pyproject.toml `dotenv = ["python-dotenv"]`' },
  { dist: 'flask', extra: 'async', provides: ['asgiref'], conf: 'V', source: 'pallets/flask:pyproject.toml `async` extra' },
  { dist: 'gunicorn', extra: 'gevent', provides: ['gevent'], conf: 'V', source: 'benoitc/gunicorn:pyproject.toml optional-dependencies' },
  { dist: 'gunicorn', extra: 'eventlet', provides: ['eventlet'], conf: 'V', source: 'benoitc/gunicorn:pyproject.toml optional-dependencies' },
  { dist: 'psycopg', extra: 'binary', provides: ['psycopg-binary'], conf: 'V', source: 'https://www.psycopg.org/psycopg3/docs/basic/install.html' },
];

/** The extra's row, or undefined when we do not know what it installs. */
export function extraRow(distKey: string, extra: string): ExtraRow | undefined {
  const e = extra.toLowerCase().replace(/[-_.]+/g, '-');
  return EXTRAS.find((r) => r.dist === distKey && r.extra === e);
}

// ---------------------------------------------------------------- triggers

const PYDANTIC_EMAIL: ImplicitNeed = {
  trigger: 'pydantic `EmailStr` / `NameEmail`',
  dists: ['email-validator'],
  extras: ['pydantic[email]'],
  failure: "ImportError: email-validator is not installed, run `pip install 'pydantic[email]'` (when the model's schema is built, usually at import)",
  conf: 'V',
  source: 'pydantic:pydantic/networks.py `import_email_validator` (KNOWLEDGE §4)',
};

/** `from pydantic import EmailStr` / `pydantic.NameEmail`. */
export function needForPydanticName(name: string): ImplicitNeed | undefined {
  return name === 'EmailStr' || name === 'NameEmail' ? PYDANTIC_EMAIL : undefined;
}

const SQLA_DOCS = 'https://docs.sqlalchemy.org/en/20/core/engines.html#database-urls';
const SQLA_PG = 'https://docs.sqlalchemy.org/en/20/dialects/postgresql.html';
const SQLA_MYSQL = 'https://docs.sqlalchemy.org/en/20/dialects/mysql.html';

interface UrlRow {
  dialect: string;
  /** the driver after `+`; '' = the dialect's default DBAPI */
  driver: string;
  dists: string[];
  conf: Confidence;
  source: string;
}

/** SQLAlchemy `dialect+driver://` → DBAPI distribution (KNOWLEDGE §4). U rows (aiomysql, asyncmy, mysqlconnector's dist name, oracle's 2.x default) are absent. */
const URL_ROWS: readonly UrlRow[] = [
  { dialect: 'postgresql', driver: '', dists: ['psycopg2', 'psycopg2-binary'], conf: 'V', source: `${SQLA_DOCS} ("The PostgreSQL dialect uses psycopg2 as the default DBAPI")` },
  { dialect: 'postgresql', driver: 'psycopg2', dists: ['psycopg2', 'psycopg2-binary'], conf: 'V', source: SQLA_DOCS },
  { dialect: 'postgresql', driver: 'psycopg', dists: ['psycopg'], conf: 'S', source: SQLA_PG },
  { dialect: 'postgresql', driver: 'asyncpg', dists: ['asyncpg'], conf: 'S', source: SQLA_PG },
  { dialect: 'postgresql', driver: 'pg8000', dists: ['pg8000'], conf: 'V', source: SQLA_DOCS },
  { dialect: 'mysql', driver: '', dists: ['mysqlclient'], conf: 'V', source: `${SQLA_DOCS} (default MySQL DBAPI)` },
  { dialect: 'mysql', driver: 'mysqldb', dists: ['mysqlclient'], conf: 'V', source: SQLA_DOCS },
  { dialect: 'mysql', driver: 'pymysql', dists: ['pymysql'], conf: 'S', source: SQLA_MYSQL },
  { dialect: 'mssql', driver: 'pyodbc', dists: ['pyodbc'], conf: 'V', source: SQLA_DOCS },
  { dialect: 'mssql', driver: 'pymssql', dists: ['pymssql'], conf: 'V', source: SQLA_DOCS },
  { dialect: 'oracle', driver: 'cx_oracle', dists: ['cx-oracle'], conf: 'V', source: SQLA_DOCS },
  { dialect: 'oracle', driver: 'oracledb', dists: ['oracledb'], conf: 'V', source: SQLA_DOCS },
];

const URL_RE = /^([a-z][a-z0-9]*)(?:\+([a-z0-9_]+))?:\/\//i;

/**
 * The DBAPI a SQLAlchemy database URL needs. `explicitDriver` tells whether the URL names its
 * driver (`dialect+driver://`, SQLAlchemy's own syntax): a bare `postgresql://` is also what
 * psycopg, asyncpg and Django settings use, so a caller should only apply it where SQLAlchemy
 * reads it.
 */
export function needForDatabaseUrl(url: string): { need: ImplicitNeed; explicitDriver: boolean } | undefined {
  const m = URL_RE.exec(url.trim());
  if (!m) return undefined;
  const dialect = m[1]!.toLowerCase();
  const driver = (m[2] ?? '').toLowerCase();
  const row = URL_ROWS.find((r) => r.dialect === dialect && r.driver === driver);
  if (!row) return undefined;
  const scheme = driver ? `${dialect}+${driver}` : dialect;
  return {
    explicitDriver: driver !== '',
    need: {
      trigger: `SQLAlchemy URL \`${scheme}://\``,
      dists: row.dists,
      extras: [],
      failure: `ModuleNotFoundError: No module named '${moduleOf(row.dists[0]!)}' when the engine is created`,
      conf: row.conf,
      source: row.source,
    },
  };
}

function moduleOf(dist: string): string {
  return ({ psycopg2: 'psycopg2', 'psycopg2-binary': 'psycopg2', mysqlclient: 'MySQLdb', pymysql: 'pymysql', 'cx-oracle': 'cx_Oracle' } as Record<string, string>)[dist] ?? dist.replace(/-/g, '_');
}

/** passlib `CryptContext(schemes=[...])` / `passlib.hash.<scheme>` → backend package. */
export function needForPasslibScheme(scheme: string): ImplicitNeed | undefined {
  const s = scheme.toLowerCase();
  if (s === 'bcrypt' || s === 'bcrypt_sha256')
    return {
      trigger: `passlib scheme "${scheme}"`,
      dists: ['bcrypt'],
      extras: ['passlib[bcrypt]'],
      failure: "passlib.exc.MissingBackendError: bcrypt: no backends available -- recommend you install one (e.g. 'pip install bcrypt')",
      conf: 'S',
      source: 'user reports quoting the passlib message; https://passlib.readthedocs.io/en/stable/lib/passlib.hash.bcrypt.html (KNOWLEDGE §4)',
    };
  if (s === 'argon2')
    return {
      trigger: 'passlib scheme "argon2"',
      dists: ['argon2-cffi'],
      extras: ['passlib[argon2]'],
      failure: 'passlib.exc.MissingBackendError for argon2 on the first hash',
      conf: 'S',
      source: 'https://passlib.readthedocs.io/en/stable/lib/passlib.hash.argon2.html (KNOWLEDGE §4; package S, message U)',
    };
  return undefined;
}

/** gunicorn `-k/--worker-class` values that need another package (KNOWLEDGE §2.1, §4). */
export function needForGunicornWorker(workerClass: string): ImplicitNeed | undefined {
  const w = workerClass.trim();
  const row = (dists: string[], extras: string[], source: string): ImplicitNeed => ({
    trigger: `gunicorn worker class "${w}"`,
    dists,
    extras,
    failure: `gunicorn exits at start: the worker class "${w}" cannot be imported`,
    conf: 'V',
    source,
  });
  if (w === 'uvicorn.workers.UvicornWorker' || w === 'uvicorn.workers.UvicornH11Worker')
    return row(['uvicorn'], [], 'encode/uvicorn:uvicorn/workers.py; deprecated since uvicorn 0.30.0 in favour of uvicorn-worker (KNOWLEDGE §2.1)');
  if (w === 'uvicorn_worker.UvicornWorker' || w === 'uvicorn_worker.UvicornH11Worker') return row(['uvicorn-worker'], [], 'uvicorn docs deployment.md (KNOWLEDGE §2.1)');
  if (w === 'gevent' || w === 'gunicorn.workers.ggevent.GeventWorker') return row(['gevent'], ['gunicorn[gevent]'], 'benoitc/gunicorn:pyproject.toml extras (KNOWLEDGE §2.1)');
  if (w === 'eventlet' || w === 'gunicorn.workers.geventlet.EventletWorker') return row(['eventlet'], ['gunicorn[eventlet]'], 'benoitc/gunicorn:pyproject.toml extras (KNOWLEDGE §2.1)');
  return undefined;
}

/** Django settings strings: database ENGINE and password hashers (KNOWLEDGE §4). */
export function needForDjangoSetting(value: string): ImplicitNeed | undefined {
  const v = value.trim();
  if (v === 'django.db.backends.postgresql' || v === 'django.db.backends.postgresql_psycopg2')
    return {
      trigger: `Django ENGINE "${v}"`,
      dists: ['psycopg', 'psycopg2', 'psycopg2-binary'],
      extras: ['psycopg[binary]'],
      failure: 'django.core.exceptions.ImproperlyConfigured: Error loading psycopg2 or psycopg module',
      conf: 'S',
      source: 'django:django/db/backends/postgresql/base.py; Django ticket #33308 (KNOWLEDGE §4)',
    };
  if (v === 'django.db.backends.mysql')
    return {
      trigger: `Django ENGINE "${v}"`,
      // PyMySQL can stand in through pymysql.install_as_MySQLdb()
      dists: ['mysqlclient', 'pymysql'],
      extras: [],
      failure: 'django.core.exceptions.ImproperlyConfigured: Error loading MySQLdb module',
      conf: 'V',
      source: 'django/db/backends/mysql/base.py (KNOWLEDGE §4)',
    };
  if (v === 'django.contrib.auth.hashers.Argon2PasswordHasher')
    return { trigger: 'Django Argon2PasswordHasher', dists: ['argon2-cffi'], extras: ['django[argon2]'], failure: 'ValueError: Couldn\'t load \'Argon2PasswordHasher\' algorithm library', conf: 'V', source: 'django/django:pyproject.toml extras (KNOWLEDGE §4)' };
  if (v === 'django.contrib.auth.hashers.BCryptSHA256PasswordHasher' || v === 'django.contrib.auth.hashers.BCryptPasswordHasher')
    return { trigger: `Django ${v.slice(v.lastIndexOf('.') + 1)}`, dists: ['bcrypt'], extras: ['django[bcrypt]'], failure: 'ValueError: Couldn\'t load \'BCryptSHA256PasswordHasher\' algorithm library', conf: 'V', source: 'django/django:pyproject.toml extras (KNOWLEDGE §4)' };
  return undefined;
}

/** Celery with a `redis://` / `rediss://` broker or result backend needs the redis client. */
export function needForCeleryUrl(url: string): ImplicitNeed | undefined {
  if (!/^rediss?:\/\//i.test(url.trim())) return undefined;
  return {
    trigger: 'Celery broker/backend `redis://`',
    dists: ['redis'],
    extras: ['celery[redis]'],
    failure: 'ImportError: Missing redis library (pip install redis), when the broker connection is created',
    conf: 'V',
    source: 'celery/kombu:kombu/transport/redis.py (KNOWLEDGE §4)',
  };
}
