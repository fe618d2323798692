/**
 * A small evaluator for the right-hand sides of Django settings: enough Python to compute paths
 * (`Path(__file__).resolve().parent.parent / "static"`, `os.path.join(BASE_DIR, "static")`,
 * `os.path.dirname(os.path.abspath(__file__))`, django-environ `environ.Path(__file__) - 3`),
 * strings, numbers, booleans, lists, dicts, simple comparisons and environment reads
 * (`os.environ.get("X", "d")`, `os.getenv`, `os.environ["X"]`, django-environ `env("X", default=)`,
 * `env.str/bool/int`). Anything else evaluates to `unknown`; nothing here throws.
 *
 * Values are computed in the filesystem the process sees: `__file__` is the module's path in the
 * image, so `BASE_DIR` comes out as an image path (`/app/blog`). Path semantics follow pathlib
 * and os.path (https://docs.python.org/3/library/pathlib.html#pathlib.PurePath.parent,
 * https://docs.python.org/3/library/os.path.html#os.path.join: an absolute component discards
 * what came before). django-environ's `Path.__sub__(n)` goes up n levels
 * (joke2k/django-environ environ/environ.py `Path.__sub__` → `self.path('../' * other)`).
 */
import { posix } from 'node:path';
import type { Location } from '../../core/location.js';

export type PyVal =
  | { k: 'path'; p: string; /** how the path was made from a base name, for "did you mean" */ from?: { name: string; base: string; tail: string[] } }
  | { k: 'str'; s: string }
  | { k: 'num'; n: number }
  | { k: 'bool'; b: boolean }
  | { k: 'none' }
  | { k: 'list'; items: PyItem[] }
  | { k: 'dict'; entries: Map<string, PyItem> }
  | { k: 'fn'; name: string; self?: PyVal }
  | { k: 'env-path'; p: string }
  | { k: 'unknown' };

/** A container element with where it is written. */
export interface PyItem {
  v: PyVal;
  loc?: Location;
  text: string;
}

export const UNKNOWN: PyVal = { k: 'unknown' };

export interface EvalScope {
  /** a name's value (module namespace); undefined when the module does not bind it */
  lookup(name: string): PyVal | undefined;
  /** the process environment: string, null when unknown, undefined when unset */
  env(name: string): string | null | undefined;
  /** the module's own path (`__file__`) */
  file: string;
  /** the process's working directory (relative paths in os.path calls) */
  cwd: string;
}

// ------------------------------------------------------------------ tokens

type Tok = { t: 'name' | 'str' | 'num' | 'op' | 'fstr'; v: string; s: number; e: number };

