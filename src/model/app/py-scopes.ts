/**
 * A second, statement-level view of a Python module for the routes model (routes-python.ts,
 * routes-django.ts): every scope (module, class, function) with its statements in order, each
 * statement's calls as PyExpr, assignments (`+` chains kept as `concat`), augmented assignments,
 * decorators as expressions, returns and imports at any depth, and whether the statement sits in a
 * loop or a branch. `parsePython` (parse/python) keeps what the settings model needs; this keeps
 * what following an app object through a module needs.
 *
 * Built on tree-sitter-python through the shared parser; never throws on odd input, every tree is
 * freed.
 */
import type { Node } from 'web-tree-sitter';
import type { Location } from '../../core/location.js';
import type { SourceFile } from '../../core/source-file.js';
import { loadLanguage } from '../../parse/tree-sitter.js';
import { toExpr, type Locate } from '../../parse/python/expr.js';
import type { PyExpr } from '../../parse/python/module-types.js';

/** A PyExpr, or a `+` chain (`urlpatterns = [...] + static(...)`). */
export type RExpr = PyExpr | { kind: 'concat'; parts: RExpr[]; text: string; loc: Location };

export interface RCtx {
  /** inside a `for`/`while` body or a comprehension */
  loop: boolean;
  /** inside an `if`/`elif`/`else`, `except`, `match` branch */
  cond: boolean;
}

export interface RImport {
  /** as written, leading dots kept (`.views`, `app.routers`) */
  module: string;
  /** `from m import name`; undefined for `import m` */
  name?: string;
  /** `from m import *` */
  star?: boolean;
  /** the local name bound (`import a.b` binds `a`) */
  local: string;
  loc: Location;
  ctx: RCtx;
}

export type RStmt =
  /** `name = v`, `a.b = v`, `os.environ["X"] = v` (target as written, without spaces) */
  | { kind: 'assign'; target: string; value: RExpr; loc: Location; ctx: RCtx }
  | { kind: 'augassign'; target: string; op: string; value: RExpr; loc: Location; ctx: RCtx }
  /** every call in a simple statement (an assignment's value too), outermost first */
  | { kind: 'calls'; calls: PyExpr[]; loc: Location; ctx: RCtx }
  | { kind: 'decorated'; name: string; decorators: PyExpr[]; def: 'function' | 'class'; loc: Location; ctx: RCtx }
  | { kind: 'return'; value?: RExpr; loc: Location; ctx: RCtx }
  | { kind: 'import'; imp: RImport };

export interface RScope {
  /** '' for the module; `create_app`, `Cls`, `Cls.method`, `outer.inner` */
  key: string;
  kind: 'module' | 'class' | 'function';
  params: string[];
  stmts: RStmt[];
  loc: Location;
}

export interface RModule {
  path: string;
  source: SourceFile;
  scopes: Map<string, RScope>;
  /** class name → its bases as written (module-level classes) */
  classes: Map<string, { bases: string[]; loc: Location }>;
  hasErrors: boolean;
}

const NO_CTX: RCtx = { loop: false, cond: false };
const MAX_DEPTH = 200;

export async function parseScopes(source: SourceFile): Promise<RModule> {
  const m: RModule = { path: source.path, source, scopes: new Map(), classes: new Map(), hasErrors: false };
  const parser = await loadLanguage('python');
  const tree = parser.parse(source.text);
  if (!tree) {
    m.hasErrors = true;
    return m;
  }
  try {
    m.hasErrors = tree.rootNode.hasError;
    new Walker(source, m).module(tree.rootNode);
  } finally {
    tree.delete();
  }
  return m;
}

class Walker {
  private readonly locate: Locate;
  constructor(
    private readonly src: SourceFile,
    private readonly m: RModule,
  ) {
    this.locate = (n) => src.location(n.startIndex, n.endIndex);
  }

  module(root: Node): void {
    const scope: RScope = { key: '', kind: 'module', params: [], stmts: [], loc: { file: this.src.path } };
    this.m.scopes.set('', scope);
    this.block(root, scope, NO_CTX, 0);
  }

  private block(block: Node, scope: RScope, ctx: RCtx, depth: number): void {
    for (const st of kids(block)) this.statement(st, scope, ctx, depth + 1);
  }

