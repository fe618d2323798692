/**
 * Express routes from the node script a server runs, with a small JavaScript tokenizer (no
 * parser): `const app = express()`, `express.Router()`/`Router()`, `app.get('/p', ...)` (and
 * post/put/delete/patch/all/head/options), `app.route('/p').get(...)`, `app.use('/prefix', router)`
 * with routers defined in the file or `require()`d / `import`ed from relative files that export
 * them (`module.exports = router`, `export default router`).
 *
 * Express 4 matching (path-to-regexp 0.1.x, express/lib/router): routes are case-insensitive and
 * match with or without a trailing slash unless `strict routing`/`case sensitive routing` is set;
 * `:param` is one segment, `*` anything. A path with other regex syntax, an array, a RegExp or a
 * template literal is a gap, as is the app handed to a function (`require('./routes')(app)`), a
 * registration inside a loop, or a middleware without a path that may answer (anything but known
 * pass-through packages and local functions that only call `next()`); a middleware or an
 * unreadable router mounted at a prefix makes that prefix opaque.
 *
 * Only files the image holds as repository files are read: a script built inside the image
 * (`dist/server.js` from `npm run build`) has no route set.
 */
import { posix } from 'node:path';
import type { Location } from '../../core/location.js';
import type { SourceFile } from '../../core/source-file.js';
import type { RepoTree, ServerFact, ServiceModel, StartPlan } from '../types.js';
import type { AppRoute, OpaquePrefix, RouteGap, RouteSet } from './route-types.js';
import { escapeRegex } from './routes-python.js';

export interface JsReader {
  tree: Pick<RepoTree, 'files' | 'dirs'>;
  read(path: string): SourceFile | undefined;
}

export interface Tok {
  t: 'id' | 'str' | 'tpl' | 'num' | 'punc' | 're';
  v: string;
  start: number;
  end: number;
}

const MAX_FILES = 40;
const ROUTE_METHODS = new Set(['get', 'post', 'put', 'delete', 'patch', 'all', 'head', 'options']);
/** packages whose middleware passes every request on (or only answers errors) */
const PASS_THROUGH = new Set([
  'cors', 'helmet', 'morgan', 'compression', 'cookie-parser', 'body-parser', 'pino-http', 'express-pino-logger', 'response-time',
  'express-session', 'hpp', 'express-rate-limit', 'connect-timeout', 'method-override', 'express-request-id', 'express-winston',
  'express-mongo-sanitize', 'xss-clean', 'cookie-session', 'multer', 'express-fileupload', 'passport',
]);
const EXPRESS_PASS = new Set(['json', 'urlencoded', 'raw', 'text']);

// ---------------------------------------------------------------------------------------------
// tokenizer

const PUNCT3 = ['===', '!==', '...', '**=', '<<=', '>>=', '>>>', '&&=', '||=', '??='];
const PUNCT2 = ['=>', '==', '!=', '<=', '>=', '&&', '||', '??', '?.', '++', '--', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '**', '<<', '>>'];
const REGEX_AFTER = new Set(['(', ',', '=', ':', '[', '!', '&', '|', '?', '{', '}', ';', '&&', '||', '??', '=>', '==', '===', '!=', '!==', 'return', 'typeof', '+', '-', '*', '%']);

