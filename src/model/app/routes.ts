/**
 * The HTTP routes each server of a start plan serves (`ServerFact.routes`), and the query rules
 * ask of them (`matchPath`).
 *
 * Linking: the server's application (`ServerFact.app`: gunicorn/uvicorn/hypercorn/daphne
 * `pkg.mod:attr`, `pkg.mod:create_app()`, uvicorn `--factory`; `flask run`'s `--app`/FLASK_APP or
 * its `wsgi.py`/`app.py` discovery; `manage.py runserver`'s settings; the node script) is looked up
 * in the image the service runs: under the server's working directory (`--chdir`, `--app-dir`) and
 * PYTHONPATH, through bind mounts and COPY/ADD back to repository files (python-modules.ts, the one
 * module resolution the runtime facts use too; py-project.ts follows names across the modules it
 * finds). The settings module a Django server loads is selected by django.ts's `selectSettings`. The
 * object found decides the framework: a FastAPI/Starlette or Flask object (routes-python.ts), a
 * Django `get_wsgi_application()`/`get_asgi_application()` (routes-django.ts), an Express app
 * (routes-express.ts).
 *
 * Nothing here reads files except through the `read` function build-model passes (Discovery's
 * reader), and nothing throws: a server whose app cannot be found gets no route set.
 */
import { posix } from 'node:path';
import type { Location } from '../../core/location.js';
import type { SourceFile } from '../../core/source-file.js';
import type { EnvironmentModel, RepoTree, ServerFact, ServiceModel, StartPlan, StartStep } from '../types.js';
import { chainSettings, importChain, selectSettings, type SelectionInput } from './django.js';
import { PyLoader, Resolver, type LoadedModule, type ModuleSource, type Value } from './py-project.js';
import { parseScopes, type RModule } from './py-scopes.js';
import type { AppRoute, PathMatch, RouteSet, TrailingSlash } from './route-types.js';
import { DjangoCollector, settingString, settingsVars } from './routes-django.js';
import { expressRoutes, type JsReader } from './routes-express.js';
import { Collector, scanUses } from './routes-python.js';
import { NO_INSTALLED, pathPresence, resolveModule, serverSearchPath, serviceImageView, type ImageView, type SearchEntry } from './python-modules.js';

export type * from './route-types.js';

type Tree = Pick<RepoTree, 'files' | 'dirs'>;
type Read = (path: string) => SourceFile | undefined;

const PY_SERVERS = new Set<ServerFact['kind']>(['gunicorn', 'uvicorn', 'hypercorn', 'daphne', 'flask', 'django-runserver']);
const NODE_SERVERS = new Set<ServerFact['kind']>(['node', 'nodemon']);

/** Set `routes` on every server of every start plan whose application drydock can read. */
export async function addRoutes(environments: readonly EnvironmentModel[], tree: Tree, read: Read): Promise<void> {
  const parsed = new Map<string, Promise<RModule | undefined>>();
  const parse = (path: string): Promise<RModule | undefined> => {
    let p = parsed.get(path);
    if (!p) {
      const src = read(path);
      p = src ? parseScopes(src).catch(() => undefined) : Promise.resolve(undefined);
      parsed.set(path, p);
    }
    return p;
  };
  const js: JsReader = { tree, read };
  for (const env of environments)
    for (const svc of env.services) {
      const plan = svc.start;
      if (!plan) continue;
      const view = serviceImageView({ tree }, svc);
      for (const server of plan.servers) {
        try {
          let set: RouteSet | undefined;
          if (PY_SERVERS.has(server.kind)) set = await pythonRoutes(svc, plan, server, view, read, parse);
          else if (NODE_SERVERS.has(server.kind)) set = expressRoutes(svc, plan, server, js, (p) => repoFile(view, p));
          if (set) server.routes = set;
        } catch {
          // a model fact that cannot be built is left out; rules stay silent
        }
      }
    }
}

// ---------------------------------------------------------------------------------------------
// the image's files

