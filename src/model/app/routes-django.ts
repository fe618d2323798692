/**
 * Django's URLconf as a route set: ROOT_URLCONF from the settings module the service selects
 * (DJANGO_SETTINGS_MODULE, else the `os.environ.setdefault` of wsgi.py/asgi.py/manage.py), its
 * `urlpatterns` (`path()`, `re_path()`, `url()`, `include()` of modules, lists and tuples,
 * `+ static(...)`), and MIDDLEWARE for the trailing-slash redirect.
 *
 * Django facts used (django/urls/resolvers.py, django/middleware/common.py):
 * - the root resolver matches `^/`, then each pattern consumes a prefix of the rest; `path()`
 *   endpoints must match the whole rest (`_route_to_regex`, is_endpoint), `re_path()` endpoints
 *   use `re.search` and match the whole rest only when the regex ends with `$`;
 * - path converters: str `[^/]+`, int `[0-9]+`, slug `[-a-zA-Z0-9_]+`, uuid, path `.+`;
 * - APPEND_SLASH (default True) redirects `/p` to `/p/` with 301 when `/p` does not resolve and
 *   `/p/` does, but only when `django.middleware.common.CommonMiddleware` is in MIDDLEWARE
 *   (global_settings.MIDDLEWARE is `[]`).
 */
import type { Location } from '../../core/location.js';
import { dottedName, kwarg } from '../../parse/python/expr.js';
import type { PyExpr } from '../../parse/python/module-types.js';
import { absoluteModule, type LoadedModule, type PyLoader, type Resolver } from './py-project.js';
import type { RExpr, RStmt } from './py-scopes.js';
import { escapeRegex, type Collected } from './routes-python.js';

const MAX_INCLUDE_DEPTH = 10;

/**
 * Module-level names of a settings module after its star imports, in execution order.
 *
 * Seam: django.ts's `SettingsEvaluator` also evaluates settings namespaces (for the app/* rules).
 * The two stay separate for now because they keep different facts: this one keeps the syntax
 * (`RExpr`, resolved later through the routes `Resolver`) and tracks list growth
 * (`MIDDLEWARE.append/insert`, `+= [...]`, also when indented) and same-text conditional
 * assignments, which decide the trailing-slash redirect; `SettingsEvaluator` computes values
 * (`py-eval`: paths through `__file__`, environment reads) and deliberately ignores list growth,
 * so path entries stay certain. Both find the settings module and its star imports through
 * python-modules.ts, and the module is selected by `selectSettings`. Merging means teaching
 * `SettingsEvaluator` list mutations and the cond/loop rules here, then reading MIDDLEWARE,
 * ROOT_URLCONF and `settings.X` from its namespace.
 */
export type SettingsVars = Map<string, { value: RExpr; lm: LoadedModule; certain: boolean } | 'unknown'>;