export function tokenize(text: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      const e = text.indexOf('\n', i);
      i = e < 0 ? n : e;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const e = text.indexOf('*/', i + 2);
      i = e < 0 ? n : e + 2;
      continue;
    }
    const start = i;
    if (c === '"' || c === "'") {
      let v = '';
      i++;
      while (i < n && text[i] !== c && text[i] !== '\n') {
        if (text[i] === '\\' && i + 1 < n) {
          v += text[i + 1];
          i += 2;
        } else v += text[i++];
      }
      i++;
      out.push({ t: 'str', v, start, end: i });
      continue;
    }
    if (c === '`') {
      let v = '';
      let dynamic = false;
      i++;
      let depth = 0;
      while (i < n) {
        const d = text[i]!;
        if (depth === 0 && d === '`') break;
        if (d === '\\' && i + 1 < n) {
          v += text[i + 1];
          i += 2;
          continue;
        }
        if (d === '$' && text[i + 1] === '{') {
          dynamic = true;
          depth++;
          i += 2;
          continue;
        }
        if (depth > 0 && d === '}') depth--;
        else if (depth > 0 && d === '{') depth++;
        else if (depth === 0) v += d;
        i++;
      }
      i++;
      out.push({ t: dynamic ? 'tpl' : 'str', v, start, end: i });
      continue;
    }
    if (/[A-Za-z_$]/.test(c)) {
      while (i < n && /[\w$]/.test(text[i]!)) i++;
      out.push({ t: 'id', v: text.slice(start, i), start, end: i });
      continue;
    }
    if (/[0-9]/.test(c)) {
      while (i < n && /[\w.]/.test(text[i]!)) i++;
      out.push({ t: 'num', v: text.slice(start, i), start, end: i });
      continue;
    }
    if (c === '/') {
      const prev = out[out.length - 1];
      if (!prev || (prev.t === 'punc' && REGEX_AFTER.has(prev.v)) || (prev.t === 'id' && REGEX_AFTER.has(prev.v))) {
        // a regex literal
        i++;
        let inClass = false;
        while (i < n && text[i] !== '\n') {
          const d = text[i]!;
          if (d === '\\') i += 2;
          else {
            if (d === '[') inClass = true;
            else if (d === ']') inClass = false;
            else if (d === '/' && !inClass) break;
            i++;
          }
        }
        i++;
        while (i < n && /[a-z]/.test(text[i]!)) i++;
        out.push({ t: 're', v: text.slice(start, i), start, end: i });
        continue;
      }
    }
    const p3 = PUNCT3.find((p) => text.startsWith(p, i));
    const p2 = p3 ? undefined : PUNCT2.find((p) => text.startsWith(p, i));
    const p = p3 ?? p2 ?? c;
    i += p.length;
    out.push({ t: 'punc', v: p, start, end: i });
  }
  return out;
}

/** Index of the bracket closing the one at `open`. */
export function closing(toks: Tok[], open: number): number {
  const o = toks[open]!.v;
  const c = o === '(' ? ')' : o === '[' ? ']' : '}';
  let depth = 0;
  for (let i = open; i < toks.length; i++) {
    const v = toks[i]!;
    if (v.t !== 'punc') continue;
    if (v.v === '(' || v.v === '[' || v.v === '{') depth++;
    else if (v.v === ')' || v.v === ']' || v.v === '}') {
      depth--;
      if (depth === 0) return v.v === c ? i : -1;
    }
  }
  return -1;
}

/** The arguments of the call whose `(` is at `open`: token ranges [start, end). */
export function args(toks: Tok[], open: number): [number, number][] {
  const close = closing(toks, open);
  if (close < 0) return [];
  const out: [number, number][] = [];
  let depth = 0;
  let from = open + 1;
  for (let i = open + 1; i < close; i++) {
    const v = toks[i]!;
    if (v.t === 'punc' && (v.v === '(' || v.v === '[' || v.v === '{')) depth++;
    else if (v.t === 'punc' && (v.v === ')' || v.v === ']' || v.v === '}')) depth--;
    else if (depth === 0 && v.t === 'punc' && v.v === ',') {
      out.push([from, i]);
      from = i + 1;
    }
  }
  if (from < close) out.push([from, close]);
  return out;
}

// ---------------------------------------------------------------------------------------------
// one file

interface JsObject {
  kind: 'app' | 'router';
  /** `<file>\0<name>` */
  key: string;
  file: string;
  name: string;
  loc: Location;
  /** Router({...}) options given */
  options: boolean;
}

interface JsFile {
  path: string;
  imagePath: string;
  src: SourceFile;
  toks: Tok[];
  /** local name → module specifier (`express`, `./routes/health`) and the imported member (`default`, `Router`, `*`) */
  imports: Map<string, { spec: string; member: string }>;
  objects: Map<string, JsObject>;
  /** local functions: name → token range of the body */
  functions: Map<string, { params: number; body: [number, number] }>;
  /** the exported router or app */
  exported?: string;
  /** token index ranges of loop bodies */
  loops: [number, number][];
}