/** The repository file at an absolute path in the service's container (bind mount, else the image's COPY/ADD). */
function repoFile(view: ImageView, imagePath: string): string | undefined {
  const pr = pathPresence(view, imagePath);
  return pr.exists === true && pr.kind === 'file' ? pr.repoPath : undefined;
}

function envOf(svc: ServiceModel, name: string): string | null | undefined {
  const c = svc.env.get(name);
  if (c) return c.value;
  return svc.runtime.stage?.env.get(name)?.value;
}

/** Modules as the image's Python finds them on `search` (python-modules.ts), for the loader. */
function moduleSource(view: ImageView, search: SearchEntry[], parse: (p: string) => Promise<RModule | undefined>): ModuleSource {
  const cache = new Map<string, { path: string; isPackage: boolean } | undefined>();
  return {
    find(dotted) {
      if (cache.has(dotted)) return cache.get(dotted);
      const r = resolveModule(view, dotted, search, NO_INSTALLED);
      const out = r.status === 'found' && r.repoPath && r.imagePath ? { path: r.repoPath, isPackage: r.imagePath.endsWith('/__init__.py') } : undefined;
      cache.set(dotted, out);
      return out;
    },
    parse,
  };
}

// ---------------------------------------------------------------------------------------------
// Python servers

interface AppSpec {
  module: string;
  /** attribute names to try, in order (`app`, `application`) */
  attrs: string[];
  /** call the attribute (`create_app()`, uvicorn --factory) */
  call: boolean;
  /** Flask's discovery: any single Flask object, then create_app/make_app */
  discover?: boolean;
  /** an extra sys.path entry (a FLASK_APP file path's directory) */
  dir?: string;
}

function appSpec(server: ServerFact, plan: StartPlan, svc: ServiceModel): AppSpec[] {
  const step = plan.steps[server.step];
  const app = server.app;
  const argv = step?.argv ?? [];
  switch (server.kind) {
    case 'gunicorn':
    case 'uvicorn':
    case 'hypercorn':
    case 'daphne': {
      if (!app || app.includes('$')) return [];
      const [mod, attr] = app.split(':', 2) as [string, string | undefined];
      const def = server.kind === 'gunicorn' ? 'application' : 'app';
      const name = (attr ?? def).replace(/\(.*\)\s*$/, '');
      const call = (attr?.includes('(') ?? false) || (server.kind === 'uvicorn' && argv.includes('--factory'));
      if (!/^[A-Za-z_][\w.]*$/.test(mod) || !/^[A-Za-z_]\w*$/.test(name)) return [];
      return [{ module: mod, attrs: [name], call }];
    }
    case 'flask': {
      const spec = app ?? undefined;
      if (spec === undefined) {
        // flask/cli.py locate_app: FLASK_APP unset → wsgi.py, then app.py
        if (envOf(svc, 'FLASK_APP') === null) return [];
        return [{ module: 'wsgi', attrs: ['app', 'application'], call: false, discover: true }, { module: 'app', attrs: ['app', 'application'], call: false, discover: true }];
      }
      if (spec.includes('$')) return [];
      const [path, attr] = spec.split(':', 2) as [string, string | undefined];
      let module = path;
      let dir: string | undefined;
      if (path.endsWith('.py') || path.includes('/')) {
        const clean = path.replace(/\.py$/, '');
        const parts = clean.split('/').filter((p) => p && p !== '.');
        module = parts.pop() ?? '';
        if (parts.length) dir = parts.join('/');
      }
      if (!/^[A-Za-z_][\w.]*$/.test(module)) return [];
      if (attr) {
        const name = attr.replace(/\(.*\)\s*$/, '');
        if (!/^[A-Za-z_]\w*$/.test(name)) return [];
        return [{ module, attrs: [name], call: attr.includes('('), ...(dir ? { dir } : {}) }];
      }
      return [{ module, attrs: ['app', 'application'], call: false, discover: true, ...(dir ? { dir } : {}) }];
    }
    default:
      return [];
  }
}

