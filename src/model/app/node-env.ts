/**
 * Environment reads of JavaScript/TypeScript application code, with the tokenizer of
 * `routes-express.ts` (no parser, no regexes over code):
 *
 * - `process.env.X`, `process.env["X"]`: required when the value is used as is; optional when a
 *   fallback follows (`?? d`, `|| d`, also after a wrapping call: `Number(process.env.PORT) || 3000`),
 *   when it is only tested (`if (process.env.X)`, `process.env.X ? a : b`, `&&`, `!`, `typeof`,
 *   a comparison) or read in a conditional branch, and with optional chaining (`?.`);
 * - destructuring: `const { X, Y = 'd' } = process.env` (required without a default);
 * - envalid: `cleanEnv(process.env, { X: str(), Y: port({ default: 3000 }) })` (required unless
 *   `default` or `devDefault` is given);
 * - zod: `z.object({ X: z.string(), Y: z.string().default('a') }).parse(process.env)`, also through a
 *   schema variable of the same file (required unless `.default`, `.optional`, `.nullish` or
 *   `.catch`; `safeParse` makes every key optional since it does not throw).
 *
 * A read inside a function body runs when the function runs, not when the module loads
 * (`atImport: false`). Variables the front-end bundlers inline at build time (`REACT_APP_*`,
 * `NEXT_PUBLIC_*`, `VITE_*`, ...) are never required at runtime.
 *
 * Cheap by design: a file is tokenized only when its text contains `process.env`.
 */
import type { SourceFile } from '../../core/source-file.js';
import { args, closing, tokenize, type Tok } from './routes-express.js';
import type { EnvRead } from './types.js';

const JS_EXT = /\.(?:[cm]?[jt]s|jsx|tsx)$/;
const SKIP_DIR = /(?:^|\/)(?:node_modules|dist|build|out|\.next|\.nuxt|\.output|\.svelte-kit|coverage|tests?|__tests__|__mocks__|__fixtures__|fixtures|e2e|cypress|spec|\.storybook|storybook-static|vendor|public|static)\//;
const SKIP_FILE = /(?:^|\/)(?:[^/]+\.(?:test|spec|stories|e2e)\.[^/]+|[^/]+\.d\.[cm]?ts|(?:jest|vitest|vite|webpack|rollup|babel|eslint|prettier|tailwind|postcss|playwright|cypress|karma|svelte|astro|tsup|esbuild|commitlint|lint-staged|stylelint)\.config\.[^/]+|\.eslintrc\.[^/]+|\.prettierrc\.[^/]+|gulpfile\.[^/]+|Gruntfile\.[^/]+)$/;
/** inlined by bundlers at build time, not read from the container's environment */
const BUILD_TIME = /^(?:REACT_APP_|NEXT_PUBLIC_|VITE_|VUE_APP_|GATSBY_|EXPO_PUBLIC_|NX_PUBLIC_|STORYBOOK_)/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const COMPARE = new Set(['===', '!==', '==', '!=']);
const ASSIGN = new Set(['=', '+=', '-=', '??=', '||=', '&&=']);
const CONDITION_KEYWORDS = new Set(['if', 'while']);
const NOT_FUNCTION = new Set(['if', 'for', 'while', 'switch', 'catch', 'with', 'return', 'typeof', 'await', 'yield', 'in', 'of', 'new', 'delete', 'void']);
const OPTIONAL_ZOD = new Set(['default', 'optional', 'nullish', 'catch']);
/** tokens after which an expression continues on the next line */
const CONTINUES = new Set(['.', '?.', '?', ':', '||', '&&', '??', '+', '-', '*', '/', '%', '**', '=', '==', '===', '!=', '!==', '<', '>', '<=', '>=', '=>', '(', '[', '{', ',', '!', '&', '|', '^']);

/** An application JavaScript/TypeScript file (not dependencies, build output, tests or tool configs). */
export function isAppJsFile(path: string): boolean {
  return JS_EXT.test(path) && !SKIP_DIR.test(path) && !SKIP_FILE.test(path);
}

/** The environment reads of one JavaScript/TypeScript file (none unless it mentions `process.env`). */
export function nodeEnvReads(src: SourceFile): EnvRead[] {
  if (!src.text.includes('process.env')) return [];
  return new NodeEnvScanner(src).scan();
}