class ExpressReader {
  private readonly files = new Map<string, JsFile | null>();
  readonly routes: AppRoute[] = [];
  readonly opaque: OpaquePrefix[] = [];
  readonly gaps: RouteGap[] = [];
  readonly read = new Set<string>();
  strict = false;

  constructor(
    private readonly js: JsReader,
    private readonly resolveImage: (imagePath: string) => string | undefined,
  ) {}

  gap(reason: string, loc: Location): void {
    if (!this.gaps.some((g) => g.reason === reason)) this.gaps.push({ reason, loc });
  }

  load(imagePath: string): JsFile | undefined {
    if (this.files.has(imagePath)) return this.files.get(imagePath) ?? undefined;
    if (this.files.size >= MAX_FILES) return undefined;
    const repo = this.resolveImage(imagePath);
    const src = repo ? this.js.read(repo) : undefined;
    const f = src && repo ? this.scan(repo, imagePath, src) : null;
    this.files.set(imagePath, f);
    return f ?? undefined;
  }

  /** `./routes/health` from a file: the image path of the module it names. */
  resolveSpec(from: JsFile, spec: string): string | undefined {
    if (!spec.startsWith('.') && !spec.startsWith('/')) return undefined;
    const base = posix.resolve(posix.dirname(from.imagePath), spec);
    for (const cand of [base, `${base}.js`, `${base}.cjs`, `${base}.mjs`, `${base}.ts`, `${base}/index.js`, `${base}/index.ts`]) if (this.resolveImage(cand)) return cand;
    return undefined;
  }

  private loc(f: JsFile, a: number, b = a): Location {
    return f.src.location(f.toks[a]!.start, f.toks[Math.max(a, b)]!.end);
  }