async function pythonRoutes(svc: ServiceModel, plan: StartPlan, server: ServerFact, view: ImageView, read: Read, parse: (p: string) => Promise<RModule | undefined>): Promise<RouteSet | undefined> {
  const step = plan.steps[server.step];
  if (!step) return undefined;
  const { cwd, search: baseSearch } = serverSearchPath(server, step, envOf(svc, 'PYTHONPATH'));
  const py: PyEnv = { svc, step, view, read, parse };
  if (server.kind === 'django-runserver') {
    // python manage.py runserver: manage.py is argv[1] (or the program itself); its directory is sys.path[0]
    const script = step.argv.find((a) => /(?:^|\/)manage\.py$/.test(a));
    const imagePath = script ? posix.resolve(step.cwd, script) : undefined;
    const repo = imagePath ? repoFile(view, imagePath) : undefined;
    const mod = repo ? await parse(repo) : undefined;
    const entry = mod ? { dotted: '__main__', path: repo!, isPackage: false, mod } : undefined;
    const search: SearchEntry[] = imagePath && repo ? [{ dir: posix.dirname(imagePath), why: 'the directory of manage.py' }, ...baseSearch.slice(1)] : baseSearch;
    return djangoRoutes(py, search, entry, entry ? [entry.path] : []);
  }
  for (const spec of appSpec(server, plan, svc)) {
    const search: SearchEntry[] = spec.dir ? [{ dir: posix.join(cwd, spec.dir), why: 'the FLASK_APP directory' }, ...baseSearch] : baseSearch;
    const loader = new PyLoader(moduleSource(view, search, parse));
    const lm = await loader.load(spec.module);
    if (!lm) continue;
    await loader.closure([spec.module]);
    const r = new Resolver(loader);
    let value: Value | undefined;
    let attr = spec.attrs.find((a) => r.name(lm, '', a) !== undefined);
    if (attr) value = r.name(lm, '', attr);
    if (value?.t === 'func' && spec.call) value = r.returned(value.lm, value.scope, 0);
    if (spec.discover && value?.t !== 'obj') {
      // flask/cli.py find_best_app: a single Flask instance at module level, then create_app/make_app
      const flasks = [...new Set((lm.mod.scopes.get('')?.stmts ?? []).flatMap((s) => (s.kind === 'assign' && !s.target.includes('.') ? [s.target] : [])))]
        .map((n) => [n, r.name(lm, '', n)] as const)
        .filter(([, v]) => v?.t === 'obj' && v.obj.kind === 'flask');
      if (flasks.length === 1) [attr, value] = [flasks[0]![0], flasks[0]![1]];
      else {
        for (const f of ['create_app', 'make_app']) {
          const fn = r.name(lm, '', f);
          if (fn?.t === 'func') {
            attr = `${f}()`;
            value = r.returned(fn.lm, fn.scope, 0);
            break;
          }
        }
      }
    }
    if (!value) continue;
    const label = `${spec.module}:${attr ?? spec.attrs[0]}`;
    if (value.t === 'obj' && (value.obj.kind === 'fastapi' || value.obj.kind === 'starlette' || value.obj.kind === 'flask')) {
      const uses = scanUses(loader.modules(), r);
      const c = new Collector(uses, r);
      c.app(value.obj);
      if (lm.mod.hasErrors) c.gap(`${lm.path} has syntax errors`, { file: lm.path });
      const framework = value.obj.kind === 'flask' ? 'flask' : value.obj.kind === 'fastapi' ? 'fastapi' : 'starlette';
      return finish({
        framework, app: label, module: value.obj.lm.path, loc: value.obj.loc, routes: c.out.routes, opaque: c.out.opaque, interceptors: c.out.interceptors,
        trailingSlash: c.out.trailingSlash, gaps: c.out.gaps, files: [...c.out.files],
      });
    }
    if (isDjangoHandler(lm, attr ?? '', value, r)) return djangoRoutes(py, search, lm, importChain({ files: { read }, view, search, installed: NO_INSTALLED }, spec.module));
    return undefined;
  }
  return undefined;
}

