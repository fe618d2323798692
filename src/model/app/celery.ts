/**
 * `celery -A <app>` resolved the way Celery does it (celery/app/utils.py `find_app`, celery 4 and
 * 5; the CLI in celery/bin/celery.py). Documented in "Next steps → About the --app argument"
 * (https://docs.celeryq.dev/en/stable/getting-started/next-steps.html#about-the-app-argument):
 *
 * - `-A proj.mod:attr`: import `proj.mod`, take `attr`;
 * - `-A proj.mod` (no colon): kombu's `symbol_by_name` imports `proj` and takes attribute `mod`;
 *   when that fails it imports the module `proj.mod`;
 * - when the result is a module: its attribute `app`, else `celery` (each only when it is not
 *   itself a module); else, for a package, the same search in the submodule `proj.celery` (an
 *   ImportError there is ignored); else any attribute whose value is a Celery instance; else
 *   `AttributeError` → "Unable to load celery application. Module 'proj' has no attribute 'celery'";
 * - a module that does not import: "Unable to load celery application. The module proj was not
 *   found." The module is imported with the working directory (after `--workdir`) first on
 *   sys.path (celery/utils/imports.py `import_from_cwd`). Without `-A`, the CELERY_APP variable
 *   is used (click option `envvar='APP'` with `auto_envvar_prefix='CELERY'`).
 *
 * Module contents are read statically: top-level assignments, imports, `def`/`class`. A module
 * that defines `__getattr__`, star-imports, or binds names through calls we cannot see into makes
 * the answer unknown.
 */
import { posix } from 'node:path';
import type { SourceFile } from '../../core/source-file.js';
import { pathPresence, resolveModule, type ImageView, type InstalledNames, type ModuleResolution, type SearchEntry } from './python-modules.js';
import type { CeleryAppFact } from './runtime-types.js';

export interface CeleryContext {
  view: ImageView;
  search: SearchEntry[];
  installed: InstalledNames;
  read(repoPath: string): SourceFile | undefined;
}

interface Binding {
  /** an imported module (or a submodule of the package) */
  module: boolean;
  /** a Celery instance: `Celery(...)`, `celery.Celery(...)`, or imported from a module where it is one */
  celery: boolean | undefined;
}

interface ModuleFacts {
  bindings: Map<string, Binding>;
  dynamic: boolean;
  /** top-level names bound from calls we cannot classify (`celery_app = make_celery()`) */
  opaqueCalls: string[];
}

type Result = Omit<CeleryAppFact, 'app' | 'loc' | 'step' | 'command'>;

export function findCeleryApp(ctx: CeleryContext, app: string): Result {
  const colon = app.indexOf(':');
  if (colon >= 0) {
    const mod = app.slice(0, colon);
    const attr = app.slice(colon + 1);
    const r = resolve(ctx, mod);
    if (r.status !== 'found') return fromResolution(r);
    const facts = moduleFacts(ctx, r, new Set());
    if (!facts) return { status: 'unknown', reason: `cannot read ${mod}` };
    if (facts.bindings.has(attr) || isSubmodule(ctx, r, attr)) return { status: 'found', resolved: app };
    if (facts.dynamic) return { status: 'unknown', reason: `${mod} defines names dynamically` };
    return { status: 'no-app', tried: [app], ...(r.repoPath ? { repoPath: r.repoPath } : {}) };
  }
  let module = app;
  const dot = app.lastIndexOf('.');
  if (dot > 0) {
    // symbol_by_name: attribute of the parent module first
    const parent = app.slice(0, dot);
    const attr = app.slice(dot + 1);
    const pr = resolve(ctx, parent);
    if (pr.status !== 'found') return fromResolution(pr);
    const pf = moduleFacts(ctx, pr, new Set());
    const b = pf?.bindings.get(attr);
    if (b && !b.module && !isSubmodule(ctx, pr, attr)) return { status: 'found', resolved: `${parent}:${attr}` };
    if (!pf) return { status: 'unknown', reason: `cannot read ${parent}` };
  }
  const r = resolve(ctx, module);
  if (r.status !== 'found') return fromResolution(r);
  const out = searchModule(ctx, module, r, 0);
  if (out.status === 'no-app' && r.repoPath) out.repoPath = r.repoPath;
  return out;
}