  private scan(path: string, imagePath: string, src: SourceFile): JsFile {
    const toks = tokenize(src.text);
    const f: JsFile = { path, imagePath, src, toks, imports: new Map(), objects: new Map(), functions: new Map(), loops: [] };
    const is = (i: number, v: string): boolean => toks[i]?.v === v && toks[i]!.t !== 'str';
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i]!;
      // loops: for/while bodies and .forEach/.map callbacks
      if (t.t === 'id' && (t.v === 'for' || t.v === 'while') && is(i + 1, '(')) {
        const c = closing(toks, i + 1);
        if (c > 0 && is(c + 1, '{')) f.loops.push([c + 1, closing(toks, c + 1)]);
      }
      if (t.t === 'id' && /^(?:forEach|map|flatMap|reduce|filter)$/.test(t.v) && is(i - 1, '.') && is(i + 1, '(')) f.loops.push([i + 1, closing(toks, i + 1)]);
      // require / import
      if (t.t === 'id' && t.v === 'require' && is(i + 1, '(') && toks[i + 2]?.t === 'str' && is(i + 3, ')')) {
        const spec = toks[i + 2]!.v;
        const member = is(i + 4, '.') && toks[i + 5]?.t === 'id' ? toks[i + 5]!.v : 'default';
        if (is(i - 1, '=') && toks[i - 2]?.t === 'id') f.imports.set(toks[i - 2]!.v, { spec, member });
        else if (is(i - 1, '=') && is(i - 2, '}')) this.destructure(f, i - 2, spec);
      }
      if (t.t === 'id' && t.v === 'import' && (i === 0 || !is(i - 1, '.'))) {
        let j = i + 1;
        const names: [string, string][] = [];
        while (j < toks.length && !(toks[j]!.t === 'id' && toks[j]!.v === 'from') && toks[j]!.t !== 'str') {
          const x = toks[j]!;
          if (x.t === 'id' && x.v !== 'as' && x.v !== 'type') {
            if (is(j - 1, '{') || is(j - 1, ',')) {
              const inBraces = this.inBraces(toks, i, j);
              if (inBraces) names.push([is(j + 1, 'as') && toks[j + 2] ? toks[j + 2]!.v : x.v, x.v]);
              else names.push([x.v, 'default']);
              if (is(j + 1, 'as')) j += 2;
            } else if (is(j - 1, 'as') && is(j - 2, '*')) names.push([x.v, '*']);
            else if (j === i + 1) names.push([x.v, 'default']);
          }
          j++;
        }
        const spec = toks[j]?.t === 'str' ? toks[j]!.v : toks[j + 1]?.t === 'str' ? toks[j + 1]!.v : undefined;
        if (spec) for (const [local, member] of names) f.imports.set(local, { spec, member });
      }
      // functions
      if (t.t === 'id' && t.v === 'function' && toks[i + 1]?.t === 'id' && is(i + 2, '(')) {
        const pc = closing(toks, i + 2);
        if (pc > 0 && is(pc + 1, '{')) f.functions.set(toks[i + 1]!.v, { params: args(toks, i + 2).length, body: [pc + 1, closing(toks, pc + 1)] });
      }
      if (t.t === 'id' && is(i + 1, '=') && (is(i + 2, '(') || (toks[i + 2]?.v === 'async' && is(i + 3, '(')))) {
        const open = is(i + 2, '(') ? i + 2 : i + 3;
        const pc = closing(toks, open);
        if (pc > 0 && is(pc + 1, '=>')) {
          const b = is(pc + 2, '{') ? [pc + 2, closing(toks, pc + 2)] : [pc + 2, pc + 2];
          f.functions.set(t.v, { params: args(toks, open).length, body: b as [number, number] });
        }
      }
      // exports
      if (t.t === 'id' && t.v === 'module' && is(i + 1, '.') && toks[i + 2]?.v === 'exports' && is(i + 3, '=') && toks[i + 4]?.t === 'id' && !is(i + 5, '(') && !is(i + 5, '.')) f.exported = toks[i + 4]!.v;
      if (t.t === 'id' && t.v === 'export' && toks[i + 1]?.v === 'default' && toks[i + 2]?.t === 'id' && !is(i + 3, '(') && !is(i + 3, '.')) f.exported = toks[i + 2]!.v;
    }
    // objects: express() and Router()
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i]!;
      if (t.t !== 'id' || !is(i + 1, '=')) continue;
      let j = i + 2;
      if (toks[j]?.v === 'new') j++;
      const kind = this.factoryAt(f, j);
      if (kind) f.objects.set(t.v, { kind: kind.kind, key: `${path}\0${t.v}`, file: path, name: t.v, loc: this.loc(f, i, kind.end), options: kind.options });
    }
    return f;
  }

  private inBraces(toks: Tok[], from: number, at: number): boolean {
    let depth = 0;
    for (let k = from; k < at; k++) {
      if (toks[k]!.v === '{' && toks[k]!.t === 'punc') depth++;
      if (toks[k]!.v === '}' && toks[k]!.t === 'punc') depth--;
    }
    return depth > 0;
  }

  private destructure(f: JsFile, close: number, spec: string): void {
    const toks = f.toks;
    let k = close - 1;
    while (k > 0 && !(toks[k]!.t === 'punc' && toks[k]!.v === '{')) k--;
    for (let j = k + 1; j < close; j++) {
      const x = toks[j]!;
      if (x.t !== 'id') continue;
      if (toks[j + 1]?.v === ':' && toks[j + 2]?.t === 'id') {
        f.imports.set(toks[j + 2]!.v, { spec, member: x.v });
        j += 2;
      } else f.imports.set(x.v, { spec, member: x.v });
    }
  }

  /** `express()`, `require('express')()`, `express.Router(...)`, `Router(...)` at token j. */
  private factoryAt(f: JsFile, j: number): { kind: 'app' | 'router'; end: number; options: boolean } | undefined {
    const toks = f.toks;
    const is = (i: number, v: string): boolean => toks[i]?.v === v && toks[i]!.t !== 'str';
    const t = toks[j];
    if (t?.t !== 'id') return undefined;
    const imp = f.imports.get(t.v);
    const call = (open: number): { end: number; options: boolean } | undefined => {
      if (!is(open, '(')) return undefined;
      const c = closing(toks, open);
      return c > 0 ? { end: c, options: c > open + 1 } : undefined;
    };
    if (t.v === 'require' && toks[j + 2]?.v === 'express' && is(j + 3, ')')) {
      const c = call(j + 4);
      return c ? { kind: 'app', ...c } : undefined;
    }
    if (imp?.spec !== 'express') return undefined;
    if (imp.member === 'default' || imp.member === '*') {
      if (is(j + 1, '(')) {
        const c = call(j + 1);
        return c ? { kind: 'app', ...c } : undefined;
      }
      if (is(j + 1, '.') && toks[j + 2]?.v === 'Router') {
        const c = call(j + 3);
        return c ? { kind: 'router', ...c } : undefined;
      }
    }
    if (imp.member === 'Router') {
      const c = call(j + 1);
      return c ? { kind: 'router', ...c } : undefined;
    }
    return undefined;
  }

  private inLoop(f: JsFile, i: number): boolean {
    return f.loops.some(([a, b]) => i > a && i < b);
  }

  /** Collect an app or router's routes, under a prefix (regex source without anchors, and as written). */
  collect(f: JsFile, obj: JsObject, prefix: { re: string; shown: string }, depth: number, seen: Set<string>): void {
    if (depth > 8 || seen.has(obj.key)) return;
    seen.add(obj.key);
    this.read.add(f.path);
    if (obj.options) this.gap(`${obj.name} is created with options drydock does not read`, obj.loc);
    const toks = f.toks;
    const is = (i: number, v: string): boolean => toks[i]?.v === v && toks[i]!.t !== 'str';
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i]!;
      if (t.t !== 'id' || t.v !== obj.name || is(i - 1, '.')) continue;
      // obj passed to a function
      if ((is(i - 1, '(') || is(i - 1, ',')) && (is(i + 1, ')') || is(i + 1, ','))) {
        this.escape(f, obj, i);
        continue;
      }
      if (!is(i + 1, '.') || toks[i + 2]?.t !== 'id' || !is(i + 3, '(')) continue;
      const method = toks[i + 2]!.v;
      const open = i + 3;
      const a = args(toks, open);
      const loc = this.loc(f, i, closing(toks, open));
      if (ROUTE_METHODS.has(method) || method === 'route' || method === 'use') {
        if (this.inLoop(f, i)) {
          this.gap(`${obj.name}.${method}() runs in a loop`, loc);
          continue;
        }
      }
      if (ROUTE_METHODS.has(method)) {
        if (method === 'get' && a.length < 2) continue; // app.get('setting')
        this.route(f, a[0], prefix, method, loc);
      } else if (method === 'route') {
        // app.route('/p').get(...).post(...)
        const close = closing(toks, open);
        const methods: string[] = [];
        for (let k = close + 1; is(k, '.') && toks[k + 1]?.t === 'id' && is(k + 2, '('); k = closing(toks, k + 2) + 1) {
          if (ROUTE_METHODS.has(toks[k + 1]!.v)) methods.push(toks[k + 1]!.v);
          if (closing(toks, k + 2) < 0) break;
        }
        for (const m of methods.length ? methods : ['all']) this.route(f, a[0], prefix, m, loc);
      } else if (method === 'use') this.use(f, obj, a, prefix, loc, depth, seen);
      else if ((method === 'set' || method === 'enable') && a[0] && /routing$/.test(toks[a[0][0]]?.v ?? '')) {
        this.gap(`${obj.name}.${method}('${toks[a[0][0]]!.v}') changes matching`, loc);
      } else if (method === 'param' || method === 'engine' || method === 'locals') continue;
    }
  }

  private escape(f: JsFile, obj: JsObject, i: number): void {
    const toks = f.toks;
    // find the callee of the enclosing call
    let depth = 0;
    let k = i - 1;
    for (; k >= 0; k--) {
      const v = toks[k]!;
      if (v.t !== 'punc') continue;
      if (v.v === ')' || v.v === ']' || v.v === '}') depth++;
      else if (v.v === '(' || v.v === '[' || v.v === '{') {
        if (depth === 0) break;
        depth--;
      }
    }
    if (k < 0 || toks[k]!.v !== '(') return;
    const callee = toks[k - 1]?.t === 'id' ? toks[k - 1]!.v : '';
    const owner = toks[k - 2]?.v === '.' ? toks[k - 3]?.v : undefined;
    if (/^(?:createServer|listen|serverless|handler|supertest|request|expressWs|http|https)$/.test(callee)) return;
    if (owner && f.objects.has(owner) && callee === 'use') return; // app.use(router): handled by use()
    this.gap(`${obj.name} is passed to ${owner ? `${owner}.` : ''}${callee || 'a function'}(), which may add routes`, this.loc(f, i));
  }

  private pathRegex(path: string): string | undefined {
    // path-to-regexp 0.1.x: literal text, `:name` (optionally `?`), `*`
    let re = '';
    let i = 0;
    for (const m of path.matchAll(/(\/)?:([A-Za-z_$][\w$]*)(\?)?|\*/g)) {
      const lit = path.slice(i, m.index);
      if (/[()+?[\]]/.test(lit)) return undefined;
      re += escapeRegex(lit);
      if (m[0] === '*') re += '.*';
      else re += m[3] ? `(?:${m[1] ? '\\/' : ''}[^/]+?)?` : `${m[1] ? '\\/' : ''}[^/]+?`;
      i = m.index + m[0].length;
    }
    const rest = path.slice(i);
    if (/[()+?[\]]/.test(rest)) return undefined;
    return re + escapeRegex(rest);
  }

  private route(f: JsFile, arg: [number, number] | undefined, prefix: { re: string; shown: string }, method: string, loc: Location): void {
    const t = arg && arg[1] === arg[0] + 1 ? f.toks[arg[0]]! : undefined;
    if (!t || t.t !== 'str') return this.gap(`a route path in ${f.path} is not a string literal`, loc);
    const body = this.pathRegex(t.v);
    if (body === undefined) return this.gap(`route ${t.v} uses pattern syntax drydock does not match`, loc);
    const trimmed = body.replace(/\\\/$/, '');
    const regex = `^${prefix.re}${trimmed}${this.strict ? '' : '\\/?'}$`;
    const methods = method === 'all' ? undefined : method === 'get' ? ['GET', 'HEAD'] : [method.toUpperCase()];
    const r: AppRoute = { path: `${prefix.shown}${t.v}`.replace(/\/\/+/g, '/'), regex, ignoreCase: true, loc };
    if (methods) r.methods = methods;
    this.routes.push(r);
  }

  private use(f: JsFile, obj: JsObject, a: [number, number][], prefix: { re: string; shown: string }, loc: Location, depth: number, seen: Set<string>): void {
    const toks = f.toks;
    let handlers = a;
    let p = prefix;
    const first = a[0] && a[0][1] === a[0][0] + 1 ? toks[a[0][0]]! : undefined;
    if (first?.t === 'str') {
      const body = this.pathRegex(first.v.replace(/\/+$/, ''));
      if (body === undefined) return this.gap(`mount path ${first.v} uses pattern syntax drydock does not match`, loc);
      p = { re: prefix.re + body, shown: prefix.shown + first.v.replace(/\/+$/, '') };
      handlers = a.slice(1);
    } else if (a[0] && toks[a[0][0]]?.t !== 'id' && toks[a[0][0]]?.v !== '(' && toks[a[0][0]]?.v !== 'async' && toks[a[0][0]]?.v !== 'function') {
      return this.gap(`${obj.name}.use() is given a path drydock cannot read`, loc);
    }
    const atRoot = p.shown === '';
    const unknown = (what: string): void => {
      if (atRoot) this.gap(`${what}, used without a path, may answer any request`, loc);
      else this.opaque.push({ prefix: p.shown, regex: `^${p.re}(?:\\/.*)?$`, what, loc });
    };
    for (const [s, e] of handlers) {
      const h = toks[s]!;
      // a router defined here
      if (h.t === 'id' && e === s + 1 && f.objects.has(h.v)) {
        this.collect(f, f.objects.get(h.v)!, p, depth + 1, seen);
        continue;
      }
      // require('./x') inline, or an imported router
      let spec: string | undefined;
      if (h.v === 'require' && toks[s + 2]?.t === 'str') spec = toks[s + 2]!.v;
      else if (h.t === 'id' && e === s + 1 && f.imports.has(h.v)) spec = f.imports.get(h.v)!.spec;
      if (spec && (spec.startsWith('.') || spec.startsWith('/'))) {
        const ip = this.resolveSpec(f, spec);
        const other = ip ? this.load(ip) : undefined;
        const exported = other?.exported ? other.objects.get(other.exported) : undefined;
        if (other && exported) this.collect(other, exported, p, depth + 1, seen);
        else unknown(`the module ${spec}`);
        continue;
      }
      // express.static(...), express.json() ...
      if (h.t === 'id' && f.imports.get(h.v)?.spec === 'express' && toks[s + 1]?.v === '.' && toks[s + 2]?.t === 'id') {
        const m = toks[s + 2]!.v;
        if (EXPRESS_PASS.has(m)) continue;
        if (m === 'static') {
          unknown('express.static()');
          continue;
        }
      }
      if (h.t === 'id' && PASS_THROUGH.has(f.imports.get(h.v)?.spec ?? '')) continue;
      if (h.t === 'id' && (h.v === 'bodyParser' || h.v === 'cors' || h.v === 'helmet' || h.v === 'morgan' || h.v === 'compression') && !f.imports.has(h.v)) continue;
      // a local function or an inline one: pass-through when it never responds
      const fn = h.t === 'id' && e === s + 1 ? f.functions.get(h.v) : undefined;
      const inline = h.v === '(' || h.v === 'function' || h.v === 'async' ? this.inlineBody(f, s, e) : undefined;
      const body = fn?.body ?? inline?.body;
      const params = fn?.params ?? inline?.params;
      if (body && params !== undefined) {
        if (params >= 4) continue; // an error handler: runs only after an error
        if (!this.responds(f, body)) continue;
      }
      unknown(`middleware ${f.src.text.slice(h.start, toks[e - 1]!.end).slice(0, 40)}`);
    }
  }

  private inlineBody(f: JsFile, s: number, e: number): { params: number; body: [number, number] } | undefined {
    const toks = f.toks;
    let k = s;
    if (toks[k]?.v === 'async') k++;
    if (toks[k]?.v === 'function') {
      k++;
      if (toks[k]?.t === 'id') k++;
    }
    if (toks[k]?.v !== '(') return undefined;
    const pc = closing(toks, k);
    if (pc < 0) return undefined;
    const params = args(toks, k).length;
    let b = pc + 1;
    if (toks[b]?.v === '=>') b++;
    if (toks[b]?.v === '{') return { params, body: [b, closing(toks, b)] };
    return { params, body: [b, e] };
  }

  /** The body sends a response (`res.send`, `.json`, `.status`, `.end`, `.redirect`, ...). */
  private responds(f: JsFile, [a, b]: [number, number]): boolean {
    for (let k = a; k < b && k < f.toks.length; k++) {
      const t = f.toks[k]!;
      if (t.t === 'id' && /^(?:send|json|jsonp|end|sendFile|sendStatus|render|redirect|status|write|writeHead|download|format)$/.test(t.v) && f.toks[k - 1]?.v === '.') return true;
    }
    return false;
  }
}