/** `application = get_wsgi_application()` / `get_asgi_application()`, or a Channels router whose "http" is one. */
function isDjangoHandler(lm: LoadedModule, attr: string, v: Value, r: Resolver): boolean {
  const django = (x: Value | undefined): boolean => x?.t === 'ext' && !!x.call && /^django\.core\.(?:wsgi\.get_wsgi_application|asgi\.get_asgi_application|handlers\.wsgi\.WSGIHandler)$/.test(x.qname);
  if (django(v)) return true;
  if (v.t !== 'ext' || !/^channels\.routing\.ProtocolTypeRouter$/.test(v.qname)) return false;
  const asg = [...(lm.mod.scopes.get('')?.stmts ?? [])].reverse().find((s) => s.kind === 'assign' && s.target === attr);
  const call = asg?.kind === 'assign' && asg.value.kind === 'call' ? asg.value : undefined;
  const map = call?.args[0];
  if (map?.kind !== 'dict') return false;
  const http = map.entries.find((e) => e.key.kind === 'str' && e.key.value === 'http');
  return !!http && django(r.expr(lm, '', http.value));
}

interface PyEnv {
  svc: ServiceModel;
  step: StartStep;
  view: ImageView;
  read: Read;
  parse: (p: string) => Promise<RModule | undefined>;
}

/**
 * DJANGO_SETTINGS_MODULE as the process sees it, by django.ts's `selectSettings` (Django's order):
 * `--settings`, an assignment in the code `chain` Python runs, a `DJANGO_SETTINGS_MODULE=x` word
 * of the command (`env`, gunicorn `--env`), the environment, then the first `setdefault` in `chain`.
 */
function settingsModule(py: PyEnv, chain: readonly string[]): string | undefined {
  const { argv, loc } = py.step;
  const input: SelectionInput = { code: chainSettings({ read: py.read }, chain) };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const flag = a.startsWith('--settings=') ? a.slice('--settings='.length) : a === '--settings' ? argv[i + 1] : undefined;
    if (flag) input.flag = { module: flag, loc };
    const m = /^DJANGO_SETTINGS_MODULE=(.*)$/.exec(a);
    if (m) input.commandEnv = { value: m[1]!.includes('$') ? null : m[1]!, loc };
  }
  const env = envOf(py.svc, 'DJANGO_SETTINGS_MODULE');
  if (env !== undefined) input.variable = { value: env?.includes('$') ? null : env, loc, from: 'environment', overrode: [] };
  const sel = selectSettings(input);
  return sel.status === 'set' ? sel.module : undefined;
}

async function djangoRoutes(py: PyEnv, search: SearchEntry[], entry: LoadedModule | undefined, chain: readonly string[]): Promise<RouteSet | undefined> {
  const loader = new PyLoader(moduleSource(py.view, search, py.parse));
  const settings = settingsModule(py, entry && !chain.includes(entry.path) ? [entry.path, ...chain] : chain);
  const vars = settings ? await settingsVars(loader, settings) : undefined;
  const settingsLm = settings ? loader.get(settings) : undefined;
  const urlconf = settingString(vars, 'ROOT_URLCONF');
  if (!urlconf) return undefined;
  const r = new Resolver(loader);
  const rootLm = await loader.load(urlconf);
  if (!rootLm) return undefined;
  const patterns = rootLm.mod.scopes.get('')?.stmts.find((st) => st.kind === 'assign' && st.target === 'urlpatterns');
  const rootLoc: Location = patterns?.kind === 'assign' ? patterns.loc : { file: rootLm.path };
  const c = new DjangoCollector(loader, r, vars, rootLoc);
  const mwAt = settingsLm?.mod.scopes.get('')?.stmts.find((st) => st.kind === 'assign' && st.target === 'MIDDLEWARE');
  const settingsLoc: Location = mwAt?.kind === 'assign' ? mwAt.loc : settingsLm ? { file: settingsLm.path } : rootLoc;
  await c.middleware(settingsLoc);
  await c.urlconf(urlconf, rootLoc);
  if (settingsLm) c.out.files.add(settingsLm.path);
  return finish({
    framework: 'django', app: urlconf, module: rootLm.path, loc: rootLoc, routes: c.out.routes, opaque: c.out.opaque, interceptors: c.out.interceptors,
    trailingSlash: c.out.trailingSlash, gaps: c.out.gaps, files: [...c.out.files].sort(),
  });
}

