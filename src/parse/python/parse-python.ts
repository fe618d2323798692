/**
 * Python modules → PyModule (module-types.ts): classes with their annotated fields, pydantic
 * `model_config` / v1 `class Config`, module-level assignments and imports, environment reads
 * (`os.environ[...]`, `os.environ.get`, `os.getenv`, django-environ `env(...)`/`env.bool(...)`),
 * calls, and `if <condition>: raise` statements, all with 1-based locations.
 *
 * Built on tree-sitter-python (DEPENDENCIES.md §5), loaded lazily on first use. The tree is
 * error-tolerant: a module with syntax errors still yields what parsed (`hasErrors` is set).
 * Never throws on odd input; every parsed tree is freed.
 */
import type { Node } from 'web-tree-sitter';
import type { SourceFile } from '../../core/source-file.js';
import { loadLanguage } from '../tree-sitter.js';
import { dottedName, kwarg, toExpr, type Locate } from './expr.js';
import type { PyAssignment, PyCall, PyClass, PyClassField, PyEnvRead, PyExpr, PyFunction, PyIfRaise, PyImport, PyKeyword, PyMethod, PyModule } from './module-types.js';

export type * from './module-types.js';

/** Parse one module. Loads the Python grammar on first use. */
export async function parsePython(source: SourceFile): Promise<PyModule> {
  const parser = await loadLanguage('python');
  const tree = parser.parse(source.text);
  if (!tree) return emptyModule(source.path, true);
  try {
    return new ModuleWalker(source).run(tree.rootNode);
  } finally {
    tree.delete();
  }
}

function emptyModule(path: string, hasErrors: boolean): PyModule {
  return { path, classes: [], assignments: [], imports: [], functions: [], calls: [], envReads: [], ifRaises: [], hasErrors };
}

interface Scope {
  kind: 'module' | 'class' | 'function';
  className?: string;
  functionName?: string;
  decorators: string[];
  inTry: boolean;
}

/** django-environ getters whose default variable name is implied */
const ENVIRON_DEFAULT_VAR: Record<string, string> = {
  db: 'DATABASE_URL',
  db_url: 'DATABASE_URL',
  cache: 'CACHE_URL',
  cache_url: 'CACHE_URL',
  email: 'EMAIL_URL',
  email_url: 'EMAIL_URL',
  search_url: 'SEARCH_URL',
};
const ENVIRON_METHODS = new Set(['str', 'bool', 'int', 'float', 'list', 'tuple', 'dict', 'json', 'url', 'path', 'bytes', 'parse_value', 'get_value', ...Object.keys(ENVIRON_DEFAULT_VAR)]);
const CAST_SECOND = new Set(['list', 'tuple', 'dict', 'get_value', 'parse_value']);
const MAX_DEPTH = 400;

class ModuleWalker {
  private readonly m: PyModule;
  private readonly locate: Locate;
  /** local names of the `os` module, of `os.environ` and of `os.getenv` */
  private readonly osNames = new Set<string>();
  private readonly environNames = new Set<string>();
  private readonly getenvNames = new Set<string>();
  /** local names of the django-environ module and its `Env` class */
  private readonly envModuleNames = new Set<string>();
  private readonly envClassNames = new Set<string>();
  /** django-environ `Env(...)` instances: name → variables with a scheme default */
  private readonly envInstances = new Map<string, Map<string, boolean>>();

  constructor(private readonly src: SourceFile) {
    this.m = emptyModule(src.path, false);
    this.locate = (n) => src.location(n.startIndex, n.endIndex);
  }

  run(root: Node): PyModule {
    this.m.hasErrors = root.hasError;
    for (const st of kids(root)) this.collectImport(st);
    for (const st of kids(root)) this.collectEnvInstance(st);
    this.walkBlock(root, { kind: 'module', decorators: [], inTry: false }, 0);
    return this.m;
  }

  // ------------------------------------------------------------------ imports and aliases