/** The Express route set of a node server, or undefined when its script is not an Express app drydock can read. */
export function expressRoutes(svc: ServiceModel, plan: StartPlan, server: ServerFact, js: JsReader, resolveImage: (imagePath: string) => string | undefined): RouteSet | undefined {
  const step = plan.steps[server.step];
  if (!step || !server.app || server.app.includes('$')) return undefined;
  void svc;
  const reader = new ExpressReader(js, resolveImage);
  let entry = posix.resolve(step.cwd, server.app);
  if (!/\.[cm]?[jt]s$/.test(entry)) entry = reader.resolveSpec({ imagePath: posix.join(step.cwd, 'x') } as JsFile, `./${server.app}`) ?? entry;
  const f = reader.load(entry);
  if (!f) return undefined;
  const apps = [...f.objects.values()].filter((o) => o.kind === 'app');
  if (apps.length !== 1) return undefined;
  const app = apps[0]!;
  reader.collect(f, app, { re: '', shown: '' }, 0, new Set());
  return {
    framework: 'express', app: `${server.app} (${app.name})`, module: f.path, loc: app.loc, routes: reader.routes, opaque: reader.opaque, interceptors: [],
    trailingSlash: reader.strict ? 'none' : 'optional', complete: reader.gaps.length === 0, gaps: reader.gaps, files: [...reader.read].sort(),
  };
}
