/**
 * The Python modules one image runs, found the way its interpreter finds them: a dotted name is
 * looked up under each `sys.path` entry drydock knows (the server's working directory or
 * `--chdir`/`--app-dir`, PYTHONPATH), as `<dir>/a/b.py` or `<dir>/a/b/__init__.py` inside the image,
 * and mapped back to the repository file a bind mount or a COPY/ADD puts there. A name that no
 * repository file provides is a third-party (or missing) module.
 *
 * On top of it, `Resolver` answers "what is this expression?" for the routes model: a framework
 * object (FastAPI app, APIRouter, Flask app, Blueprint, ...), a project module or function, a string
 * constant, or a third-party name (`flask_cors.CORS`), following assignments, imports (absolute and
 * relative), factory functions (`create_app()` returns the app it builds) and parameters that
 * receive an object (`register_routes(app)`).
 */
import type { Location } from '../../core/location.js';
import { dottedName } from '../../parse/python/expr.js';
import type { PyExpr } from '../../parse/python/module-types.js';
import type { RExpr, RImport, RModule, RScope, RStmt } from './py-scopes.js';

export interface LoadedModule {
  dotted: string;
  path: string;
  isPackage: boolean;
  mod: RModule;
}

export interface ModuleSource {
  /** the repository file for a dotted module name in this image, with whether it is a package */
  find(dotted: string): { path: string; isPackage: boolean } | undefined;
  /** parse a repository file (cached by the caller) */
  parse(path: string): Promise<RModule | undefined>;
}

const MAX_MODULES = 300;

export class PyLoader {
  private readonly byName = new Map<string, LoadedModule | null>();
  constructor(private readonly src: ModuleSource) {}

  async load(dotted: string): Promise<LoadedModule | undefined> {
    if (!dotted || dotted.startsWith('.')) return undefined;
    const cached = this.byName.get(dotted);
    if (cached !== undefined) return cached ?? undefined;
    if (this.byName.size >= MAX_MODULES) return undefined;
    const f = this.src.find(dotted);
    const mod = f ? await this.src.parse(f.path) : undefined;
    const lm = f && mod ? { dotted, path: f.path, isPackage: f.isPackage, mod } : null;
    this.byName.set(dotted, lm);
    return lm ?? undefined;
  }

  get(dotted: string): LoadedModule | undefined {
    return this.byName.get(dotted) ?? undefined;
  }

  modules(): LoadedModule[] {
    return [...this.byName.values()].filter((m): m is LoadedModule => m !== null);
  }

  /**
   * Load `start` and every project module it imports, transitively (imports at any depth of a
   * module count), up to `maxHops` imports away.
   */
  async closure(start: readonly string[], maxHops = Infinity): Promise<void> {
    const queue: [string, number][] = start.map((s) => [s, 0]);
    const seen = new Set<string>();
    while (queue.length) {
      const [name, hops] = queue.shift()!;
      if (seen.has(name)) continue;
      seen.add(name);
      const lm = await this.load(name);
      if (!lm || hops >= maxHops) continue;
      const push = (n: string): void => void queue.push([n, hops + 1]);
      // parent packages run first (their __init__ may register routes too)
      const parts = name.split('.');
      for (let i = 1; i < parts.length; i++) push(parts.slice(0, i).join('.'));
      for (const scope of lm.mod.scopes.values())
        for (const st of scope.stmts) {
          if (st.kind !== 'import') continue;
          const base = absoluteModule(lm, st.imp.module);
          if (base === undefined) continue;
          push(base);
          if (st.imp.name && !st.imp.star) push(`${base}.${st.imp.name}`);
          else if (!st.imp.name) {
            // `import a.b.c` loads a, a.b and a.b.c
            const ps = base.split('.');
            for (let i = 1; i < ps.length; i++) push(ps.slice(0, i).join('.'));
          }
        }
    }
  }
}

/** The absolute dotted name of an import as written in `from`, relative dots resolved. */
export function absoluteModule(from: LoadedModule, written: string): string | undefined {
  const m = /^(\.*)(.*)$/.exec(written)!;
  const level = m[1]!.length;
  const rest = m[2]!;
  if (!level) return rest || undefined;
  const pkg = from.isPackage ? from.dotted.split('.') : from.dotted.split('.').slice(0, -1);
  if (level - 1 > pkg.length) return undefined;
  const base = pkg.slice(0, pkg.length - (level - 1));
  const out = [...base, ...(rest ? rest.split('.') : [])].join('.');
  return out || undefined;
}

// ---------------------------------------------------------------------------------------------
// values

export type FrameworkKind = 'fastapi' | 'apirouter' | 'starlette' | 'starlette-router' | 'flask' | 'blueprint';

/** A framework object created in the project: its identity is where it was bound. */
export interface FrameworkObject {
  kind: FrameworkKind;
  /** `<module path>\0<scope>\0<name>` */
  key: string;
  lm: LoadedModule;
  scope: string;
  name: string;
  ctor: PyExpr & { kind: 'call' };
  loc: Location;
}