  private collectImport(st: Node): void {
    if (st.type === 'import_statement') {
      for (const n of st.childrenForFieldName('name')) {
        if (!n) continue;
        const { name, local } = aliased(n);
        this.m.imports.push({ module: name, local, loc: this.locate(st) });
        if (name === 'os') this.osNames.add(local);
        if (name === 'environ') this.envModuleNames.add(local);
      }
    } else if (st.type === 'import_from_statement') {
      const mod = st.childForFieldName('module_name')?.text ?? '';
      for (const n of st.childrenForFieldName('name')) {
        if (!n) continue;
        const { name, local } = aliased(n);
        const imp: PyImport = { module: mod, name, local, loc: this.locate(st) };
        this.m.imports.push(imp);
        if (mod === 'os' && name === 'environ') this.environNames.add(local);
        if (mod === 'os' && name === 'getenv') this.getenvNames.add(local);
        if (mod === 'environ' && name === 'Env') this.envClassNames.add(local);
      }
    } else if (st.type === 'if_statement' || st.type === 'try_statement') {
      // `try: import x except ImportError: ...` and `if TYPE_CHECKING: import x`
      for (const b of st.namedChildren) if (b?.type === 'block') for (const s of kids(b)) this.collectImport(s);
    }
  }

  /** `env = environ.Env(DEBUG=(bool, False))`: remember the instance and its scheme defaults. */
  private collectEnvInstance(st: Node): void {
    const a = st.type === 'expression_statement' ? st.firstNamedChild : null;
    if (a?.type !== 'assignment') return;
    const left = a.childForFieldName('left');
    const right = a.childForFieldName('right');
    if (left?.type !== 'identifier' || right?.type !== 'call') return;
    const e = toExpr(right, this.locate);
    if (e.kind !== 'call' || !this.isEnvClass(e.func)) return;
    const scheme = new Map<string, boolean>();
    for (const k of e.kwargs) scheme.set(k.name, k.value.kind === 'seq' && k.value.items.length >= 2);
    this.envInstances.set(left.text, scheme);
  }

  private isEnvClass(f: PyExpr): boolean {
    if (f.kind === 'name') return this.envClassNames.has(f.name);
    return f.kind === 'attr' && f.attr === 'Env' && f.object.kind === 'name' && this.envModuleNames.has(f.object.name);
  }

  private isOsEnviron(e: PyExpr): boolean {
    if (e.kind === 'name') return this.environNames.has(e.name);
    return e.kind === 'attr' && e.attr === 'environ' && e.object.kind === 'name' && this.osNames.has(e.object.name);
  }

  // ------------------------------------------------------------------ statements

  private walkBlock(block: Node, scope: Scope, depth: number): void {
    for (const st of kids(block)) this.walkStatement(st, scope, depth + 1);
  }

  private walkStatement(st: Node, scope: Scope, depth: number): void {
    if (depth > MAX_DEPTH) return;
    switch (st.type) {
      case 'class_definition':
        this.classDef(st, scope, [], depth);
        return;
      case 'function_definition':
        this.functionDef(st, scope, [], depth);
        return;
      case 'decorated_definition': {
        const decorators = st.namedChildren.filter((c): c is Node => c?.type === 'decorator').map((d) => d.text.replace(/^@\s*/, ''));
        for (const d of st.namedChildren) if (d?.type === 'decorator') this.walkExpressions(d, scope, depth);
        const def = st.childForFieldName('definition');
        if (def?.type === 'class_definition') this.classDef(def, scope, decorators, depth);
        else if (def?.type === 'function_definition') this.functionDef(def, scope, decorators, depth);
        return;
      }
      case 'if_statement':
        this.ifStatement(st, scope, depth);
        return;
      case 'try_statement':
        for (const c of kids(st)) {
          if (c.type === 'block') this.walkBlock(c, { ...scope, inTry: true }, depth);
          else this.walkStatement(c, scope, depth);
        }
        return;
      case 'expression_statement':
        if (scope.kind === 'module') this.moduleAssignment(st);
        this.walkExpressions(st, scope, depth);
        return;
      default:
        // for/while/with/match/except/else/finally clauses: their blocks hold statements
        for (const c of kids(st)) {
          if (c.type === 'block') this.walkBlock(c, scope, depth);
          else if (isStatementLike(c)) this.walkStatement(c, scope, depth);
          else this.walkExpressions(c, scope, depth);
        }
    }
  }

  private moduleAssignment(st: Node): void {
    const a = st.firstNamedChild;
    if (a?.type !== 'assignment') return;
    const left = a.childForFieldName('left');
    if (left?.type !== 'identifier') return;
    let right = a.childForFieldName('right');
    while (right?.type === 'assignment') right = right.childForFieldName('right');
    const type = a.childForFieldName('type');
    const asg: PyAssignment = { name: left.text, loc: this.locate(st) };
    if (type) asg.annotation = type.text;
    if (right) asg.value = toExpr(right, this.locate);
    this.m.assignments.push(asg);
  }

