/**
 * The application's Python code as the image holds it: the build context's `.py` files that a
 * COPY brings in (and .dockerignore lets through), minus tests, docs, migrations and helper
 * scripts, scanned for imports and for features that need an extra package (pydantic EmailStr,
 * SQLAlchemy URLs, passlib schemes, Django ENGINE/hashers, gunicorn worker classes).
 */
import { posix } from 'node:path';
import type { Location } from '../../core/location.js';
import type { SourceFile } from '../../core/source-file.js';
import {
  needForCeleryUrl,
  needForDatabaseUrl,
  needForDjangoSetting,
  needForGunicornWorker,
  needForPasslibScheme,
  needForPydanticName,
  type ImplicitNeed,
} from '../../knowledge/implicit-deps.js';
import { scanPythonModule, type PythonModuleFacts } from '../../parse/python/imports.js';
import type { ContextSource } from '../build-context.js';
import type { DockerignoreModel } from '../types.js';
import type { PythonAppFacts } from './types.js';

/** Folders whose code is not what the service runs. */
const SKIP_DIRS = new Set([
  'test', 'tests', 'testing', '__tests__', 'docs', 'doc', 'examples', 'example', 'migrations', 'alembic', 'scripts', 'tools',
  'bin', 'benchmarks', 'bench', 'notebooks', 'fixtures', 'e2e', 'integration_tests', 'unit_tests', 'site-packages', 'node_modules',
]);
const SKIP_FILES = /^(?:test_.*|.*_test|conftest|setup|noxfile|fabfile|tasks|manage_test|tests?)\.py$/;
const MAX_FILES = 3000;
const MAX_BYTES = 1_000_000;

const SQLA = new Set(['sqlalchemy', 'flask_sqlalchemy', 'sqlmodel', 'databases', 'alembic']);
const WORKER_STRING = /^(?:uvicorn\.workers\.Uvicorn(?:H11)?Worker|uvicorn_worker\.Uvicorn(?:H11)?Worker|gunicorn\.workers\.(?:ggevent\.GeventWorker|geventlet\.EventletWorker))$/;
const URL_STRING = /^[a-z][a-z0-9]*(?:\+[a-z0-9_]+)?:\/\//i;

export type ModuleScanner = (path: string) => Promise<PythonModuleFacts | undefined>;

/** A scanner that parses each file once. */
export function moduleScanner(read: (path: string) => SourceFile | undefined): ModuleScanner {
  const cache = new Map<string, Promise<PythonModuleFacts | undefined>>();
  return (path) => {
    let p = cache.get(path);
    if (!p) {
      p = (async () => {
        const src = read(path);
        if (!src || src.text.length > MAX_BYTES) return undefined;
        try {
          return await scanPythonModule(src, {
            wantString: (s) => URL_STRING.test(s) || s.startsWith('django.') || WORKER_STRING.test(s) || s === 'gevent' || s === 'eventlet',
            wantCall: (n) => n === 'CryptContext',
          });
        } catch {
          return undefined;
        }
      })();
      cache.set(path, p);
    }
    return p;
  };
}

/** Is the context-relative path brought into the image by one of the COPY sources? */
function copied(rel: string, sources: readonly ContextSource[]): boolean {
  return sources.some((s) => {
    if (s.rel === '.') return true;
    if (s.glob) {
      const re = globRe(s.rel);
      const parts = rel.split('/');
      for (let n = 1; n <= parts.length; n++) if (re.test(parts.slice(0, n).join('/'))) return true;
      return false;
    }
    return rel === s.rel || rel.startsWith(`${s.rel}/`);
  });
}

function globRe(p: string): RegExp {
  let re = '';
  for (const ch of p) re += ch === '*' ? '[^/]*' : ch === '?' ? '[^/]' : /[.+^${}()|\\]/.test(ch) ? `\\${ch}` : ch;
  return new RegExp(`^${re}$`);
}