function fromResolution(r: ModuleResolution): Result {
  if (r.status === 'missing') return { status: 'module-missing', module: r };
  return { status: 'unknown', module: r, ...(r.reason ? { reason: r.reason } : {}) };
}

function resolve(ctx: CeleryContext, module: string): ModuleResolution {
  return resolveModule(ctx.view, module, ctx.search, ctx.installed);
}

/** `pkg/<name>.py` or `pkg/<name>/` exists: the attribute would be a submodule. */
function isSubmodule(ctx: CeleryContext, pkg: ModuleResolution, name: string): boolean {
  for (const d of pkg.packageDirs ?? []) {
    if (pathPresence(ctx.view, posix.join(d, `${name}.py`)).exists !== false) return true;
    if (pathPresence(ctx.view, posix.join(d, name)).exists !== false) return true;
  }
  return false;
}

function searchModule(ctx: CeleryContext, module: string, r: ModuleResolution, depth: number): Result {
  const facts = r.namespace ? { bindings: new Map<string, Binding>(), dynamic: false, opaqueCalls: [] } : moduleFacts(ctx, r, new Set());
  if (!facts) return { status: 'unknown', reason: `cannot read ${module}` };
  const tried = [`${module}.app`, `${module}.celery`];
  for (const name of ['app', 'celery']) {
    const b = facts.bindings.get(name);
    if (b && !b.module) return { status: 'found', resolved: `${module}:${name}` };
  }
  let unknown: string | undefined;
  if (r.packageDirs && depth === 0) {
    const sub = resolve(ctx, `${module}.celery`);
    tried.push(`${module}.celery.app`, `${module}.celery.celery`, `a Celery instance in ${module}.celery`);
    if (sub.status === 'found') {
      const inner = searchModule(ctx, `${module}.celery`, sub, depth + 1);
      if (inner.status === 'found') return inner;
      if (inner.status === 'unknown') unknown = inner.reason ?? 'unknown';
    } else if (sub.status === 'unknown') unknown = sub.reason ?? 'unknown';
  }
  tried.push(`a Celery instance in ${module}`);
  for (const [name, b] of facts.bindings) if (b.celery === true && !b.module) return { status: 'found', resolved: `${module}:${name}` };
  if (facts.dynamic) return { status: 'unknown', reason: `${module} defines names dynamically` };
  if ([...facts.bindings.values()].some((b) => b.celery === undefined && !b.module)) return { status: 'unknown', reason: `${module} imports names that may be Celery apps` };
  if (facts.opaqueCalls.length) return { status: 'unknown', reason: `${module} binds ${facts.opaqueCalls[0]} from a call` };
  if (unknown) return { status: 'unknown', reason: unknown };
  return { status: 'no-app', tried };
}