  private classDef(node: Node, scope: Scope, _decorators: string[], depth: number): void {
    const nameNode = node.childForFieldName('name');
    const body = node.childForFieldName('body');
    if (!nameNode || !body) return;
    const bases: string[] = [];
    const keywords: PyKeyword[] = [];
    for (const a of node.childForFieldName('superclasses')?.namedChildren ?? []) {
      if (!a || a.type === 'comment') continue;
      if (a.type === 'keyword_argument') {
        const k = a.childForFieldName('name');
        const v = a.childForFieldName('value');
        if (k && v) keywords.push({ name: k.text, value: toExpr(v, this.locate), loc: this.locate(a) });
      } else bases.push(a.text);
    }
    const cls: PyClass = { name: nameNode.text, bases, keywords, fields: [], methods: [], loc: this.locate(node), nameLoc: this.locate(nameNode) };
    if (scope.className) cls.outer = scope.className;
    this.m.classes.push(cls);
    const inner: Scope = { kind: 'class', className: cls.name, decorators: [], inTry: false };
    for (const st of kids(body)) {
      if (st.type === 'expression_statement') {
        const f = this.classField(st);
        if (f?.name === 'model_config' && f.value) {
          cls.modelConfig = configKeywords(f.value);
        } else if (f) cls.fields.push(f);
        this.walkExpressions(st, inner, depth);
        continue;
      }
      if (st.type === 'class_definition' && st.childForFieldName('name')?.text === 'Config') {
        cls.legacyConfig = [];
        for (const s of kids(st.childForFieldName('body'))) {
          const f = s.type === 'expression_statement' ? this.classField(s) : undefined;
          if (f?.value) cls.legacyConfig.push({ name: f.name, value: f.value, loc: f.loc });
        }
        continue;
      }
      const def = st.type === 'decorated_definition' ? st.childForFieldName('definition') : st;
      if (def?.type === 'function_definition') {
        const decs = st.type === 'decorated_definition' ? st.namedChildren.filter((c): c is Node => c?.type === 'decorator').map((d) => d.text.replace(/^@\s*/, '')) : [];
        const mName = def.childForFieldName('name')?.text;
        if (mName) cls.methods.push({ name: mName, decorators: decs, loc: this.locate(def) } satisfies PyMethod);
      }
      this.walkStatement(st, inner, depth + 1);
    }
  }

  private classField(st: Node): PyClassField | undefined {
    const a = st.firstNamedChild;
    if (a?.type !== 'assignment') return undefined;
    const left = a.childForFieldName('left');
    if (left?.type !== 'identifier') return undefined;
    let right = a.childForFieldName('right');
    while (right?.type === 'assignment') right = right.childForFieldName('right');
    const type = a.childForFieldName('type');
    const f: PyClassField = { name: left.text, loc: this.locate(st), nameLoc: this.locate(left) };
    if (type) {
      f.annotation = type.text;
      const lits = literalValues(type);
      if (lits) f.literals = lits;
    }
    if (right) f.value = toExpr(right, this.locate);
    return f;
  }

  private functionDef(node: Node, scope: Scope, decorators: string[], depth: number): void {
    const name = node.childForFieldName('name')?.text;
    const body = node.childForFieldName('body');
    if (!name || !body) return;
    const fn: PyFunction = { name, decorators, loc: this.locate(node) };
    if (scope.kind === 'class' && scope.className) fn.className = scope.className;
    this.m.functions.push(fn);
    // default values of parameters run at definition time
    const params = node.childForFieldName('parameters');
    if (params) this.walkExpressions(params, scope, depth);
    this.walkBlock(body, { kind: 'function', className: scope.className, functionName: name, decorators, inTry: false }, depth);
  }

  private ifStatement(node: Node, scope: Scope, depth: number): void {
    const cond = node.childForFieldName('condition');
    const body = node.childForFieldName('consequence');
    if (cond) this.walkExpressions(cond, scope, depth);
    if (cond && body) {
      const raise = kids(body).find((s) => s.type === 'raise_statement' || isExitCall(s));
      if (raise) this.m.ifRaises.push(this.ifRaise(node, cond, raise, scope));
    }
    if (body) this.walkBlock(body, scope, depth);
    for (const alt of node.childrenForFieldName('alternative')) {
      if (!alt) continue;
      for (const c of kids(alt)) {
        if (c.type === 'block') this.walkBlock(c, scope, depth);
        else this.walkExpressions(c, scope, depth);
      }
    }
  }