export type Value =
  | { t: 'obj'; obj: FrameworkObject }
  | { t: 'module'; lm: LoadedModule }
  | { t: 'func'; lm: LoadedModule; scope: RScope }
  | { t: 'class'; lm: LoadedModule; name: string; loc: Location }
  | { t: 'str'; value: string }
  /** a third-party name (`flask_cors.CORS`), or what calling one returned (`call: true`) */
  | { t: 'ext'; qname: string; call?: boolean };

const CTORS: Record<string, FrameworkKind> = {
  'fastapi.FastAPI': 'fastapi',
  'fastapi.applications.FastAPI': 'fastapi',
  'fastapi.APIRouter': 'apirouter',
  'fastapi.routing.APIRouter': 'apirouter',
  'starlette.applications.Starlette': 'starlette',
  'starlette.routing.Router': 'starlette-router',
  'flask.Flask': 'flask',
  'flask.app.Flask': 'flask',
  'flask.Blueprint': 'blueprint',
  'flask.blueprints.Blueprint': 'blueprint',
};

const MAX_DEPTH = 24;

/**
 * Resolves names and expressions inside loaded modules. `bindings` maps a function parameter
 * (`<module path>\0<function scope>\0<param>`) to the object a call passes it.
 */
export class Resolver {
  readonly bindings = new Map<string, FrameworkObject>();
  private readonly cache = new Map<string, Value | undefined>();

  constructor(private readonly loader: PyLoader) {}

  clearCache(): void {
    this.cache.clear();
  }

  /** The value a name has in a scope: the last binding in that scope, then enclosing function scopes, then the module. */
  name(lm: LoadedModule, scopeKey: string, name: string, depth = 0): Value | undefined {
    const k = `${lm.path}\0${scopeKey}\0${name}`;
    if (this.cache.has(k)) return this.cache.get(k);
    this.cache.set(k, undefined); // cycles resolve to unknown
    const v = this.nameUncached(lm, scopeKey, name, depth);
    this.cache.set(k, v);
    return v;
  }

  private nameUncached(lm: LoadedModule, scopeKey: string, name: string, depth: number): Value | undefined {
    if (depth > MAX_DEPTH) return undefined;
    for (let key: string | undefined = scopeKey; key !== undefined; key = parentScope(lm, key)) {
      const scope = lm.mod.scopes.get(key);
      if (!scope) continue;
      const bound = this.bindings.get(`${lm.path}\0${key}\0${name}`);
      if (bound) return { t: 'obj', obj: bound };
      const last = lastBinding(scope, name);
      if (last) return this.binding(lm, scope, name, last, depth + 1);
      if (scope.params.includes(name)) return undefined;
    }
    if (name === '__name__') return { t: 'str', value: lm.dotted };
    return undefined;
  }

  private binding(lm: LoadedModule, scope: RScope, name: string, st: RStmt, depth: number): Value | undefined {
    if (st.kind === 'import') return this.importValue(lm, st.imp, depth);
    if (st.kind === 'decorated') {
      const key = scope.key ? `${scope.key}.${name}` : name;
      const inner = lm.mod.scopes.get(key);
      if (st.def === 'class') return { t: 'class', lm, name, loc: st.loc };
      return inner ? { t: 'func', lm, scope: inner } : undefined;
    }
    if (st.kind === 'assign') return this.expr(lm, scope.key, st.value, depth, name);
    return undefined;
  }

  private importValue(lm: LoadedModule, imp: RImport, depth: number): Value | undefined {
    const base = absoluteModule(lm, imp.module);
    if (base === undefined) return undefined;
    if (!imp.name) {
      // `import a.b` binds `a`; `import a.b as x` binds a.b
      const bound = imp.local === imp.module.split('.')[0] && !imp.module.startsWith('.') ? base.split('.')[0]! : base;
      const m = this.loader.get(bound);
      return m ? { t: 'module', lm: m } : { t: 'ext', qname: bound };
    }
    const from = this.loader.get(base);
    if (from) {
      const v = this.name(from, '', imp.name, depth + 1);
      if (v) return v;
      const sub = this.loader.get(`${base}.${imp.name}`);
      if (sub) return { t: 'module', lm: sub };
      // a star import in that module may bring the name
      return this.viaStar(from, imp.name, depth + 1);
    }
    const sub = this.loader.get(`${base}.${imp.name}`);
    if (sub) return { t: 'module', lm: sub };
    return { t: 'ext', qname: `${base}.${imp.name}` };
  }

  private viaStar(lm: LoadedModule, name: string, depth: number): Value | undefined {
    const scope = lm.mod.scopes.get('');
    if (!scope || depth > MAX_DEPTH) return undefined;
    for (const st of scope.stmts) {
      if (st.kind !== 'import' || !st.imp.star) continue;
      const base = absoluteModule(lm, st.imp.module);
      const m = base ? this.loader.get(base) : undefined;
      const v = m ? this.name(m, '', name, depth + 1) : undefined;
      if (v) return v;
    }
    return undefined;
  }

