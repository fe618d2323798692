/**
 * Read the application: find the Python modules that define Pydantic settings (text contains
 * `BaseSettings`), settings-like modules that read the environment (`settings.py`, `config.py`,
 * `settings/*.py`), and modules that guard production on settings; parse them with
 * tree-sitter-python; resolve the settings schema, environment reads and production guards; and
 * link each service whose build context contains the modules to that part of the app.
 *
 * Cheap by design: every `.py` file is checked with `includes` before anything is parsed, and
 * only files through the Discovery reader are read (tests and migrations are skipped). JavaScript
 * and TypeScript files add their `process.env` reads (`node-env.ts`), tokenized only when their
 * text mentions `process.env`.
 */
import type { Location } from '../../core/location.js';
import type { SourceFile } from '../../core/source-file.js';
import { dottedName } from '../../parse/python/expr.js';
import type { PyModule } from '../../parse/python/module-types.js';
import { parsePython } from '../../parse/python/parse-python.js';
import type { EnvironmentModel, ParseProblem, ServiceModel } from '../types.js';
import { toGuard, type SettingsRoots } from './guards.js';
import { isAppJsFile, nodeEnvReads } from './node-env.js';
import { ClassIndex, isSettingsClass, resolveSettings, type ClassRef } from './settings.js';
import type { AppModel, EnvRead, ProductionGuard, ServiceApp, SettingsClass } from './types.js';

export interface AppInput {
  /** every file of the scanned tree (relative paths) */
  files: ReadonlySet<string>;
  /** the Discovery reader: undefined when the file is missing or unreadable */
  read(path: string): SourceFile | undefined;
  /** shell scripts and Dockerfiles whose `$VAR` uses count as reads */
  scripts?: Iterable<SourceFile>;
}

export interface AppBuild {
  app?: AppModel;
  /** the modules parsed, for code frames and suppression comments */
  sources: Map<string, SourceFile>;
  problems: ParseProblem[];
}