  private ifRaise(node: Node, cond: Node, raise: Node, scope: Scope): PyIfRaise {
    const out: PyIfRaise = { condition: toExpr(cond, this.locate), loc: this.src.location(node.startIndex, cond.endIndex), raiseLoc: this.locate(raise), decorators: scope.decorators };
    if (scope.className) out.className = scope.className;
    if (scope.functionName) out.functionName = scope.functionName;
    let ex: PyExpr | undefined;
    if (raise.type === 'raise_statement') {
      const what = raise.firstNamedChild;
      if (what) ex = toExpr(what, this.locate);
    } else {
      const call = raise.firstNamedChild;
      if (call) ex = toExpr(call, this.locate);
    }
    if (ex?.kind === 'call') {
      const fn = dottedName(ex.func) ?? ex.func.text;
      out.exception = fn === 'sys.exit' || fn === 'exit' || fn === 'quit' ? 'SystemExit' : fn;
      const first = ex.args[0];
      if (first?.kind === 'str') out.message = first.value;
      else if (first?.kind === 'fstr') out.message = first.text.replace(/^[a-zA-Z]*(['"]{1,3})([\s\S]*)\1$/, '$2');
      if (out.exception === 'SystemExit' && first && first.kind !== 'str' && first.kind !== 'fstr') delete out.message;
    } else if (ex) out.exception = dottedName(ex) ?? ex.text;
    return out;
  }

  // ------------------------------------------------------------------ expressions

  /** Visit every call and subscript below `node` (not into nested definitions). */
  private walkExpressions(node: Node, scope: Scope, depth: number): void {
    const stack: { n: Node; d: number }[] = [{ n: node, d: depth }];
    while (stack.length) {
      const { n, d } = stack.pop()!;
      if (d > MAX_DEPTH) continue;
      if (n.type === 'lambda') continue;
      if (n.type === 'call') this.call(n, scope);
      else if (n.type === 'subscript') this.subscript(n, scope);
      for (let i = n.namedChildCount - 1; i >= 0; i--) {
        const c = n.namedChild(i);
        if (c) stack.push({ n: c, d: d + 1 });
      }
    }
  }

  private call(node: Node, scope: Scope): void {
    const e = toExpr(node, this.locate);
    if (e.kind !== 'call') return;
    const callee = dottedName(e.func);
    if (callee) {
      const c: PyCall = { callee, kwargs: e.kwargs.map((k) => k.name), positional: e.args.length, loc: e.loc, returned: node.parent?.type === 'return_statement' };
      if (scope.functionName) c.functionName = scope.functionName;
      this.m.calls.push(c);
    }
    const f = e.func;
    const name = e.args[0]?.kind === 'str' ? e.args[0].value : undefined;
    // os.environ.get("X", default) / os.getenv("X", default)
    if (f.kind === 'attr' && f.attr === 'get' && this.isOsEnviron(f.object)) {
      if (name !== undefined) this.read(node, scope, name, 'os.environ.get', false, e.args[1] ?? kwarg(e, 'default'));
      return;
    }
    if ((f.kind === 'attr' && f.attr === 'getenv' && f.object.kind === 'name' && this.osNames.has(f.object.name)) || (f.kind === 'name' && this.getenvNames.has(f.name))) {
      if (name !== undefined) this.read(node, scope, name, 'os.getenv', false, e.args[1] ?? kwarg(e, 'default'));
      return;
    }
    // django-environ: env("X", cast, default) and env.bool("X", default)
    if (f.kind === 'name' && this.envInstances.has(f.name)) {
      const def = kwarg(e, 'default') ?? e.args[2];
      if (name !== undefined) this.read(node, scope, name, 'env()', !def && !this.envInstances.get(f.name)!.get(name), def, e.args[1]?.text ?? kwarg(e, 'cast')?.text);
      return;
    }
    if (f.kind === 'attr' && f.object.kind === 'name' && this.envInstances.has(f.object.name) && ENVIRON_METHODS.has(f.attr)) {
      const varName = name ?? (e.args.length === 0 ? ENVIRON_DEFAULT_VAR[f.attr] : undefined) ?? (kwarg(e, 'var')?.kind === 'str' ? (kwarg(e, 'var') as { value: string }).value : undefined);
      // env.list/tuple/dict/get_value(var, cast, default); the other getters take (var, default)
      const def = kwarg(e, 'default') ?? (CAST_SECOND.has(f.attr) ? e.args[2] : e.args[1]);
      if (varName !== undefined) this.read(node, scope, varName, 'env.method', !def && !this.envInstances.get(f.object.name)!.get(varName), def, f.attr);
    }
  }

  private subscript(node: Node, scope: Scope): void {
    const value = node.childForFieldName('value');
    const index = node.childrenForFieldName('subscript');
    if (!value || index.length !== 1 || !index[0]) return;
    const target = toExpr(value, this.locate);
    if (!this.isOsEnviron(target)) return;
    const key = toExpr(index[0], this.locate);
    if (key.kind !== 'str') return;
    // writes and deletes are not reads
    const parent = node.parent;
    if (parent?.type === 'delete_statement') return;
    if ((parent?.type === 'assignment' || parent?.type === 'augmented_assignment') && parent.childForFieldName('left')?.equals(node)) return;
    if (parent?.type === 'pattern_list' || parent?.type === 'tuple_pattern') return;
    this.read(node, scope, key.value, 'os.environ[]', true, undefined);
  }

  private read(node: Node, scope: Scope, name: string, via: PyEnvRead['via'], required: boolean, def: PyExpr | undefined, cast?: string): void {
    const r: PyEnvRead = { name, via, required, loc: this.locate(node), scope: scope.kind, inTry: scope.inTry };
    if (def) r.default = def;
    const wrapper = castWrapper(node);
    if (cast) r.cast = cast;
    else if (wrapper) r.cast = wrapper;
    if (scope.functionName) r.functionName = scope.functionName;
    this.m.envReads.push(r);
  }
}

// ------------------------------------------------------------------ helpers

function kids(n: Node | null | undefined): Node[] {
  if (!n) return [];
  return n.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment');
}

function isStatementLike(n: Node): boolean {
  return /(_statement|_definition|_clause)$/.test(n.type) || n.type === 'decorated_definition';
}

function aliased(n: Node): { name: string; local: string } {
  if (n.type === 'aliased_import') {
    const name = n.childForFieldName('name')?.text ?? n.text;
    return { name, local: n.childForFieldName('alias')?.text ?? name };
  }
  // `import a.b` binds `a`
  return { name: n.text, local: n.text.split('.')[0]! };
}

function isExitCall(s: Node): boolean {
  if (s.type !== 'expression_statement') return false;
  const c = s.firstNamedChild;
  if (c?.type !== 'call') return false;
  const fn = c.childForFieldName('function')?.text;
  return fn === 'sys.exit' || fn === 'exit' || fn === 'quit' || fn === 'os._exit';
}

/** `int(os.environ["X"])` → 'int' */
function castWrapper(node: Node): string | undefined {
  const args = node.parent;
  if (args?.type !== 'argument_list' || !args.firstNamedChild?.equals(node)) return undefined;
  const call = args.parent;
  const fn = call?.type === 'call' ? call.childForFieldName('function')?.text : undefined;
  return fn === 'int' || fn === 'float' || fn === 'bool' || fn === 'json.loads' ? fn : undefined;
}

/** keyword arguments of `SettingsConfigDict(...)`, `ConfigDict(...)`, `dict(...)` or `{...}` */
function configKeywords(e: PyExpr): PyKeyword[] {
  if (e.kind === 'call') return e.kwargs;
  if (e.kind === 'dict') return e.entries.flatMap((en) => (en.key.kind === 'str' ? [{ name: en.key.value, value: en.value, loc: en.key.loc }] : []));
  return [];
}

/** values of `Literal[...]` inside an annotation (through Optional, Annotated, `| None`) */
function literalValues(type: Node): (string | number | boolean)[] | undefined {
  const out: (string | number | boolean)[] = [];
  let found = false;
  const visit = (n: Node, depth: number): void => {
    if (depth > 30) return;
    if (n.type === 'generic_type' || n.type === 'subscript') {
      const head = n.type === 'generic_type' ? n.firstNamedChild : n.childForFieldName('value');
      const headText = head?.text ?? '';
      if (/^(?:typing(?:_extensions)?\.)?Literal$/.test(headText)) {
        found = true;
        const stack = [...n.namedChildren].filter((c): c is Node => c !== null && !c.equals(head!));
        while (stack.length) {
          const c = stack.shift()!;
          if (c.type === 'string') {
            const e = toExpr(c, () => ({ file: '' }));
            if (e.kind === 'str') out.push(e.value);
          } else if (c.type === 'integer') out.push(Number(c.text.replace(/_/g, '')));
          else if (c.type === 'true' || c.type === 'false') out.push(c.type === 'true');
          else stack.push(...c.namedChildren.filter((x): x is Node => x !== null));
        }
        return;
      }
    }
    for (const c of n.namedChildren) if (c) visit(c, depth + 1);
  };
  visit(type, 0);
  return found ? out : undefined;
}