class NodeEnvScanner {
  private readonly toks: Tok[];
  /** bracket index → its partner */
  private readonly pair = new Map<number, number>();
  /** per token: how many function bodies enclose it */
  private readonly fnDepth: number[];
  private readonly out: EnvRead[] = [];

  constructor(private readonly src: SourceFile) {
    this.toks = tokenize(src.text);
    const stack: number[] = [];
    this.toks.forEach((t, i) => {
      if (t.t !== 'punc') return;
      if (t.v === '(' || t.v === '[' || t.v === '{') stack.push(i);
      else if (t.v === ')' || t.v === ']' || t.v === '}') {
        const o = stack.pop();
        if (o !== undefined) {
          this.pair.set(o, i);
          this.pair.set(i, o);
        }
      }
    });
    this.fnDepth = this.functionDepth();
  }

  private is(i: number, v: string): boolean {
    const t = this.toks[i];
    return !!t && t.v === v && t.t !== 'str' && t.t !== 'tpl';
  }

  private functionDepth(): number[] {
    const toks = this.toks;
    const delta = new Array<number>(toks.length + 1).fill(0);
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i]!;
      if (t.t === 'punc' && t.v === '{' && this.pair.has(i)) {
        const end = this.pair.get(i)!;
        let fn = false;
        if (this.is(i - 1, '=>')) fn = true;
        else if (this.is(i - 1, ')') && this.pair.has(i - 1)) {
          const open = this.pair.get(i - 1)!;
          const before = toks[open - 1];
          fn = !!before && (before.t === 'id' ? !NOT_FUNCTION.has(before.v) : false);
        } else if (this.is(i - 1, ':') || toks[i - 1]?.t === 'id') {
          // `(): Type => {` / `function f(): Type {`: a return type annotation
          fn = this.returnTypeBefore(i);
        }
        if (fn) {
          delta[i]! += 1;
          delta[end + 1]! -= 1;
        }
      } else if (t.t === 'punc' && t.v === '=>' && !this.is(i + 1, '{')) {
        const end = this.expressionEnd(i + 1);
        delta[i + 1]! += 1;
        delta[end]! -= 1;
      }
    }
    const out: number[] = [];
    let d = 0;
    for (let i = 0; i < toks.length; i++) {
      d += delta[i]!;
      out.push(d);
    }
    return out;
  }

  /** `) : Type {` with a simple annotation (identifiers, dots, generics). */
  private returnTypeBefore(brace: number): boolean {
    for (let k = brace - 1, n = 0; k >= 0 && n < 12; k--, n++) {
      const t = this.toks[k]!;
      if (t.t === 'punc' && t.v === ':') return this.is(k - 1, ')') && this.pair.has(k - 1) && this.toks[this.pair.get(k - 1)! - 1]?.t === 'id';
      if (t.t !== 'id' && !(t.t === 'punc' && (t.v === '.' || t.v === '<' || t.v === '>' || t.v === '|' || t.v === ','))) return false;
    }
    return false;
  }

  /** The token index just past an arrow function's expression body starting at `from`. */
  private expressionEnd(from: number): number {
    const toks = this.toks;
    const text = this.src.text;
    let i = from;
    while (i < toks.length) {
      const t = toks[i]!;
      if (t.t === 'punc' && (t.v === '(' || t.v === '[' || t.v === '{')) {
        const c = this.pair.get(i);
        if (c === undefined) return toks.length;
        i = c + 1;
        continue;
      }
      if (t.t === 'punc' && (t.v === ')' || t.v === ']' || t.v === '}' || t.v === ';' || t.v === ',')) return i;
      if (i > from) {
        const prev = toks[i - 1]!;
        const newline = text.slice(prev.end, t.start).includes('\n');
        if (newline && !(prev.t === 'punc' && CONTINUES.has(prev.v)) && !(t.t === 'punc' && CONTINUES.has(t.v))) return i;
      }
      i++;
    }
    return toks.length;
  }

  scan(): EnvRead[] {
    const toks = this.toks;
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i]!;
      if (t.t !== 'id' || t.v !== 'process' || this.is(i - 1, '.') || this.is(i - 1, '?.') || !this.is(i + 1, '.') || toks[i + 2]?.v !== 'env' || toks[i + 2]!.t !== 'id') continue;
      const env = i + 2;
      if (this.is(env + 1, '.') || this.is(env + 1, '?.')) {
        const n = toks[env + 2];
        if (n?.t === 'id') this.member(i, env + 2, n.v, 'process.env');
        continue;
      }
      if (this.is(env + 1, '[') && toks[env + 2]?.t === 'str' && this.is(env + 3, ']')) {
        this.member(i, env + 3, toks[env + 2]!.v, 'process.env[]');
        continue;
      }
      if (this.is(i - 1, '=') && this.is(i - 2, '}')) this.destructuring(i - 2, env);
      else if (this.is(i - 1, '(') && (this.is(env + 1, ',') || this.is(env + 1, ')'))) this.call(i - 1, env);
    }
    return this.out;
  }

  private push(r: Omit<EnvRead, 'module' | 'atImport' | 'language'>, at: number): void {
    if (!NAME.test(r.name)) return;
    const read: EnvRead = { ...r, module: this.src.path, atImport: (this.fnDepth[at] ?? 0) === 0, language: 'node' };
    if (BUILD_TIME.test(read.name)) read.required = false;
    this.out.push(read);
  }

  private text(a: number, b: number): string {
    return this.src.text.slice(this.toks[a]!.start, this.toks[b]!.end);
  }

  /** `process.env.X` / `process.env["X"]` from token `s` to `e`. */
  private member(s: number, e: number, name: string, via: string): void {
    const toks = this.toks;
    const next = toks[e + 1];
    // writes and deletions are not reads
    if (next?.t === 'punc' && ASSIGN.has(next.v)) return;
    if (this.is(s - 1, 'delete')) return;
    let required = true;
    let dflt: string | undefined;
    const fallbackAt = (k: number): boolean => this.is(k, '??') || this.is(k, '||');
    if (fallbackAt(e + 1)) {
      required = false;
      const d = toks[e + 2];
      const after = toks[e + 3];
      if (d && (d.t === 'str' || d.t === 'num') && (!after || (after.t === 'punc' && (after.v === ';' || after.v === ',' || after.v === ')' || after.v === '}')))) dflt = d.v;
    } else if (this.tested(s, e)) required = false;
    else if (this.fallbackAfterCall(s, e)) required = false;
    const loc = this.src.location(toks[s]!.start, toks[e]!.end);
    const r: Omit<EnvRead, 'module' | 'atImport' | 'language'> = { name, via, required, loc };
    if (dflt !== undefined) r.default = dflt;
    this.push(r, s);
  }

  /** The read is a test or sits in a conditional position. */
  private tested(s: number, e: number): boolean {
    const toks = this.toks;
    const next = toks[e + 1];
    const prev = toks[s - 1];
    if (next?.t === 'punc' && (next.v === '?.' || next.v === '?' || next.v === '&&' || COMPARE.has(next.v))) return true;
    if (prev?.t === 'id' && prev.v === 'typeof') return true;
    if (prev?.t === 'punc' && (prev.v === '!' || prev.v === '&&' || prev.v === '||' || prev.v === '??' || prev.v === '?' || COMPARE.has(prev.v))) return true;
    // `cond ? process.env.X : y` — the else branch
    if (prev?.t === 'punc' && prev.v === ':' && this.ternaryElse(s - 1)) return true;
    // inside an `if (...)` / `while (...)` condition, or `Boolean(...)`
    const open = this.enclosing(s);
    if (open !== undefined && this.is(open, '(')) {
      const before = toks[open - 1];
      if (before?.t === 'id' && (CONDITION_KEYWORDS.has(before.v) || before.v === 'Boolean')) return true;
    }
    return false;
  }

  /** Whether the `:` at `k` ends a ternary's then-branch (a `?` before it at the same depth). */
  private ternaryElse(k: number): boolean {
    for (let j = k - 1; j >= 0; j--) {
      const t = this.toks[j]!;
      if (t.t === 'punc' && (t.v === ')' || t.v === ']' || t.v === '}')) {
        const o = this.pair.get(j);
        if (o === undefined) return false;
        j = o;
        continue;
      }
      if (t.t === 'punc' && (t.v === '(' || t.v === '[' || t.v === '{' || t.v === ';' || t.v === ',')) return false;
      if (t.t === 'punc' && t.v === '?') return true;
    }
    return false;
  }

  /** The open bracket directly enclosing token `i`. */
  private enclosing(i: number): number | undefined {
    for (let j = i - 1; j >= 0; j--) {
      const t = this.toks[j]!;
      if (t.t !== 'punc') continue;
      if (t.v === ')' || t.v === ']' || t.v === '}') {
        const o = this.pair.get(j);
        if (o === undefined) return undefined;
        j = o;
        continue;
      }
      if (t.v === '(' || t.v === '[' || t.v === '{') return j;
    }
    return undefined;
  }

  /** `Number(process.env.PORT) || 3000`, `parseInt(process.env.X, 10) ?? 1`: a fallback after the wrapping call(s). */
  private fallbackAfterCall(s: number, e: number): boolean {
    let from = s;
    let to = e;
    for (let level = 0; level < 3; level++) {
      if (!this.is(to + 1, ')') && !this.is(to + 1, ',')) return false;
      const open = this.enclosing(from);
      if (open === undefined || !this.is(open, '(') || this.toks[open - 1]?.t !== 'id' || NOT_FUNCTION.has(this.toks[open - 1]!.v) || CONDITION_KEYWORDS.has(this.toks[open - 1]!.v)) return false;
      const close = this.pair.get(open)!;
      if (this.is(close + 1, '??') || this.is(close + 1, '||')) return true;
      from = open - 1;
      to = close;
    }
    return false;
  }

  /** `const { X, Y = 'd', Z: z, ...rest } = process.env`: `close` is the `}`. */
  private destructuring(close: number, env: number): void {
    const open = this.pair.get(close);
    if (open === undefined) return;
    const toks = this.toks;
    for (const [a, b] of args(toks, open)) {
      const key = toks[a];
      if (!key || this.is(a, '...')) continue;
      if (key.t !== 'id' && key.t !== 'str') continue;
      const eq = this.findTop(a, b, '=');
      const loc = this.src.location(key.start, key.end);
      const r: Omit<EnvRead, 'module' | 'atImport' | 'language'> = { name: key.v, via: 'process.env destructuring', required: eq < 0, loc };
      if (eq >= 0 && eq + 1 < b) r.default = literal(toks, eq + 1, b) ?? this.text(eq + 1, b - 1);
      this.push(r, env);
    }
  }

  private findTop(a: number, b: number, v: string): number {
    for (let k = a; k < b; k++) {
      if (this.is(k, '(') || this.is(k, '[') || this.is(k, '{')) {
        k = this.pair.get(k) ?? b;
        continue;
      }
      if (this.is(k, v)) return k;
    }
    return -1;
  }

  /** `process.env` as an argument: envalid's `cleanEnv(process.env, {...})`, zod's `schema.parse(process.env)`. */
  private call(open: number, env: number): void {
    const toks = this.toks;
    const callee = toks[open - 1];
    if (callee?.t !== 'id') return;
    if ((callee.v === 'cleanEnv' || callee.v === 'cleanEnvStrict' || callee.v === 'customCleanEnv') && this.is(env + 1, ',')) {
      let spec = env + 2;
      if (toks[spec]?.t === 'id' && this.is(spec + 1, ')')) spec = this.objectOf(toks[spec]!.v) ?? -1;
      if (spec >= 0 && this.is(spec, '{')) this.envalid(spec, env);
      return;
    }
    if ((callee.v === 'parse' || callee.v === 'safeParse' || callee.v === 'parseAsync' || callee.v === 'safeParseAsync') && this.is(open - 2, '.') && this.is(env + 1, ')')) {
      const obj = this.zodObject(open - 3);
      if (obj !== undefined) this.zod(obj, !callee.v.startsWith('safe'), env);
    }
  }

  /** `const NAME = {` or `const NAME = z.object({` in this file: the token of the `{`. */
  private objectOf(name: string): number | undefined {
    const toks = this.toks;
    for (let i = 0; i + 2 < toks.length; i++) {
      if (toks[i]!.t !== 'id' || toks[i]!.v !== name || !this.is(i + 1, '=') || this.is(i - 1, '.')) continue;
      if (this.is(i + 2, '{')) return i + 2;
      const o = this.zodCall(i + 2);
      if (o !== undefined) return o;
    }
    return undefined;
  }

  /** `z.object({` starting at token `k` (any chain ending `.object(` / `.strictObject(`): the `{`. */
  private zodCall(k: number): number | undefined {
    const toks = this.toks;
    if (toks[k]?.t === 'id' && this.is(k + 1, '.') && (toks[k + 2]?.v === 'object' || toks[k + 2]?.v === 'strictObject' || toks[k + 2]?.v === 'looseObject') && this.is(k + 3, '(') && this.is(k + 4, '{')) return k + 4;
    return undefined;
  }

  /** The receiver ending at token `end` of `.parse(`: a `z.object({...})` (with chained calls) or a schema variable. */
  private zodObject(end: number): number | undefined {
    const toks = this.toks;
    let k = end;
    // peel `.strict()`, `.passthrough()`, `.extend(...)`-free chains back to the object call
    for (let guard = 0; guard < 8; guard++) {
      const t = toks[k];
      if (!t) return undefined;
      if (t.t === 'id') {
        if (this.is(k - 1, '.')) return undefined;
        return this.objectOf(t.v);
      }
      if (!this.is(k, ')')) return undefined;
      const open = this.pair.get(k);
      if (open === undefined) return undefined;
      const name = toks[open - 1];
      if (name?.t === 'id' && (name.v === 'object' || name.v === 'strictObject' || name.v === 'looseObject') && this.is(open - 2, '.') && this.is(open + 1, '{')) return open + 1;
      if (name?.t === 'id' && this.is(open - 2, '.')) {
        k = open - 3;
        continue;
      }
      return undefined;
    }
    return undefined;
  }

  /** envalid spec `{ X: str(), Y: port({ default: 3000 }) }` at `{`. */
  private envalid(brace: number, at: number): void {
    const toks = this.toks;
    for (const [a] of args(toks, brace)) {
      const key = toks[a];
      if (!key || (key.t !== 'id' && key.t !== 'str') || !this.is(a + 1, ':')) continue;
      const fn = toks[a + 2];
      if (fn?.t !== 'id' || !this.is(a + 3, '(')) continue;
      let required = true;
      let dflt: string | undefined;
      const opts = a + 4;
      if (this.is(opts, '{')) {
        for (const [oa, ob] of args(toks, opts)) {
          const k = toks[oa];
          if (k && (k.v === 'default' || k.v === 'devDefault') && this.is(oa + 1, ':')) {
            required = false;
            if (k.v === 'default') dflt = literal(toks, oa + 2, ob) ?? this.text(oa + 2, ob - 1);
          }
        }
      }
      const r: Omit<EnvRead, 'module' | 'atImport' | 'language'> = { name: key.v, via: `envalid.${fn.v}`, required, loc: this.src.location(key.start, key.end) };
      if (dflt !== undefined) r.default = dflt;
      this.push(r, at);
    }
  }

  /** zod object shape at `{`; `throws`: `.parse` (not `.safeParse`). */
  private zod(brace: number, throws: boolean, at: number): void {
    const toks = this.toks;
    for (const [a, b] of args(toks, brace)) {
      const key = toks[a];
      if (!key || (key.t !== 'id' && key.t !== 'str') || !this.is(a + 1, ':')) continue;
      let required = throws;
      let dflt: string | undefined;
      for (let k = a + 2; k < b; k++) {
        const t = toks[k]!;
        if (t.t === 'id' && OPTIONAL_ZOD.has(t.v) && this.is(k - 1, '.') && this.is(k + 1, '(')) {
          required = false;
          const c = closing(toks, k + 1);
          if (t.v === 'default' && c > k + 2) dflt = literal(toks, k + 2, c) ?? this.text(k + 2, c - 1);
        }
      }
      const r: Omit<EnvRead, 'module' | 'atImport' | 'language'> = { name: key.v, via: 'zod', required, loc: this.src.location(key.start, key.end) };
      if (dflt !== undefined) r.default = dflt;
      this.push(r, at);
    }
  }
}

/** A single string/number/boolean literal spanning tokens [a, b). */
function literal(toks: Tok[], a: number, b: number): string | undefined {
  if (b !== a + 1) return undefined;
  const t = toks[a]!;
  if (t.t === 'str' || t.t === 'num') return t.v;
  if (t.t === 'id' && (t.v === 'true' || t.v === 'false')) return t.v;
  return undefined;
}