const SKIP_DIR = /(?:^|\/)(?:tests?|testing|migrations|alembic|__pycache__|node_modules|site-packages|\.venv|venv|\.tox|docs?)\//;
const SKIP_FILE = /(?:^|\/)(?:test_[^/]*|[^/]*_tests?|conftest|setup|noxfile|fabfile)\.py$/;
const SETTINGS_LIKE = /(?:^|\/)(?:(?:settings|config|conf|configuration)\.py|(?:settings|config|conf)\/[^/]+\.py)$/;
const DJANGO_SHARED = new Set(['__init__', 'base', 'common', 'default', 'defaults', 'shared', 'core', 'components', 'global']);
const UPPER_LITERAL = /["']([A-Z][A-Z0-9_]*[A-Z0-9])["']/g;
const SHELL_USE = /\$\{?([A-Za-z_][A-Za-z0-9_]*)/g;
const MAX_MENTIONS = 3;

export function isAppPythonFile(path: string): boolean {
  return path.endsWith('.py') && !SKIP_DIR.test(path) && !SKIP_FILE.test(path);
}

export async function buildApp(input: AppInput): Promise<AppBuild> {
  const built = await buildPythonApp(input);
  // Node: `process.env` reads, envalid and zod schemas of JavaScript/TypeScript files
  const nodeReads: EnvRead[] = [];
  for (const p of [...input.files].filter(isAppJsFile).sort()) {
    const src = input.read(p);
    if (!src) continue;
    const reads = nodeEnvReads(src);
    if (!reads.length) continue;
    nodeReads.push(...reads);
    if (!built.sources.has(p)) built.sources.set(p, src);
  }
  if (!nodeReads.length) return built;
  if (built.app) built.app.envReads.push(...nodeReads);
  else built.app = { settings: [], envReads: nodeReads, guards: [], modules: [], mentioned: new Map() };
  return built;
}

async function buildPythonApp(input: AppInput): Promise<AppBuild> {
  const sources = new Map<string, SourceFile>();
  const problems: ParseProblem[] = [];
  const pyFiles = [...input.files].filter(isAppPythonFile).sort();
  const texts = new Map<string, SourceFile>();
  const mentioned = new Map<string, Location[]>();
  const mention = (name: string, loc: Location): void => {
    const list = mentioned.get(name) ?? [];
    if (list.length < MAX_MENTIONS) list.push(loc);
    mentioned.set(name, list);
  };
  const toParse: string[] = [];
  for (const p of pyFiles) {
    const src = input.read(p);
    if (!src) continue;
    texts.set(p, src);
    const t = src.text;
    if (t.includes('BaseSettings') || (SETTINGS_LIKE.test(p) && (t.includes('environ') || t.includes('getenv')))) toParse.push(p);
  }
  if (!toParse.length) return { sources, problems };
  for (const src of texts.values()) for (const m of src.text.matchAll(UPPER_LITERAL)) mention(m[1]!, src.location(m.index + 1, m.index + 1 + m[1]!.length));
  for (const s of input.scripts ?? []) for (const m of s.text.matchAll(SHELL_USE)) mention(m[1]!, s.location(m.index, m.index + m[0].length));

  const modules: PyModule[] = [];
  const parse = async (p: string): Promise<boolean> => {
    const src = texts.get(p)!;
    try {
      modules.push(await parsePython(src));
      sources.set(p, src);
      return true;
    } catch (e) {
      problems.push({ message: `cannot parse Python: ${(e as Error).message}`, loc: { file: p }, kind: 'Python module' });
      return false;
    }
  };
  for (const p of toParse) if (!(await parse(p))) return { sources, problems };
  // subclasses of the app's own settings bases (`class ProdSettings(AppSettings)`) in other modules
  const parsedSet = new Set(toParse);
  for (let round = 0; round < 3; round++) {
    const idx = new ClassIndex(modules);
    const bases = [...new Set(idx.all().filter((r) => isSettingsClass(r, idx)).map((r) => r.cls.name))];
    if (!bases.length) break;
    const subclass = new RegExp(`\\bclass\\s+\\w+\\s*\\([^)]*\\b(?:${bases.join('|')})\\b`);
    const more = [...texts.keys()].filter((p) => !parsedSet.has(p) && subclass.test(texts.get(p)!.text));
    if (!more.length) break;
    for (const p of more) {
      parsedSet.add(p);
      toParse.push(p);
      await parse(p);
    }
  }

  // settings instances and factories, to find guards in other modules (`from .settings import settings`)
  let index = new ClassIndex(modules);
  const instanceNames = new Set<string>();
  for (const m of modules) {
    for (const a of m.assignments) if (a.value?.kind === 'call' && isSettingsRef(dottedName(a.value.func), m, index)) instanceNames.add(a.name);
    for (const c of m.calls) if (c.returned && c.functionName && isSettingsRef(c.callee, m, index)) instanceNames.add(c.functionName);
  }
  if (instanceNames.size) {
    for (const [p, src] of texts) {
      if (parsedSet.has(p)) continue;
      const t = src.text;
      if (!/\braise\b|exit\(/.test(t) || !/prod|live/i.test(t)) continue;
      if (![...instanceNames].some((n) => t.includes(n))) continue;
      await parse(p);
    }
    index = new ClassIndex(modules);
  }

  const settings = selectSettings(index, texts);
  const byName = new Map(settings.map((s) => [s.name, s] as const));
  const guards: ProductionGuard[] = [];
  for (const m of modules) {
    const roots = rootsFor(m, index, modules);
    for (const ir of m.ifRaises) {
      const g = toGuard(ir, m, roots, byName, index);
      if (g) guards.push(g);
    }
  }
  const envReads: EnvRead[] = modules.flatMap((m) => m.envReads.map((r) => envRead(m, r)));
  return {
    app: { settings, envReads, guards, modules: modules.map((m) => m.path).sort(), mentioned },
    sources,
    problems,
  };
}

function isSettingsRef(callee: string | undefined, m: PyModule, index: ClassIndex): boolean {
  if (!callee) return false;
  const ref = index.find(callee, m);
  return !!ref && isSettingsClass(ref, index);
}

/**
 * The settings classes the app uses: instantiated in a parsed module, or named in another
 * module of the app. A class that only serves as a base of another used class is left out (its
 * fields are part of the subclass).
 */
function selectSettings(index: ClassIndex, texts: ReadonlyMap<string, SourceFile>): SettingsClass[] {
  const candidates = index.all().filter((r) => !r.cls.outer && isSettingsClass(r, index));
  const out: SettingsClass[] = [];
  const used = new Map<ClassRef, Location[]>();
  const opaque = new Map<ClassRef, string>();
  for (const r of candidates) {
    const locs: Location[] = [];
    for (const m of index.modules)
      for (const c of m.calls) {
        if (index.find(c.callee, m) !== r || c.callee.split('.').pop() !== r.cls.name) continue;
        locs.push(c.loc);
        if (c.kwargs.length || c.positional) opaque.set(r, `${r.cls.name} is constructed with arguments at ${c.loc.file}:${c.loc.startLine}`);
      }
    if (!locs.length) {
      const word = new RegExp(`\\b${r.cls.name}\\b`);
      for (const [p, src] of texts) {
        if (p === r.module.path) continue;
        const i = src.text.search(word);
        if (i >= 0) {
          locs.push(src.location(i, i + r.cls.name.length));
          break;
        }
      }
    }
    if (locs.length) used.set(r, locs);
  }
  const bases = new Set<PyModule['classes'][number]>();
  for (const r of used.keys())
    for (const b of r.cls.bases) {
      const base = index.find(b, r.module);
      if (base && base.cls !== r.cls) bases.add(base.cls);
    }
  for (const [r, locs] of used) {
    const instantiated = locs.some((l) => index.modules.some((m) => m.calls.some((c) => c.loc === l)));
    if (bases.has(r.cls) && !instantiated) continue;
    const s = resolveSettings(r, index);
    s.usedAt = locs;
    const why = opaque.get(r);
    if (why && !s.opaque) s.opaque = why;
    out.push(s);
  }
  return out.sort((a, b) => (a.module < b.module ? -1 : a.module > b.module ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Names in a module that hold a settings instance, and functions that return one. */
function rootsFor(m: PyModule, index: ClassIndex, modules: readonly PyModule[]): SettingsRoots {
  const names = new Map<string, string>();
  const factories = new Map<string, string>();
  const classOf = (callee: string | undefined, from: PyModule): string | undefined => {
    if (!callee) return undefined;
    const ref = index.find(callee, from);
    return ref && isSettingsClass(ref, index) ? ref.cls.name : undefined;
  };
  // every module's instances and factories, by name (imports bind them elsewhere)
  const globalNames = new Map<string, string>();
  const globalFactories = new Map<string, string>();
  for (const mod of modules) {
    for (const c of mod.calls) {
      const cls = c.returned && c.functionName ? classOf(c.callee, mod) : undefined;
      if (cls) globalFactories.set(c.functionName!, cls);
    }
  }
  for (const mod of modules)
    for (const a of mod.assignments) {
      if (a.value?.kind !== 'call') continue;
      const callee = dottedName(a.value.func);
      const cls = classOf(callee, mod) ?? (callee ? globalFactories.get(callee.split('.').pop()!) : undefined);
      if (cls) globalNames.set(a.name, cls);
    }
  for (const [k, v] of globalFactories) factories.set(k, v);
  for (const a of m.assignments) {
    const cls = globalNames.get(a.name);
    if (cls && a.value?.kind === 'call') names.set(a.name, cls);
  }
  for (const imp of m.imports) {
    if (!imp.name) continue;
    const cls = globalNames.get(imp.name);
    if (cls) names.set(imp.local, cls);
    const fcls = globalFactories.get(imp.name);
    if (fcls) factories.set(imp.local, fcls);
  }
  return { names, factories };
}

function envRead(m: PyModule, r: PyModule['envReads'][number]): EnvRead {
  const out: EnvRead = {
    name: r.name,
    via: r.via === 'env.method' ? `env.${r.cast}` : r.via,
    required: r.required && !r.inTry,
    module: m.path,
    loc: r.loc,
    atImport: r.scope !== 'function',
  };
  if (r.default) out.default = r.default.text;
  if (r.cast && r.via !== 'env.method') out.cast = r.cast;
  else if (r.via === 'env.method' && r.cast && r.cast !== 'str') out.cast = r.cast;
  const dj = /(?:^|\/)settings\/([^/]+)\.py$/.exec(m.path);
  if (dj && !DJANGO_SHARED.has(dj[1]!)) out.djangoModule = m.path.replace(/\.py$/, '').split('/').join('.');
  return out;
}

// ------------------------------------------------------------------ services

/** The image's base (through earlier stages) serves static files: its Node code ran at build time only. */
const STATIC_SERVERS = new Set(['nginx', 'nginx-unprivileged', 'openresty', 'httpd', 'apache', 'caddy', 'lighttpd']);
function servesStatic(svc: ServiceModel): boolean {
  const stages = svc.runtime.dockerfile?.stages ?? [];
  let st = svc.runtime.stage;
  for (let i = 0; st?.baseStage !== undefined && i < stages.length; i++) st = stages[st.baseStage];
  const repo = st?.base.repository;
  return !!repo && STATIC_SERVERS.has(repo.split('/').pop()!);
}

/** Whether a module ships in a service's build context (and `.dockerignore` does not drop it). */
function inContext(svc: ServiceModel, module: string): boolean {
  const ctx = svc.build?.context;
  if (ctx === undefined || ctx.startsWith('/') || ctx.startsWith('..')) return false;
  const rel = ctx === '' ? module : module.startsWith(`${ctx}/`) ? module.slice(ctx.length + 1) : undefined;
  if (rel === undefined) return false;
  return !svc.build?.dockerignore?.excludes(rel);
}

/** The part of the app a service runs, or undefined when its build context holds none of it. */
export function serviceApp(app: AppModel, svc: ServiceModel, builtFrom?: ServiceModel): ServiceApp | undefined {
  const from = builtFrom ?? svc;
  const settings = app.settings.filter((s) => inContext(from, s.module));
  const nodeRuns = !servesStatic(from);
  const envReads = app.envReads.filter((r) => inContext(from, r.module) && (r.language !== 'node' || nodeRuns));
  const names = new Set(settings.map((s) => s.name));
  const guards = app.guards.filter((g) => inContext(from, g.module) && names.has(g.settingsClass));
  if (!settings.length && !envReads.length) return undefined;
  const modules = app.modules.filter((m) => inContext(from, m));
  return { settings, envReads, guards, modules };
}

/** Attach `app` to every service that runs the application (builds it, or pulls the image a sibling builds). */
export function linkServices(app: AppModel, environments: readonly EnvironmentModel[]): void {
  for (const env of environments) {
    const builders = new Map<string, ServiceModel>();
    for (const s of env.services) if (s.build && s.image) builders.set(s.image.value, s);
    for (const s of env.services) {
      const a = s.build ? serviceApp(app, s) : s.image && builders.has(s.image.value) ? serviceApp(app, s, builders.get(s.image.value)) : undefined;
      if (a) s.app = a;
    }
  }
}

/**
 * The model-building step: read the app through the Discovery reader, add the parsed modules to
 * the model's sources, and link services. Returns undefined when the tree has no Python settings
 * and no environment reads.
 */
export async function readApp(
  d: { walk: { files: ReadonlySet<string>; kinds: ReadonlyMap<string, string> }; read(path: string): { ok: true; source: SourceFile } | { ok: false; reason: string } },
  environments: readonly EnvironmentModel[],
  sources: Map<string, SourceFile>,
  problems: ParseProblem[],
): Promise<AppModel | undefined> {
  const read = (p: string): SourceFile | undefined => {
    const r = d.read(p);
    return r.ok ? r.source : undefined;
  };
  const scripts: SourceFile[] = [];
  for (const [p, kind] of d.walk.kinds)
    if (kind === 'shell' || kind === 'dockerfile') {
      const s = sources.get(p) ?? read(p);
      if (s) scripts.push(s);
    }
  // only code a service builds can run: read the Python files inside build contexts
  const contexts = new Set<string>();
  for (const env of environments)
    for (const svc of env.services) {
      const c = svc.build?.context;
      if (c !== undefined && !c.startsWith('/') && !c.startsWith('..') && !c.startsWith('~')) contexts.add(c);
    }
  if (!contexts.size) return undefined;
  const inSomeContext = (f: string): boolean => {
    for (let i = f.lastIndexOf('/'); i > 0; i = f.lastIndexOf('/', i - 1)) if (contexts.has(f.slice(0, i))) return true;
    return false;
  };
  const files = contexts.has('') ? d.walk.files : new Set([...d.walk.files].filter((f) => (f.endsWith('.py') || isAppJsFile(f)) && inSomeContext(f)));
  const built = await buildApp({ files, read, scripts });
  for (const [p, s] of built.sources) if (!sources.has(p)) sources.set(p, s);
  problems.push(...built.problems);
  if (built.app) linkServices(built.app, environments);
  return built.app;
}