function finish(s: Omit<RouteSet, 'complete'>): RouteSet {
  return { ...s, complete: s.gaps.length === 0 };
}

// ---------------------------------------------------------------------------------------------
// the query

function test(re: string, path: string, ignoreCase?: boolean): boolean {
  try {
    return new RegExp(re, ignoreCase ? 'i' : '').test(path);
  } catch {
    return false;
  }
}

function matching(set: RouteSet, path: string): AppRoute[] {
  return set.routes.filter((r) => test(r.regex, path, r.ignoreCase));
}

/** The request path of a URL path as routers see it: percent-decoded, without query or fragment. */
export function requestPath(urlPath: string): string {
  const p = urlPath.replace(/[?#].*$/, '') || '/';
  try {
    return decodeURIComponent(p);
  } catch {
    return p;
  }
}

const REDIRECT_STATUS: Record<RouteSet['framework'], string> = {
  fastapi: '307', starlette: '307', flask: '308 (301 before Werkzeug 2.1)', django: '301', express: '',
};

/**
 * What the app does with a request path. `missing` only when the set is complete, no route or
 * opaque prefix covers the path and no trailing-slash redirect applies. Interceptors are not
 * consulted here (see `interceptorsMention`).
 */
export function matchPath(set: RouteSet, urlPath: string): PathMatch {
  if (!set.complete) return { kind: 'unknown', why: set.gaps[0]?.reason ?? 'the routes are not all known' };
  const path = requestPath(urlPath);
  const hits = matching(set, path);
  if (hits.length) {
    const any = hits.some((h) => !h.methods);
    const methods = any ? undefined : [...new Set(hits.flatMap((h) => h.methods!))];
    return methods ? { kind: 'served', routes: hits, methods } : { kind: 'served', routes: hits };
  }
  const opaque = set.opaque.find((o) => test(o.regex, path));
  if (opaque) return { kind: 'unknown', why: `${path} is under ${opaque.prefix}, served by ${opaque.what}` };
  const other = path === '/' ? undefined : path.endsWith('/') ? path.replace(/\/+$/, '') : `${path}/`;
  if (other !== undefined && other !== '') {
    const slashHits = matching(set, other);
    const slashOpaque = set.opaque.some((o) => test(o.regex, other));
    const ts: TrailingSlash = set.trailingSlash;
    const applies = ts === 'redirect-both' || (ts === 'redirect-add' && other.endsWith('/'));
    if (slashHits.length && applies) return { kind: 'redirect', to: other, status: REDIRECT_STATUS[set.framework], routes: slashHits };
    if ((slashHits.length || slashOpaque) && (ts === 'unknown' || (applies && slashOpaque))) return { kind: 'unknown', why: `${other} exists and the trailing-slash behaviour is not known` };
  }
  return { kind: 'missing' };
}

/**
 * Interceptors that may answer a request for this path themselves: their code mentions the path's
 * last segment, or reads the request path or URL at all (`request.path`, `req.url`, `scope["path"]`),
 * or cannot be read. Code that never looks at the path cannot single it out.
 */
export function interceptorsMayAnswer(set: RouteSet, urlPath: string, sources: ReadonlyMap<string, SourceFile>): RouteSet['interceptors'] {
  const seg = requestPath(urlPath).split('/').filter(Boolean).pop();
  return set.interceptors.filter((i) => {
    const src = sources.get(i.loc.file);
    if (!src || i.loc.startLine === undefined) return true;
    const start = src.offsetOf(i.loc.startLine, i.loc.startColumn ?? 1);
    const end = i.loc.endLine === undefined ? src.text.length : src.offsetOf(i.loc.endLine, i.loc.endColumn ?? 1);
    const text = src.text.slice(start, end);
    return seg === undefined || text.includes(seg) || /\b(?:path_info|path|url|raw_path|full_path|originalUrl|baseUrl)\b/.test(text);
  });
}