const CELERY_CALL = /^(?:celery\.)?Celery\s*\(/;

/** Top-level bindings of a module, read from its text. */
function moduleFacts(ctx: CeleryContext, r: ModuleResolution, seen: Set<string>): ModuleFacts | undefined {
  if (!r.repoPath) return undefined;
  if (seen.has(r.repoPath) || seen.size > 6) return undefined;
  seen.add(r.repoPath);
  const src = ctx.read(r.repoPath);
  if (!src) return undefined;
  const text = src.text;
  const bindings = new Map<string, Binding>();
  const opaqueCalls: string[] = [];
  let dynamic = /^def\s+__getattr__\b|^from\s+\S+\s+import\s+\*|\bglobals\(\)/m.test(text);
  const pkgDir = r.imagePath?.endsWith('/__init__.py') ? posix.dirname(r.imagePath) : r.imagePath ? posix.dirname(r.imagePath) : undefined;
  const importedFrom = (written: string): ModuleResolution | undefined => {
    if (!written.startsWith('.')) return resolve(ctx, written);
    if (!pkgDir || !r.imagePath) return undefined;
    const dots = /^\.+/.exec(written)![0].length;
    let dir = pkgDir;
    for (let i = 1; i < dots; i++) dir = posix.dirname(dir);
    const rest = written.slice(dots);
    const p = rest ? posix.join(dir, ...rest.split('.')) : dir;
    for (const cand of [`${p}.py`, `${p}/__init__.py`]) {
      const pr = pathPresence(ctx.view, cand);
      if (pr.exists === true && pr.repoPath) return { status: 'found', module: written, imagePath: cand, repoPath: pr.repoPath, searched: [], ...(cand.endsWith('__init__.py') ? { packageDirs: [p] } : {}) };
    }
    return undefined;
  };
  // from X import a as b, c
  for (const m of text.matchAll(/^from[ \t]+([.\w]+)[ \t]+import[ \t]+(\([^)]*\)|[^\n#]+)/gm)) {
    const from = m[1]!;
    const names = m[2]!.replace(/[()\\]/g, ' ').split(',').map((s) => s.trim()).filter((s) => s && s !== '*');
    const target = importedFrom(from);
    const submoduleOf = (name: string): boolean => {
      if (!target || target.status !== 'found' || !target.packageDirs) return false;
      return target.packageDirs.some((d) => pathPresence(ctx.view, posix.join(d, `${name}.py`)).exists === true || pathPresence(ctx.view, posix.join(d, name, '__init__.py')).exists === true);
    };
    const targetFacts = target && target.status === 'found' && !from.startsWith('celery') ? moduleFacts(ctx, target, seen) : undefined;
    for (const spec of names) {
      const [name, alias] = spec.split(/\s+as\s+/).map((s) => s.trim());
      if (!name || !/^\w+$/.test(name)) continue;
      const local = alias && /^\w+$/.test(alias) ? alias : name;
      if (from === 'celery' && name === 'Celery') continue;
      const isMod = submoduleOf(name);
      const inner = targetFacts?.bindings.get(name);
      // a name from a module we can read is a Celery app only if that module makes it one; from a module we cannot read, only an app-like name is in doubt
      const readable = target?.status === 'found' && targetFacts !== undefined;
      const celery = isMod || from === 'celery' || from.startsWith('celery.') ? false : inner ? inner.celery : readable ? false : /app|celery/i.test(local) ? undefined : false;
      bindings.set(local, { module: isMod, celery });
    }
    // importing a submodule sets it as an attribute of its package: `from .celery import app` binds `celery` in the package
    if (from.startsWith('.') && /^\.\w+$/.test(from) && r.imagePath?.endsWith('/__init__.py')) {
      const sub = from.slice(1);
      if (!bindings.has(sub)) bindings.set(sub, { module: true, celery: false });
    }
  }
  // import x / import x as y
  for (const m of text.matchAll(/^import[ \t]+([^\n#]+)/gm))
    for (const spec of m[1]!.split(',')) {
      const [name, alias] = spec.trim().split(/\s+as\s+/).map((s) => s.trim());
      if (!name) continue;
      bindings.set(alias ?? name.split('.')[0]!, { module: true, celery: false });
    }
  // def / class
  for (const m of text.matchAll(/^(?:async[ \t]+)?(?:def|class)[ \t]+(\w+)/gm)) bindings.set(m[1]!, { module: false, celery: false });
  // NAME = value (top level)
  for (const m of text.matchAll(/^([A-Za-z_]\w*)[ \t]*(?::[^=\n]+)?=(?!=)[ \t]*([^\n]*)/gm)) {
    const name = m[1]!;
    const value = m[2]!.trim();
    if (CELERY_CALL.test(value)) bindings.set(name, { module: false, celery: true });
    else if (/^[\w.]+\s*\(/.test(value) && /celery/i.test(value.split('(')[0]!)) {
      bindings.set(name, { module: false, celery: undefined });
      opaqueCalls.push(name);
    } else bindings.set(name, { module: false, celery: false });
  }
  // a Celery subclass instantiated (`class MyCelery(Celery)`) makes every call-bound name doubtful
  if (/^class\s+\w+\s*\([^)]*\bCelery\b/m.test(text)) dynamic = true;
  return { bindings, dynamic, opaqueCalls };
}