  /** The value of an expression; `bindName` is the name it is assigned to (a constructor's identity). */
  expr(lm: LoadedModule, scopeKey: string, e: RExpr, depth = 0, bindName?: string): Value | undefined {
    if (depth > MAX_DEPTH) return undefined;
    switch (e.kind) {
      case 'str':
        return { t: 'str', value: e.value };
      case 'name':
        return this.name(lm, scopeKey, e.name, depth + 1);
      case 'attr': {
        const o = this.expr(lm, scopeKey, e.object, depth + 1);
        return o ? this.attr(o, e.attr, depth + 1) : undefined;
      }
      case 'concat': {
        let s = '';
        for (const p of e.parts) {
          const v = this.expr(lm, scopeKey, p, depth + 1);
          if (v?.t !== 'str') return undefined;
          s += v.value;
        }
        return { t: 'str', value: s };
      }
      case 'call': {
        const f = this.expr(lm, scopeKey, e.func, depth + 1);
        if (!f) return undefined;
        if (f.t === 'ext' && !f.call) {
          const kind = CTORS[f.qname];
          if (kind) {
            const name = bindName ?? `@${e.loc.startLine}:${e.loc.startColumn}`;
            return { t: 'obj', obj: { kind, key: `${lm.path}\0${scopeKey}\0${name}`, lm, scope: scopeKey, name, ctor: e, loc: e.loc } };
          }
          return { t: 'ext', qname: f.qname, call: true };
        }
        if (f.t === 'ext') return { t: 'ext', qname: `${f.qname}()`, call: true };
        if (f.t === 'func') return this.returned(f.lm, f.scope, depth + 1);
        return undefined;
      }
      default:
        return undefined;
    }
  }

  attr(o: Value, attr: string, depth: number): Value | undefined {
    switch (o.t) {
      case 'module': {
        const v = this.name(o.lm, '', attr, depth + 1);
        if (v) return v;
        const sub = this.loader.get(`${o.lm.dotted}.${attr}`);
        return sub ? { t: 'module', lm: sub } : this.viaStar(o.lm, attr, depth + 1);
      }
      case 'ext':
        return { t: 'ext', qname: `${o.qname}.${attr}`, call: o.call };
      case 'obj':
        // FastAPI/Starlette delegate route methods to `app.router`
        if (attr === 'router' && (o.obj.kind === 'fastapi' || o.obj.kind === 'starlette')) return o;
        return undefined;
      default:
        return undefined;
    }
  }

  /** What a function returns: every `return` must agree. */
  returned(lm: LoadedModule, scope: RScope, depth: number): Value | undefined {
    let out: Value | undefined;
    for (const st of scope.stmts) {
      if (st.kind !== 'return' || !st.value) continue;
      const v = this.expr(lm, scope.key, st.value, depth + 1);
      if (!v) return undefined;
      if (out && !sameValue(out, v)) return undefined;
      out = v;
    }
    return out;
  }

  /** A third-party qualified name for a callee, or undefined (`flask_cors.CORS`, `uvicorn.run`). */
  qualified(lm: LoadedModule, scopeKey: string, e: PyExpr): string | undefined {
    const v = this.expr(lm, scopeKey, e);
    if (v?.t === 'ext') return v.qname;
    return undefined;
  }
}

function sameValue(a: Value, b: Value): boolean {
  if (a.t === 'obj' && b.t === 'obj') return a.obj.key === b.obj.key;
  if (a.t === 'str' && b.t === 'str') return a.value === b.value;
  if (a.t === 'module' && b.t === 'module') return a.lm === b.lm;
  return false;
}

/** The enclosing scope whose names a nested function sees (class bodies are skipped). */
function parentScope(lm: LoadedModule, key: string): string | undefined {
  if (key === '') return undefined;
  let k = key;
  for (;;) {
    const i = k.lastIndexOf('.');
    k = i < 0 ? '' : k.slice(0, i);
    if (k === '') return '';
    if (lm.mod.scopes.get(k)?.kind !== 'class') return k;
  }
}

/** The last statement of a scope that binds `name`. */
function lastBinding(scope: RScope, name: string): RStmt | undefined {
  let out: RStmt | undefined;
  for (const st of scope.stmts) {
    if (st.kind === 'assign' && st.target === name) out = st;
    else if (st.kind === 'import' && !st.imp.star && st.imp.local === name) out = st;
    else if (st.kind === 'decorated' && st.name === name) out = st;
  }
  return out;
}

/** `a.b.c` of a callee, for messages. */
export function calleeText(e: PyExpr): string {
  return dottedName(e) ?? e.text.replace(/\s+/g, ' ').slice(0, 60);
}