  private statement(st: Node, scope: RScope, ctx: RCtx, depth: number): void {
    if (depth > MAX_DEPTH) return;
    const loc = this.locate(st);
    switch (st.type) {
      case 'import_statement':
        for (const n of st.childrenForFieldName('name')) {
          if (!n) continue;
          const { name, local } = aliased(n);
          scope.stmts.push({ kind: 'import', imp: { module: name, local, loc, ctx } });
        }
        return;
      case 'import_from_statement': {
        const mod = st.childForFieldName('module_name')?.text ?? '';
        if (st.namedChildren.some((c) => c?.type === 'wildcard_import')) {
          scope.stmts.push({ kind: 'import', imp: { module: mod, star: true, local: '*', loc, ctx } });
          return;
        }
        for (const n of st.childrenForFieldName('name')) {
          if (!n) continue;
          const { name, local } = aliased(n);
          scope.stmts.push({ kind: 'import', imp: { module: mod, name, local, loc, ctx } });
        }
        return;
      }
      case 'function_definition':
      case 'class_definition':
        this.definition(st, [], scope, ctx, depth);
        return;
      case 'decorated_definition': {
        const decorators = st.namedChildren
          .filter((c): c is Node => c?.type === 'decorator')
          .map((d) => d.namedChildren.find((c): c is Node => c !== null && c.type !== 'comment'))
          .filter((c): c is Node => !!c)
          .map((c) => toExpr(c, this.locate));
        const def = st.childForFieldName('definition');
        if (def) this.definition(def, decorators, scope, ctx, depth, loc);
        return;
      }
      case 'expression_statement':
        this.simple(st, scope, ctx);
        return;
      case 'return_statement': {
        const v = st.firstNamedChild;
        scope.stmts.push(v ? { kind: 'return', value: this.rexpr(v, 0), loc, ctx } : { kind: 'return', loc, ctx });
        this.pushCalls(st, scope, ctx);
        return;
      }
      case 'if_statement': {
        const cond = st.childForFieldName('condition');
        if (cond) this.pushCalls(cond, scope, ctx);
        const branch = { ...ctx, cond: true };
        const body = st.childForFieldName('consequence');
        if (body) this.block(body, scope, branch, depth);
        for (const alt of st.childrenForFieldName('alternative')) {
          if (!alt) continue;
          const c = alt.childForFieldName('condition');
          if (c) this.pushCalls(c, scope, branch);
          for (const b of kids(alt)) if (b.type === 'block') this.block(b, scope, branch, depth);
        }
        return;
      }
      case 'for_statement':
      case 'while_statement': {
        const head = st.childForFieldName(st.type === 'for_statement' ? 'right' : 'condition');
        if (head) this.pushCalls(head, scope, ctx);
        const body = st.childForFieldName('body');
        if (body) this.block(body, scope, { ...ctx, loop: true }, depth);
        const alt = st.childForFieldName('alternative');
        if (alt) for (const b of kids(alt)) if (b.type === 'block') this.block(b, scope, { ...ctx, cond: true }, depth);
        return;
      }
      case 'try_statement':
        for (const c of kids(st)) {
          if (c.type === 'block') this.block(c, scope, ctx, depth);
          else for (const b of kids(c)) if (b.type === 'block') this.block(b, scope, { ...ctx, cond: true }, depth);
        }
        return;
      case 'with_statement': {
        for (const c of kids(st)) {
          if (c.type === 'block') this.block(c, scope, ctx, depth);
          else this.pushCalls(c, scope, ctx);
        }
        return;
      }
      case 'match_statement': {
        const subj = st.childForFieldName('subject');
        if (subj) this.pushCalls(subj, scope, ctx);
        const body = st.childForFieldName('body');
        for (const alt of kids(body)) for (const b of kids(alt)) if (b.type === 'block') this.block(b, scope, { ...ctx, cond: true }, depth);
        return;
      }
      default:
        // assert, del, global, raise, pass, ...: their calls only
        this.pushCalls(st, scope, ctx);
    }
  }

  private definition(def: Node, decorators: PyExpr[], scope: RScope, ctx: RCtx, depth: number, outerLoc?: Location): void {
    const name = def.childForFieldName('name')?.text;
    const body = def.childForFieldName('body');
    if (!name || !body) return;
    const loc = outerLoc ?? this.locate(def);
    const isClass = def.type === 'class_definition';
    scope.stmts.push({ kind: 'decorated', name, decorators, def: isClass ? 'class' : 'function', loc, ctx });
    const key = scope.key ? `${scope.key}.${name}` : name;
    if (isClass) {
      const bases = (def.childForFieldName('superclasses')?.namedChildren ?? []).filter((c): c is Node => !!c && c.type !== 'comment' && c.type !== 'keyword_argument').map((c) => c.text);
      if (scope.kind === 'module') this.m.classes.set(name, { bases, loc });
      const inner: RScope = { key, kind: 'class', params: [], stmts: [], loc };
      this.m.scopes.set(key, inner);
      this.block(body, inner, NO_CTX, depth);
      return;
    }
    const params: string[] = [];
    const plist = def.childForFieldName('parameters');
    if (plist) this.pushCalls(plist, scope, ctx); // defaults run at definition time
    for (const p of plist?.namedChildren ?? []) {
      if (!p) continue;
      if (p.type === 'identifier') params.push(p.text);
      else if (p.type === 'typed_parameter') params.push(p.namedChildren.find((c) => c?.type === 'identifier')?.text ?? '?');
      else if (p.type === 'default_parameter' || p.type === 'typed_default_parameter') params.push(p.childForFieldName('name')?.text ?? '?');
      else if (p.type === 'list_splat_pattern' || p.type === 'dictionary_splat_pattern') params.push(`*${p.text.replace(/^\*+/, '')}`);
    }
    const inner: RScope = { key, kind: 'function', params, stmts: [], loc };
    this.m.scopes.set(key, inner);
    this.block(body, inner, NO_CTX, depth);
  }