export async function pythonAppFacts(
  /** the repository files under the context, sorted */
  files: readonly string[],
  context: string,
  sources: readonly ContextSource[],
  dockerignore: DockerignoreModel | undefined,
  scan: ModuleScanner,
  readText: (path: string) => SourceFile | undefined,
): Promise<PythonAppFacts | undefined> {
  const prefix = context ? `${context}/` : '';
  const local = new Set<string>();
  const app: string[] = [];
  for (const f of files) {
    if (context && !f.startsWith(prefix)) continue;
    const rel = f.slice(prefix.length);
    const parts = rel.split('/');
    // every directory and module stem in the context can be imported locally (src layouts, sys.path tweaks)
    for (const d of parts.slice(0, -1)) local.add(d);
    const name = parts[parts.length - 1]!;
    if (name.endsWith('.py')) local.add(name.slice(0, -3));
    else if (/\.(?:so|pyd)$/.test(name)) local.add(name.split('.')[0]!);
    if (!name.endsWith('.py')) continue;
    if (parts.slice(0, -1).some((d) => SKIP_DIRS.has(d) || d.startsWith('.'))) continue;
    if (SKIP_FILES.test(name)) continue;
    if (dockerignore?.excludes(rel)) continue;
    if (!copied(rel, sources)) continue;
    app.push(f);
  }
  if (!app.length) return undefined;
  const facts: PythonAppFacts = { files: app.slice(0, MAX_FILES), imports: [], needs: [], localModules: local, usesSqlalchemy: false, usesCelery: false };
  const scanned = (await Promise.all(facts.files.map((f) => scan(f)))).filter((x): x is PythonModuleFacts => x !== undefined);
  for (const m of scanned) {
    const tops = new Set(m.imports.map((i) => i.top));
    if ([...tops].some((t) => SQLA.has(t))) facts.usesSqlalchemy = true;
    if (tops.has('celery')) facts.usesCelery = true;
  }
  for (const m of scanned) {
    for (const i of m.imports) facts.imports.push({ ...i, file: m.file });
    const add = (need: ImplicitNeed | undefined, loc: Location): void => {
      if (need) facts.needs.push({ need, loc });
    };
    const tops = new Set(m.imports.map((i) => i.top));
    const sqla = [...tops].some((t) => SQLA.has(t));
    for (const i of m.imports) {
      if (i.optional || i.conditional) continue;
      if (i.top === 'pydantic') for (const n of i.names) add(needForPydanticName(n), i.loc);
      if (i.module === 'passlib.hash') for (const n of i.names) add(needForPasslibScheme(n), i.loc);
    }
    if (tops.has('pydantic')) {
      // `pydantic.EmailStr` used through the module
      const src = readText(m.file);
      const hit = src ? /\bpydantic\.(EmailStr|NameEmail)\b/.exec(src.text) : null;
      if (src && hit) add(needForPydanticName(hit[1]!), src.location(hit.index, hit.index + hit[0].length));
    }
    for (const s of m.strings) {
      if (URL_STRING.test(s.value)) {
        const db = needForDatabaseUrl(s.value);
        if (db && (db.explicitDriver || sqla)) add(db.need, s.loc);
        if (tops.has('celery')) add(needForCeleryUrl(s.value), s.loc);
      } else if (s.value.startsWith('django.')) add(needForDjangoSetting(s.value), s.loc);
      else if (WORKER_STRING.test(s.value)) add(needForGunicornWorker(s.value), s.loc);
      else if ((s.value === 'gevent' || s.value === 'eventlet') && /^gunicorn[\w.-]*\.py$/.test(posix.basename(m.file))) add(needForGunicornWorker(s.value), s.loc);
    }
    for (const call of m.calls) for (const scheme of call.keywords.get('schemes') ?? []) add(needForPasslibScheme(scheme), call.loc);
  }
  return facts;
}