function tokenize(text: string): Tok[] | undefined {
  const out: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (/\s/.test(c) || c === '\\') {
      i++;
      continue;
    }
    const strStart = /^([rRbBuUfF]{0,2})("""|'''|"|')/.exec(text.slice(i, i + 5));
    if (strStart && (strStart[1]!.length > 0 ? /[A-Za-z]/.test(c) : true) && (c === '"' || c === "'" || strStart[1]!.length > 0)) {
      const prefix = strStart[1]!.toLowerCase();
      const q = strStart[2]!;
      let j = i + strStart[0].length;
      let val = '';
      while (j < text.length && !text.startsWith(q, j)) {
        if (text[j] === '\\' && !prefix.includes('r')) {
          const n = text[j + 1] ?? '';
          val += n === 'n' ? '\n' : n === 't' ? '\t' : n;
          j += 2;
          continue;
        }
        val += text[j];
        j++;
      }
      if (j >= text.length) return undefined;
      j += q.length;
      out.push({ t: prefix.includes('f') ? 'fstr' : 'str', v: val, s: i, e: j });
      i = j;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
    if (name) {
      out.push({ t: 'name', v: name[0], s: i, e: i + name[0].length });
      i += name[0].length;
      continue;
    }
    const num = /^\d[\d_]*(?:\.\d*)?/.exec(text.slice(i));
    if (num) {
      out.push({ t: 'num', v: num[0].replace(/_/g, ''), s: i, e: i + num[0].length });
      i += num[0].length;
      continue;
    }
    const op = /^(?:==|!=|<=|>=|\*\*|\/\/|[-+*/%()[\]{},.:=<>|&~@])/.exec(text.slice(i));
    if (!op) return undefined;
    out.push({ t: 'op', v: op[0], s: i, e: i + op[0].length });
    i += op[0].length;
  }
  return out;
}

// ------------------------------------------------------------------ syntax

type Node =
  | { n: 'name'; id: string; s: number; e: number }
  | { n: 'lit'; v: PyVal; s: number; e: number }
  | { n: 'attr'; obj: Node; attr: string; s: number; e: number }
  | { n: 'call'; fn: Node; args: Node[]; kwargs: Map<string, Node>; s: number; e: number }
  | { n: 'sub'; obj: Node; index: Node; s: number; e: number }
  | { n: 'bin'; op: string; l: Node; r: Node; s: number; e: number }
  | { n: 'not'; x: Node; s: number; e: number }
  | { n: 'seq'; kind: 'list' | 'tuple'; items: Node[]; s: number; e: number }
  | { n: 'dict'; entries: [Node, Node][]; s: number; e: number }
  | { n: 'opaque'; s: number; e: number };

class Parser {
  i = 0;
  constructor(private readonly toks: Tok[]) {}
  peek(v?: string): Tok | undefined {
    const t = this.toks[this.i];
    return t && (v === undefined || (t.v === v && (t.t === 'op' || t.t === 'name'))) ? t : undefined;
  }
  eat(v: string): Tok {
    const t = this.peek(v);
    if (!t) throw new Error(`expected ${v}`);
    this.i++;
    return t;
  }
  done(): boolean {
    return this.i >= this.toks.length;
  }
  expr(): Node {
    const x = this.or();
    if (this.peek('if') || this.peek('for') || this.peek('lambda')) throw new Error('unsupported');
    return x;
  }
  or(): Node {
    let l = this.and();
    while (this.peek('or')) {
      this.i++;
      const r = this.and();
      l = { n: 'bin', op: 'or', l, r, s: l.s, e: r.e };
    }
    return l;
  }
  and(): Node {
    let l = this.not();
    while (this.peek('and')) {
      this.i++;
      const r = this.not();
      l = { n: 'bin', op: 'and', l, r, s: l.s, e: r.e };
    }
    return l;
  }
  not(): Node {
    const t = this.peek('not');
    if (t) {
      this.i++;
      const x = this.not();
      return { n: 'not', x, s: t.s, e: x.e };
    }
    return this.cmp();
  }
  cmp(): Node {
    let l = this.sum();
    for (;;) {
      const t = this.toks[this.i];
      if (!t) return l;
      let op: string | undefined;
      if (t.t === 'op' && ['==', '!=', '<', '>', '<=', '>='].includes(t.v)) op = t.v;
      else if (t.t === 'name' && t.v === 'in') op = 'in';
      else if (t.t === 'name' && t.v === 'not' && this.toks[this.i + 1]?.v === 'in') op = 'not in';
      else if (t.t === 'name' && t.v === 'is') op = this.toks[this.i + 1]?.v === 'not' ? 'is not' : 'is';
      if (!op) return l;
      this.i += op.includes(' ') ? 2 : 1;
      const r = this.sum();
      l = { n: 'bin', op, l, r, s: l.s, e: r.e };
    }
  }
  sum(): Node {
    let l = this.term();
    for (let t = this.peek(); t && t.t === 'op' && (t.v === '+' || t.v === '-' || t.v === '|'); t = this.peek()) {
      this.i++;
      const r = this.term();
      l = { n: 'bin', op: t.v, l, r, s: l.s, e: r.e };
    }
    return l;
  }
  term(): Node {
    let l = this.unary();
    for (let t = this.peek(); t && t.t === 'op' && (t.v === '/' || t.v === '*' || t.v === '%' || t.v === '//'); t = this.peek()) {
      this.i++;
      const r = this.unary();
      l = { n: 'bin', op: t.v, l, r, s: l.s, e: r.e };
    }
    return l;
  }
  unary(): Node {
    const t = this.peek('-');
    if (t) {
      this.i++;
      const x = this.unary();
      if (x.n === 'lit' && x.v.k === 'num') return { n: 'lit', v: { k: 'num', n: -x.v.n }, s: t.s, e: x.e };
      return { n: 'opaque', s: t.s, e: x.e };
    }
    return this.postfix();
  }
  postfix(): Node {
    let x = this.atom();
    for (;;) {
      if (this.peek('.')) {
        this.i++;
        const a = this.toks[this.i++];
        if (!a || a.t !== 'name') throw new Error('attr');
        x = { n: 'attr', obj: x, attr: a.v, s: x.s, e: a.e };
      } else if (this.peek('(')) {
        this.i++;
        const args: Node[] = [];
        const kwargs = new Map<string, Node>();
        while (!this.peek(')')) {
          if (this.peek('*') || this.peek('**')) throw new Error('splat');
          const t = this.toks[this.i];
          if (t?.t === 'name' && this.toks[this.i + 1]?.v === '=' && this.toks[this.i + 1]?.t === 'op') {
            this.i += 2;
            kwargs.set(t.v, this.expr());
          } else args.push(this.expr());
          if (!this.peek(',')) break;
          this.i++;
        }
        const end = this.eat(')');
        x = { n: 'call', fn: x, args, kwargs, s: x.s, e: end.e };
      } else if (this.peek('[')) {
        this.i++;
        const index = this.expr();
        if (this.peek(':')) throw new Error('slice');
        const end = this.eat(']');
        x = { n: 'sub', obj: x, index, s: x.s, e: end.e };
      } else return x;
    }
  }
  atom(): Node {
    const t = this.toks[this.i];
    if (!t) throw new Error('eof');
    if (t.t === 'str' || t.t === 'fstr') {
      // adjacent literals concatenate
      let s = '';
      let fstr = false;
      let end = t.e;
      while (this.toks[this.i] && (this.toks[this.i]!.t === 'str' || this.toks[this.i]!.t === 'fstr')) {
        const x = this.toks[this.i++]!;
        if (x.t === 'fstr') fstr = true;
        s += x.v;
        end = x.e;
      }
      return fstr ? { n: 'opaque', s: t.s, e: end } : { n: 'lit', v: { k: 'str', s }, s: t.s, e: end };
    }
    if (t.t === 'num') {
      this.i++;
      return { n: 'lit', v: { k: 'num', n: Number(t.v) }, s: t.s, e: t.e };
    }
    if (t.t === 'name') {
      this.i++;
      if (t.v === 'True' || t.v === 'False') return { n: 'lit', v: { k: 'bool', b: t.v === 'True' }, s: t.s, e: t.e };
      if (t.v === 'None') return { n: 'lit', v: { k: 'none' }, s: t.s, e: t.e };
      if (['lambda', 'yield', 'await', 'if', 'for'].includes(t.v)) throw new Error('kw');
      return { n: 'name', id: t.v, s: t.s, e: t.e };
    }
    if (t.v === '(' || t.v === '[') {
      const close = t.v === '(' ? ')' : ']';
      this.i++;
      const items: Node[] = [];
      let comma = false;
      while (!this.peek(close)) {
        items.push(this.expr());
        if (this.peek('for')) throw new Error('comprehension');
        if (!this.peek(',')) break;
        comma = true;
        this.i++;
      }
      const end = this.eat(close);
      if (t.v === '(' && items.length === 1 && !comma) return { ...items[0]!, s: t.s, e: end.e };
      return { n: 'seq', kind: t.v === '(' ? 'tuple' : 'list', items, s: t.s, e: end.e };
    }
    if (t.v === '{') {
      this.i++;
      const entries: [Node, Node][] = [];
      while (!this.peek('}')) {
        if (this.peek('**')) throw new Error('splat');
        const k = this.expr();
        if (!this.peek(':')) throw new Error('set');
        this.i++;
        entries.push([k, this.expr()]);
        if (this.peek('for')) throw new Error('comprehension');
        if (!this.peek(',')) break;
        this.i++;
      }
      const end = this.eat('}');
      return { n: 'dict', entries, s: t.s, e: end.e };
    }
    throw new Error(`unexpected ${t.v}`);
  }
}

/** Parse an expression; undefined when it is outside the subset. */
function parse(text: string): Node | undefined {
  const toks = tokenize(text);
  if (!toks || !toks.length) return undefined;
  try {
    const p = new Parser(toks);
    const n = p.expr();
    return p.done() ? n : undefined;
  } catch {
    return undefined;
  }
}

// ------------------------------------------------------------------ evaluation

const TRUE_ENV = new Set(['true', 'on', 'ok', 'y', 'yes', '1']);

/** Evaluate `text` (an expression) in a module scope; `locate` turns offsets in `text` into locations for list and dict items. */
export function evaluate(text: string, scope: EvalScope, locate?: (start: number, end: number) => Location): PyVal {
  const node = parse(text);
  if (!node) return UNKNOWN;
  try {
    return new Evaluator(scope, text, locate).eval(node);
  } catch {
    return UNKNOWN;
  }
}

const pathOf = (v: PyVal): string | undefined => (v.k === 'path' || v.k === 'env-path' ? v.p : v.k === 'str' ? v.s : undefined);

class Evaluator {
  constructor(
    private readonly scope: EvalScope,
    private readonly text: string,
    private readonly locate?: (start: number, end: number) => Location,
  ) {}

  private item(v: PyVal, n: { s: number; e: number }): PyItem {
    const it: PyItem = { v, text: this.text.slice(n.s, n.e) };
    const loc = this.locate?.(n.s, n.e);
    if (loc) it.loc = loc;
    return it;
  }

  eval(n: Node): PyVal {
    switch (n.n) {
      case 'lit':
        return n.v;
      case 'opaque':
        return UNKNOWN;
      case 'name':
        return this.name(n.id);
      case 'seq':
        return { k: 'list', items: n.items.map((i) => this.item(this.eval(i), i)) };
      case 'dict': {
        const entries = new Map<string, PyItem>();
        for (const [k, v] of n.entries) {
          const key = this.eval(k);
          if (key.k !== 'str') return UNKNOWN;
          entries.set(key.s, this.item(this.eval(v), v));
        }
        return { k: 'dict', entries };
      }
      case 'not': {
        const b = truth(this.eval(n.x));
        return b === undefined ? UNKNOWN : { k: 'bool', b: !b };
      }
      case 'attr':
        return this.attr(n);
      case 'sub':
        return this.sub(n);
      case 'call':
        return this.call(n);
      case 'bin':
        return this.bin(n);
    }
  }

  private name(id: string): PyVal {
    const bound = this.scope.lookup(id);
    if (bound) return bound;
    switch (id) {
      case '__file__':
        return { k: 'str', s: this.scope.file };
      case 'os':
      case 'Path':
      case 'PurePath':
      case 'PosixPath':
      case 'str':
      case 'bool':
      case 'int':
      case 'environ':
      case 'pathlib':
      case 'getenv':
        return { k: 'fn', name: id };
      default:
        return UNKNOWN;
    }
  }

  private dotted(n: Node): string | undefined {
    if (n.n === 'name') return this.scope.lookup(n.id) ? undefined : n.id;
    if (n.n === 'attr') {
      const o = this.dotted(n.obj);
      return o === undefined ? undefined : `${o}.${n.attr}`;
    }
    return undefined;
  }

  private attr(n: Node & { n: 'attr' }): PyVal {
    const d = this.dotted(n);
    if (d && /^(?:os(?:\.path)?|pathlib|environ)\.\w+(?:\.\w+)?$/.test(d)) return { k: 'fn', name: d };
    const o = this.eval(n.obj);
    if (o.k === 'path') {
      if (n.attr === 'parent') return { k: 'path', p: posix.dirname(o.p) };
      if (n.attr === 'parents') return { k: 'fn', name: 'parents', self: o };
      if (n.attr === 'name') return { k: 'str', s: posix.basename(o.p) };
      return { k: 'fn', name: `Path.${n.attr}`, self: o };
    }
    if (o.k === 'env-path') {
      if (n.attr === 'root') return { k: 'str', s: o.p };
      return { k: 'fn', name: `EnvPath.${n.attr}`, self: o };
    }
    if (o.k === 'str') return { k: 'fn', name: `str.${n.attr}`, self: o };
    if (o.k === 'fn' && o.name === 'env') return { k: 'fn', name: `env.${n.attr}` };
    return UNKNOWN;
  }

  private sub(n: Node & { n: 'sub' }): PyVal {
    const o = this.eval(n.obj);
    const i = this.eval(n.index);
    if (o.k === 'fn' && o.name === 'parents' && o.self?.k === 'path' && i.k === 'num') {
      let p = o.self.p;
      for (let k = 0; k <= i.n; k++) p = posix.dirname(p);
      return { k: 'path', p };
    }
    if (o.k === 'fn' && o.name === 'os.environ' && i.k === 'str') return this.envStr(i.s, undefined);
    if (o.k === 'dict' && i.k === 'str') return o.entries.get(i.s)?.v ?? UNKNOWN;
    if (o.k === 'list' && i.k === 'num') return o.items.at(i.n)?.v ?? UNKNOWN;
    return UNKNOWN;
  }

  private envStr(name: string, def: PyVal | undefined): PyVal {
    const v = this.scope.env(name);
    if (v === null) return UNKNOWN;
    if (v === undefined) return def ?? UNKNOWN;
    return { k: 'str', s: v };
  }

  private call(n: Node & { n: 'call' }): PyVal {
    const f = this.eval(n.fn);
    const args = n.args.map((a) => this.eval(a));
    const kw = (k: string): PyVal | undefined => {
      const x = n.kwargs.get(k);
      return x ? this.eval(x) : undefined;
    };
    // django-environ: `root("static")` joins and returns a string
    if (f.k === 'env-path') {
      const parts = args.map(pathOf);
      return parts.some((p) => p === undefined) ? UNKNOWN : { k: 'str', s: posix.resolve(f.p, ...(parts as string[])) };
    }
    if (f.k !== 'fn') return UNKNOWN;
    const a0 = args[0];
    switch (f.name) {
      case 'Path':
      case 'PurePath':
      case 'PosixPath':
      case 'pathlib.Path':
      case 'pathlib.PurePath': {
        if (!args.length) return { k: 'path', p: this.scope.cwd };
        const parts = args.map(pathOf);
        if (parts.some((p) => p === undefined)) return UNKNOWN;
        return { k: 'path', p: posix.resolve(this.scope.cwd, ...(parts as string[])) };
      }
      case 'environ.Env':
        return { k: 'fn', name: 'env' };
      case 'environ.Path': {
        const p = a0 ? pathOf(a0) : undefined;
        return p === undefined ? UNKNOWN : { k: 'env-path', p: posix.resolve(this.scope.cwd, p) };
      }
      case 'str':
      case 'os.fspath': {
        if (!a0) return { k: 'str', s: '' };
        const p = pathOf(a0);
        return p === undefined ? (a0.k === 'num' ? { k: 'str', s: String(a0.n) } : UNKNOWN) : { k: 'str', s: p };
      }
      case 'bool':
        return truth(a0 ?? { k: 'bool', b: false }) === undefined ? UNKNOWN : { k: 'bool', b: truth(a0 ?? { k: 'bool', b: false })! };
      case 'int':
        return a0?.k === 'num' ? a0 : a0?.k === 'str' && /^\s*-?\d+\s*$/.test(a0.s) ? { k: 'num', n: Number(a0.s) } : UNKNOWN;
      case 'os.path.join': {
        const parts = args.map(pathOf);
        if (!parts.length || parts.some((p) => p === undefined)) return UNKNOWN;
        const joined = posix.join(...(parts as string[]).reduce<string[]>((acc, p) => (p.startsWith('/') ? [p] : [...acc, p]), []));
        const first = n.args[0];
        if (first?.n === 'name' && parts.length > 1 && parts.slice(1).every((p) => !p!.startsWith('/')))
          return { k: 'path', p: posix.resolve(this.scope.cwd, joined), from: { name: first.id, base: posix.resolve(this.scope.cwd, parts[0]!), tail: parts.slice(1) as string[] } };
        return { k: 'str', s: joined };
      }
      case 'os.path.dirname': {
        const p = a0 ? pathOf(a0) : undefined;
        return p === undefined ? UNKNOWN : { k: 'str', s: posix.dirname(p) };
      }
      case 'os.path.abspath':
      case 'os.path.realpath':
      case 'os.path.normpath': {
        const p = a0 ? pathOf(a0) : undefined;
        return p === undefined ? UNKNOWN : { k: 'str', s: posix.resolve(this.scope.cwd, p) };
      }
      case 'os.path.basename': {
        const p = a0 ? pathOf(a0) : undefined;
        return p === undefined ? UNKNOWN : { k: 'str', s: posix.basename(p) };
      }
      case 'os.environ.get':
      case 'os.getenv':
      case 'getenv': {
        if (a0?.k !== 'str') return UNKNOWN;
        return this.envStr(a0.s, args[1] ?? kw('default') ?? { k: 'none' });
      }
      case 'env':
      case 'env.str':
      case 'env.path': {
        if (a0?.k !== 'str') return UNKNOWN;
        const def = kw('default') ?? (f.name === 'env' ? args[2] : args[1]);
        const v = this.envStr(a0.s, def);
        return f.name === 'env.path' && v.k === 'str' ? { k: 'path', p: posix.resolve(this.scope.cwd, v.s) } : v;
      }
      case 'env.bool': {
        if (a0?.k !== 'str') return UNKNOWN;
        const raw = this.scope.env(a0.s);
        if (raw === null) return UNKNOWN;
        if (raw === undefined) return kw('default') ?? args[1] ?? UNKNOWN;
        return { k: 'bool', b: TRUE_ENV.has(raw.trim().toLowerCase()) };
      }
      case 'Path.resolve':
      case 'Path.absolute':
      case 'Path.expanduser':
        return f.self?.k === 'path' ? { k: 'path', p: posix.resolve(this.scope.cwd, f.self.p) } : UNKNOWN;
      case 'Path.joinpath': {
        const parts = args.map(pathOf);
        if (f.self?.k !== 'path' || parts.some((p) => p === undefined)) return UNKNOWN;
        return { k: 'path', p: posix.resolve(f.self.p, ...(parts as string[])) };
      }
      case 'EnvPath.path': {
        const parts = args.map(pathOf);
        if (f.self?.k !== 'env-path' || parts.some((p) => p === undefined)) return UNKNOWN;
        return { k: 'env-path', p: posix.resolve(f.self.p, ...(parts as string[])) };
      }
      case 'str.split':
      case 'str.strip':
      case 'str.lower':
      case 'str.upper':
        if (f.self?.k !== 'str') return UNKNOWN;
        if (f.name === 'str.strip') return { k: 'str', s: f.self.s.trim() };
        if (f.name === 'str.lower') return { k: 'str', s: f.self.s.toLowerCase() };
        if (f.name === 'str.upper') return { k: 'str', s: f.self.s.toUpperCase() };
        return a0?.k === 'str' ? { k: 'list', items: f.self.s.split(a0.s).map((s) => this.item({ k: 'str', s }, n)) } : UNKNOWN;
      default:
        return UNKNOWN;
    }
  }

  private bin(n: Node & { n: 'bin' }): PyVal {
    const l = this.eval(n.l);
    if (n.op === 'and' || n.op === 'or') {
      const lt = truth(l);
      if (lt === undefined) return UNKNOWN;
      if (n.op === 'and') return lt ? this.eval(n.r) : l;
      return lt ? l : this.eval(n.r);
    }
    const r = this.eval(n.r);
    if (n.op === '/') {
      if (l.k === 'path') {
        const tail = pathOf(r);
        if (tail === undefined) return UNKNOWN;
        const out: PyVal = { k: 'path', p: posix.resolve(l.p, tail) };
        const baseName = n.l.n === 'name' ? n.l.id : l.from?.name;
        if (baseName) out.from = { name: baseName, base: l.from?.base ?? l.p, tail: [...(l.from && n.l.n !== 'name' ? l.from.tail : []), tail] };
        return out;
      }
      return UNKNOWN;
    }
    if (n.op === '-' && l.k === 'env-path' && r.k === 'num') {
      let p = l.p;
      for (let i = 0; i < r.n; i++) p = posix.dirname(p);
      return { k: 'env-path', p };
    }
    if (n.op === '+') {
      if (l.k === 'str' && r.k === 'str') return { k: 'str', s: l.s + r.s };
      if (l.k === 'list' && r.k === 'list') return { k: 'list', items: [...l.items, ...r.items] };
      if (l.k === 'num' && r.k === 'num') return { k: 'num', n: l.n + r.n };
      return UNKNOWN;
    }
    if (n.op === '==' || n.op === '!=') {
      const eq = equal(l, r);
      return eq === undefined ? UNKNOWN : { k: 'bool', b: n.op === '==' ? eq : !eq };
    }
    if (n.op === 'in' || n.op === 'not in') {
      if (r.k === 'list' || (r.k === 'str' && l.k === 'str')) {
        let hit: boolean | undefined;
        if (r.k === 'str') hit = r.s.includes((l as { s: string }).s);
        else {
          hit = false;
          for (const it of r.items) {
            const e = equal(l, it.v);
            if (e === undefined) return UNKNOWN;
            if (e) hit = true;
          }
        }
        return { k: 'bool', b: n.op === 'in' ? hit : !hit };
      }
      return UNKNOWN;
    }
    return UNKNOWN;
  }
}

function equal(a: PyVal, b: PyVal): boolean | undefined {
  if (a.k === 'unknown' || b.k === 'unknown') return undefined;
  if (a.k === 'str' && b.k === 'str') return a.s === b.s;
  if (a.k === 'num' && b.k === 'num') return a.n === b.n;
  if (a.k === 'bool' && b.k === 'bool') return a.b === b.b;
  if (a.k === 'none' || b.k === 'none') return a.k === b.k;
  if ((a.k === 'str' || a.k === 'num' || a.k === 'bool') && (b.k === 'str' || b.k === 'num' || b.k === 'bool')) return false;
  return undefined;
}

/** Python truthiness; undefined when unknown. */
export function truth(v: PyVal): boolean | undefined {
  switch (v.k) {
    case 'bool':
      return v.b;
    case 'num':
      return v.n !== 0;
    case 'str':
      return v.s !== '';
    case 'none':
      return false;
    case 'list':
      return v.items.length > 0;
    case 'dict':
      return v.entries.size > 0;
    case 'path':
    case 'env-path':
      return true;
    default:
      return undefined;
  }
}

/** A value used as a filesystem path setting, resolved against the process's working directory. */
export function asPath(v: PyVal, cwd: string): string | undefined {
  const p = pathOf(v);
  return p === undefined || p === '' ? undefined : posix.resolve(cwd, p);
}