  private simple(st: Node, scope: RScope, ctx: RCtx): void {
    const e = st.firstNamedChild;
    const loc = this.locate(st);
    if (e?.type === 'assignment') {
      const left = e.childForFieldName('left');
      let right = e.childForFieldName('right');
      const targets: Node[] = left ? [left] : [];
      while (right?.type === 'assignment') {
        const l = right.childForFieldName('left');
        if (l) targets.push(l);
        right = right.childForFieldName('right');
      }
      if (right)
        for (const t of targets) {
          if (t.type === 'identifier' || t.type === 'attribute' || t.type === 'subscript') scope.stmts.push({ kind: 'assign', target: t.text.replace(/\s+/g, ''), value: this.rexpr(right, 0), loc, ctx });
          else for (const n of t.namedChildren) if (n?.type === 'identifier') scope.stmts.push({ kind: 'assign', target: n.text, value: { kind: 'other', type: 'unpack', text: right.text, loc: this.locate(right) }, loc, ctx });
        }
    } else if (e?.type === 'augmented_assignment') {
      const left = e.childForFieldName('left');
      const right = e.childForFieldName('right');
      const op = e.childForFieldName('operator')?.text ?? '';
      if (left && right && (left.type === 'identifier' || left.type === 'attribute')) scope.stmts.push({ kind: 'augassign', target: left.text.replace(/\s+/g, ''), op, value: this.rexpr(right, 0), loc, ctx });
    }
    this.pushCalls(st, scope, ctx);
  }

  private rexpr(n: Node, depth: number): RExpr {
    if (n.type === 'binary_operator' && n.childForFieldName('operator')?.type === '+' && depth < 50) {
      const l = n.childForFieldName('left');
      const r = n.childForFieldName('right');
      if (l && r) {
        const left = this.rexpr(l, depth + 1);
        const parts = left.kind === 'concat' ? [...left.parts] : [left];
        parts.push(this.rexpr(r, depth + 1));
        return { kind: 'concat', parts, text: n.text, loc: this.locate(n) };
      }
    }
    if (n.type === 'parenthesized_expression' && n.firstNamedChild?.type === 'binary_operator') return this.rexpr(n.firstNamedChild, depth + 1);
    return toExpr(n, this.locate);
  }

  /** Record the calls below `node` (not inside lambdas or nested definitions); comprehensions count as loops. */
  private pushCalls(node: Node, scope: RScope, ctx: RCtx): void {
    const plain: PyExpr[] = [];
    const looped: PyExpr[] = [];
    const stack: { n: Node; loop: boolean; d: number }[] = [{ n: node, loop: false, d: 0 }];
    while (stack.length) {
      const { n, loop, d } = stack.pop()!;
      if (d > MAX_DEPTH || n.type === 'lambda' || n.type === 'function_definition' || n.type === 'class_definition') continue;
      if (n.type === 'call') (loop ? looped : plain).push(toExpr(n, this.locate));
      const inLoop = loop || /comprehension$|^generator_expression$/.test(n.type);
      for (let i = n.namedChildCount - 1; i >= 0; i--) {
        const c = n.namedChild(i);
        if (c) stack.push({ n: c, loop: inLoop, d: d + 1 });
      }
    }
    const loc = this.locate(node);
    if (plain.length) scope.stmts.push({ kind: 'calls', calls: plain, loc, ctx });
    if (looped.length) scope.stmts.push({ kind: 'calls', calls: looped, loc, ctx: { ...ctx, loop: true } });
  }
}

/** Every call inside an expression (the expression itself first). */
export function callsIn(e: PyExpr): PyExpr[] {
  const out: PyExpr[] = [];
  const visit = (x: PyExpr, d: number): void => {
    if (d > 100) return;
    switch (x.kind) {
      case 'call':
        out.push(x);
        visit(x.func, d + 1);
        for (const a of x.args) visit(a, d + 1);
        for (const k of x.kwargs) visit(k.value, d + 1);
        return;
      case 'attr':
        visit(x.object, d + 1);
        return;
      case 'seq':
        for (const i of x.items) visit(i, d + 1);
        return;
      case 'dict':
        for (const en of x.entries) {
          visit(en.key, d + 1);
          visit(en.value, d + 1);
        }
        return;
      case 'subscript':
        visit(x.value, d + 1);
        for (const i of x.index) visit(i, d + 1);
        return;
      default:
    }
  };
  visit(e, 0);
  return out;
}

function kids(n: Node | null | undefined): Node[] {
  if (!n) return [];
  return n.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment');
}

function aliased(n: Node): { name: string; local: string } {
  if (n.type === 'aliased_import') {
    const name = n.childForFieldName('name')?.text ?? n.text;
    return { name, local: n.childForFieldName('alias')?.text ?? name };
  }
  return { name: n.text, local: n.text.split('.')[0]! };
}