export async function settingsVars(loader: PyLoader, dotted: string, depth = 0): Promise<SettingsVars | undefined> {
  const lm = await loader.load(dotted);
  if (!lm || depth > 6) return undefined;
  const vars: SettingsVars = new Map();
  const scope = lm.mod.scopes.get('');
  for (const st of scope?.stmts ?? []) {
    if (st.kind === 'import' && st.imp.star) {
      const base = absoluteModule(lm, st.imp.module);
      const sub = base ? await settingsVars(loader, base, depth + 1) : undefined;
      if (sub) for (const [k, v] of sub) vars.set(k, v);
      continue;
    }
    if (st.kind === 'assign' && /^\w+\[/.test(st.target)) {
      // MIDDLEWARE[0] = ...: the list is no longer the literal
      const name = st.target.slice(0, st.target.indexOf('['));
      if (vars.has(name)) vars.set(name, 'unknown');
      continue;
    }
    if (st.kind === 'assign' && !st.target.includes('.')) {
      const prev = vars.get(st.target);
      if (st.ctx.cond || st.ctx.loop) vars.set(st.target, prev === undefined ? 'unknown' : prev === 'unknown' || !sameText(prev.value, st.value) ? 'unknown' : prev);
      else vars.set(st.target, { value: st.value, lm, certain: true });
    } else if (st.kind === 'augassign' && !st.target.includes('.')) {
      const prev = vars.get(st.target);
      if (prev && prev !== 'unknown' && st.op === '+=' && !st.ctx.loop && !st.ctx.cond) vars.set(st.target, { value: concat(prev.value, st.value), lm, certain: prev.certain });
      else vars.set(st.target, 'unknown');
    } else if (st.kind === 'calls') {
      // MIDDLEWARE.insert(0, "..."), MIDDLEWARE.append(...)
      for (const c of st.calls) {
        if (c.kind !== 'call' || c.func.kind !== 'attr' || c.func.object.kind !== 'name') continue;
        const name = c.func.object.name;
        const prev = vars.get(name);
        if (!prev) continue;
        if (prev !== 'unknown' && (c.func.attr === 'append' || c.func.attr === 'insert') && !st.ctx.loop && !st.ctx.cond) {
          const item = c.func.attr === 'append' ? c.args[0] : c.args[1];
          if (item) vars.set(name, { value: concat(prev.value, { kind: 'seq', type: 'list', items: [item], text: item.text, loc: item.loc }), lm, certain: prev.certain });
          continue;
        }
        if (/^(?:append|insert|extend|remove|pop|clear|update|setdefault)$/.test(c.func.attr)) vars.set(name, 'unknown');
      }
    }
  }
  return vars;
}

function sameText(a: RExpr, b: RExpr): boolean {
  return a.text === b.text;
}

function concat(a: RExpr, b: RExpr): RExpr {
  const parts = [...(a.kind === 'concat' ? a.parts : [a]), ...(b.kind === 'concat' ? b.parts : [b])];
  return { kind: 'concat', parts, text: `${a.text} + ${b.text}`, loc: b.loc };
}

/** A settings value as a string, or a list of strings; undefined when not literal. */
export function settingString(vars: SettingsVars | undefined, name: string): string | null | undefined {
  const v = vars?.get(name);
  if (v === undefined) return null; // not set
  if (v === 'unknown') return undefined;
  return v.value.kind === 'str' ? v.value.value : undefined;
}

export function settingList(vars: SettingsVars | undefined, name: string): string[] | null | undefined {
  const v = vars?.get(name);
  if (v === undefined) return null;
  if (v === 'unknown') return undefined;
  const out: string[] = [];
  const parts = v.value.kind === 'concat' ? v.value.parts : [v.value];
  for (const p of parts) {
    if (p.kind !== 'seq') return undefined;
    for (const i of p.items) {
      if (i.kind !== 'str') return undefined;
      out.push(i.value);
    }
  }
  return out;
}

/** Middleware that never answers a request on its own for a path it does not own. */
const SAFE_MIDDLEWARE = [
  /^django\./, /^whitenoise\.middleware\.WhiteNoiseMiddleware$/, /^corsheaders\.middleware\.CorsMiddleware$/, /^csp\.middleware\.CSPMiddleware$/,
  /^allauth\.account\.middleware\.AccountMiddleware$/, /^django_htmx\.middleware\.HtmxMiddleware$/, /^debug_toolbar\.middleware\.DebugToolbarMiddleware$/,
  /^simple_history\.middleware\.HistoryRequestMiddleware$/, /^django_prometheus\.middleware\./, /^axes\.middleware\.AxesMiddleware$/,
  /^oauth2_provider\.middleware\./, /^social_django\.middleware\./, /^waffle\.middleware\./, /^request_id\./, /^django_structlog\./,
  /^silk\.middleware\./, /^hijack\.middleware\./, /^log_request_id\./, /^csp\./, /^django_otp\.middleware\./, /^impersonate\.middleware\./,
];

export interface DjangoRoutes extends Collected {
  rootLoc: Location;
}

interface Piece {
  /** regex source for the consumed part (no anchors) */
  re: string;
  /** as written, for display */
  shown: string;
}

export class DjangoCollector {
  readonly out: DjangoRoutes;

  constructor(
    private readonly loader: PyLoader,
    private readonly r: Resolver,
    private readonly vars: SettingsVars | undefined,
    rootLoc: Location,
  ) {
    this.out = { routes: [], opaque: [], interceptors: [], gaps: [], trailingSlash: 'unknown', files: new Set(), rootLoc };
  }

  gap(reason: string, loc: Location): void {
    if (!this.out.gaps.some((g) => g.reason === reason)) this.out.gaps.push({ reason, loc });
  }

  /** MIDDLEWARE: the trailing-slash redirect, and project middleware that may answer requests. */
  async middleware(settingsLoc: Location): Promise<void> {
    if (!this.vars) {
      this.out.trailingSlash = 'unknown';
      return;
    }
    const mw = settingList(this.vars, 'MIDDLEWARE');
    const legacy = this.vars.get('MIDDLEWARE_CLASSES');
    if (mw === undefined || (mw === null && legacy !== undefined)) {
      this.out.trailingSlash = 'unknown';
      if (mw === undefined) this.gap('MIDDLEWARE is not a literal list', settingsLoc);
      return;
    }
    const list = mw ?? [];
    const append = this.vars.get('APPEND_SLASH');
    const appendSlash = append === undefined ? true : append === 'unknown' ? undefined : append.value.kind === 'bool' ? append.value.value : undefined;
    const common = list.includes('django.middleware.common.CommonMiddleware');
    this.out.trailingSlash = !common || appendSlash === false ? 'none' : appendSlash === true ? 'redirect-add' : 'unknown';
    for (const name of list) {
      if (SAFE_MIDDLEWARE.some((re) => re.test(name))) continue;
      const at = name.lastIndexOf('.');
      const lm = at > 0 ? await this.loader.load(name.slice(0, at)) : undefined;
      const attr = name.slice(at + 1);
      const cls = lm?.mod.classes.get(attr);
      const fn = lm?.mod.scopes.get(attr);
      if (lm && (cls || fn)) {
        this.out.interceptors.push({ what: `middleware ${name}`, loc: cls?.loc ?? fn!.loc });
        this.out.files.add(lm.path);
      } else this.gap(`middleware ${name} may answer requests itself`, settingsLoc);
    }
  }

  async urlconf(dotted: string, loc: Location): Promise<void> {
    const lm = await this.loader.load(dotted);
    if (!lm) return this.gap(`the URLconf ${dotted} is not in the image`, loc);
    await this.patterns(lm, [], 0);
  }

  /** The `urlpatterns` of a module, under `prefix`. */
  private async patterns(lm: LoadedModule, prefix: Piece[], depth: number): Promise<void> {
    if (depth > MAX_INCLUDE_DEPTH) return this.gap('include() nesting is too deep', { file: lm.path });
    this.out.files.add(lm.path);
    await this.loader.closure([lm.dotted], 1);
    const stmts: RStmt[] = lm.mod.scopes.get('')?.stmts ?? [];
    let seen = false;
    for (const st of stmts) {
      if ((st.kind === 'assign' || st.kind === 'augassign') && st.target === 'urlpatterns') {
        seen = true;
        if (st.ctx.loop) {
          this.gap('urlpatterns is built in a loop', st.loc);
          continue;
        }
        if (st.kind === 'augassign' && st.op !== '+=') {
          this.gap(`urlpatterns ${st.op} ...`, st.loc);
          continue;
        }
        await this.list(lm, st.value, prefix, depth);
      } else if (st.kind === 'calls') {
        for (const c of st.calls) {
          if (c.kind !== 'call' || c.func.kind !== 'attr' || c.func.object.kind !== 'name' || c.func.object.name !== 'urlpatterns') continue;
          if (st.ctx.loop) {
            this.gap('urlpatterns is extended in a loop', st.loc);
            continue;
          }
          const a = c.func.attr;
          if (a === 'append') for (const x of c.args) await this.item(lm, x, prefix, depth);
          else if (a === 'insert' && c.args[1]) await this.item(lm, c.args[1], prefix, depth);
          else if (a === 'extend' && c.args[0]) await this.list(lm, c.args[0], prefix, depth);
          else this.gap(`urlpatterns.${a}(...)`, c.loc);
        }
      } else if (st.kind === 'import' && st.imp.star) {
        // `from .base_urls import *` may bring urlpatterns
        const base = absoluteModule(lm, st.imp.module);
        const sub = base ? await this.loader.load(base) : undefined;
        if (sub && sub.mod.scopes.get('')?.stmts.some((s) => (s.kind === 'assign' || s.kind === 'augassign') && s.target === 'urlpatterns')) {
          seen = true;
          await this.patterns(sub, prefix, depth + 1);
        }
      }
    }
    if (!seen) this.gap(`${lm.path} defines no urlpatterns drydock can read`, { file: lm.path });
  }

  private async list(lm: LoadedModule, e: RExpr, prefix: Piece[], depth: number): Promise<void> {
    if (e.kind === 'concat') {
      for (const p of e.parts) await this.list(lm, p, prefix, depth);
      return;
    }
    if (e.kind === 'seq') {
      for (const x of e.items) await this.item(lm, x, prefix, depth);
      return;
    }
    if (e.kind === 'name' && e.name === 'urlpatterns') return; // urlpatterns = urlpatterns + [...]
    if (e.kind === 'call') {
      const q = this.qualified(lm, e.func);
      if (q === 'django.conf.urls.static.static') {
        const p = this.settingRef(lm, e.args[0] ?? kwarg(e, 'prefix'));
        if (p === undefined) return this.gap('static() serves a prefix drydock cannot read', e.loc);
        return this.opaque(prefix, p.replace(/^\/+/, ''), 'static()', e.loc);
      }
      if (q === 'django.contrib.staticfiles.urls.staticfiles_urlpatterns') {
        const p = settingString(this.vars, 'STATIC_URL');
        if (!p) return this.gap('staticfiles_urlpatterns() serves STATIC_URL, which drydock cannot read', e.loc);
        return this.opaque(prefix, p.replace(/^\/+/, ''), 'staticfiles_urlpatterns()', e.loc);
      }
      if (q === 'debug_toolbar.toolbar.debug_toolbar_urls') return this.opaque(prefix, '__debug__/', 'debug_toolbar_urls()', e.loc);
      return this.gap(`urlpatterns takes ${(dottedName(e.func) ?? 'a call')}(...), which drydock does not follow`, e.loc);
    }
    if (e.kind === 'name' || e.kind === 'attr') {
      // another module's urlpatterns
      const v = this.r.expr(lm, '', e);
      if (v?.t === 'module') return this.patterns(v.lm, prefix, depth + 1);
      if (e.kind === 'attr' && e.attr === 'urlpatterns') {
        const mv = this.r.expr(lm, '', e.object);
        if (mv?.t === 'module') return this.patterns(mv.lm, prefix, depth + 1);
      }
    }
    this.gap(`urlpatterns takes ${e.text.slice(0, 40)}, which drydock does not follow`, e.loc);
  }

  private qualified(lm: LoadedModule, func: PyExpr): string | undefined {
    const v = this.r.expr(lm, '', func);
    if (v?.t !== 'ext') return undefined;
    // django.urls re-exports; normalise the common spellings
    return v.qname
      .replace(/^django\.urls\.conf\./, 'django.urls.')
      .replace(/^django\.conf\.urls\.(path|re_path|include)$/, 'django.urls.$1')
      .replace(/^django\.conf\.urls\.url$/, 'django.urls.re_path');
  }

  /** `settings.MEDIA_URL`, a literal, or a module constant. */
  private settingRef(lm: LoadedModule, e: PyExpr | undefined): string | undefined {
    if (!e) return undefined;
    if (e.kind === 'attr' && e.object.kind === 'name') {
      const obj = this.r.expr(lm, '', e.object);
      if (obj?.t === 'ext' && obj.qname === 'django.conf.settings') return settingString(this.vars, e.attr) ?? undefined;
    }
    const v = this.r.expr(lm, '', e);
    return v?.t === 'str' ? v.value : undefined;
  }

  private async item(lm: LoadedModule, e: PyExpr, prefix: Piece[], depth: number): Promise<void> {
    if (e.kind !== 'call') return this.gap(`urlpatterns entry ${e.text.slice(0, 40)} is not path()/re_path()`, e.loc);
    const q = this.qualified(lm, e.func);
    const kind = q === 'django.urls.path' ? 'path' : q === 'django.urls.re_path' ? 're_path' : undefined;
    if (!kind) return this.gap(`urlpatterns entry ${(dottedName(e.func) ?? e.func.text).slice(0, 40)}(...) is not path()/re_path()`, e.loc);
    const routeExpr = e.args[0] ?? kwarg(e, 'route');
    const view = e.args[1] ?? kwarg(e, 'view');
    const rv = routeExpr ? this.r.expr(lm, '', routeExpr) : undefined;
    if (rv?.t !== 'str' || !view) return this.gap(`a ${kind}() route is not a literal`, e.loc);
    const include = view.kind === 'call' && this.qualified(lm, view.func) === 'django.urls.include' ? view : undefined;
    const endpoint = !include && !(view.kind === 'seq' && view.type === 'tuple') && !(view.kind === 'attr' && view.attr === 'urls');
    const piece = kind === 'path' ? pathPiece(rv.value, endpoint) : rePiece(rv.value, endpoint);
    if (!piece) return this.gap(`${kind}(${JSON.stringify(rv.value)}) cannot be matched`, e.loc);
    const pieces = [...prefix, piece.piece];
    if (endpoint) {
      this.out.routes.push({ path: `/${pieces.map((p) => p.shown).join('')}`, regex: `^\\/${pieces.map((p) => p.re).join('')}${piece.anchored ? '$' : ''}`, loc: e.loc });
      return;
    }
    if (piece.anchored) return this.gap(`${kind}(${JSON.stringify(rv.value)}) ends an include() prefix with $`, e.loc);
    // include("mod"), include(mod), include([...]), include((patterns, "ns")), admin.site.urls, router.urls
    let target: PyExpr | undefined = include ? (include.args[0] ?? kwarg(include, 'arg')) : view;
    if (target?.kind === 'seq' && target.type === 'tuple') target = target.items[0];
    if (!target) return this.gap('include() without a target', e.loc);
    if (target.kind === 'seq') {
      for (const x of target.items) await this.item(lm, x, pieces, depth + 1);
      return;
    }
    if (target.kind === 'str') {
      const sub = await this.loader.load(target.value);
      if (sub) return this.patterns(sub, pieces, depth + 1);
      return this.opaque(prefix, piece.piece.shown, `include(${JSON.stringify(target.value)})`, e.loc, piece.piece.re);
    }
    const v = this.r.expr(lm, '', target);
    if (v?.t === 'module') return this.patterns(v.lm, pieces, depth + 1);
    if (target.kind === 'name') {
      // a list assigned in this module
      const asg = [...(lm.mod.scopes.get('')?.stmts ?? [])].reverse().find((s) => s.kind === 'assign' && s.target === target.name);
      if (asg?.kind === 'assign' && (asg.value.kind === 'seq' || asg.value.kind === 'concat')) return this.list(lm, asg.value, pieces, depth + 1);
    }
    const what = target.kind === 'attr' && target.attr === 'urls' && /(?:^|\.)site$/.test(target.object.text) ? 'the Django admin' : `include(${target.text.slice(0, 40)})`;
    this.opaque(prefix, piece.piece.shown, what, e.loc, piece.piece.re);
  }

  private opaque(prefix: Piece[], shown: string, what: string, loc: Location, re?: string): void {
    const pieces = [...prefix, { re: re ?? escapeRegex(shown), shown }];
    if (!pieces.some((p) => p.shown)) return this.gap(`${what} is included at the root and drydock cannot read its patterns`, loc);
    this.out.opaque.push({ prefix: `/${pieces.map((p) => p.shown).join('')}`, regex: `^\\/${pieces.map((p) => p.re).join('')}`, what, loc });
  }
}

// ---------------------------------------------------------------------------------------------

const CONVERTERS: Record<string, string> = {
  str: '[^/]+',
  int: '[0-9]+',
  slug: '[-a-zA-Z0-9_]+',
  uuid: '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}',
  path: '.+',
};

/** django/urls/resolvers.py `_route_to_regex`. */
function pathPiece(route: string, endpoint: boolean): { piece: Piece; anchored: boolean } | undefined {
  let re = '';
  let i = 0;
  for (const m of route.matchAll(/<(?:(?<conv>[^>:]+):)?(?<name>[^>]+)>/g)) {
    re += escapeRegex(route.slice(i, m.index));
    const c = CONVERTERS[m.groups!.conv ?? 'str'];
    if (c === undefined) return undefined; // a registered custom converter
    re += `(?:${c})`;
    i = m.index + m[0].length;
  }
  re += escapeRegex(route.slice(i));
  return { piece: { re, shown: route }, anchored: endpoint };
}

/** A Python regex of `re_path()` as JavaScript; undefined for syntax the two do not share. */
function rePiece(pattern: string, endpoint: boolean): { piece: Piece; anchored: boolean } | undefined {
  if (!pattern.startsWith('^')) return undefined; // re.search would match anywhere
  let body = pattern.slice(1);
  if (/\(\?[aiLmsux]|\(\?P=|\\[AZ](?!\w)|\(\?#|\\\d/.test(body.replace(/\\Z$/, ''))) return undefined;
  let anchored = false;
  if (/(?<!\\)\$$/.test(body) || body.endsWith('\\Z')) {
    body = body.replace(/(?:\$|\\Z)$/, '');
    anchored = endpoint;
    if (!endpoint) return { piece: { re: body, shown: body }, anchored: true };
  }
  const shown = body;
  body = body.replace(/\(\?P<[A-Za-z_][A-Za-z0-9_]*>/g, '(?:');
  try {
    new RegExp(body);
  } catch {
    return undefined;
  }
  return { piece: { re: body, shown }, anchored };
}
