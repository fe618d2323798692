/**
 * Routes of a FastAPI/Starlette or Flask application object, followed through the modules its
 * module imports (py-project.ts):
 *
 * - FastAPI: `@app.get("/p")` (and post/put/delete/patch/options/head/trace/api_route),
 *   `app.add_api_route`, `app.add_route`, `APIRouter(prefix=...)` + `app.include_router(router,
 *   prefix=...)` (prefixes concatenate: include prefix + router prefix + path, fastapi/routing.py
 *   `include_router`), `FastAPI(routes=[Route(...), Mount(...)])`, the built-in `/docs`, `/redoc`,
 *   `/openapi.json`, `/docs/oauth2-redirect` unless disabled, `app.mount` (opaque prefix).
 *   Starlette's router redirects a path that differs only by a trailing slash (307,
 *   `redirect_slashes=True` by default, starlette/routing.py `Router.app`).
 * - Flask: `@app.route("/p", methods=[...])`, `@app.get`, `add_url_rule`, `Blueprint(url_prefix=)`
 *   + `register_blueprint(bp, url_prefix=)` (the registration's prefix replaces the blueprint's;
 *   nested blueprints join; flask/blueprints.py `BlueprintSetupState`), the `/static` folder.
 *   Werkzeug redirects `/p` to a rule `/p/` (`strict_slashes`), never the other way.
 *
 * Anything else that could add routes or answer requests is a gap (route paths that are not
 * literals, registrations in loops, routers it cannot resolve, the app passed to a function it
 * cannot see, `wsgi_app` wrappers, 404 handlers) or an interceptor (project middleware,
 * `before_request`).
 */
import type { Location } from '../../core/location.js';
import { kwarg } from '../../parse/python/expr.js';
import type { PyExpr } from '../../parse/python/module-types.js';
import { calleeText, type FrameworkObject, type LoadedModule, type Resolver, type Value } from './py-project.js';
import type { RScope } from './py-scopes.js';
import type { AppRoute, OpaquePrefix, RouteGap, RouteInterceptor, TrailingSlash } from './route-types.js';

type Call = PyExpr & { kind: 'call' };

interface Event {
  lm: LoadedModule;
  scope: RScope;
  /** a decorator (`@app.get(...)` above `def`), a call statement (`app.include_router(...)`) or an attribute assignment */
  how: 'decorator' | 'call' | 'setattr';
  /** the method or attribute: `get`, `include_router`, `wsgi_app` */
  method: string;
  /** `router` when called through `app.router.<method>` */
  via?: string;
  call?: Call;
  /** the decorated definition (decorators) or the assigned value (setattr) */
  defLoc?: Location;
  value?: PyExpr;
  loop: boolean;
  loc: Location;
}

/** Everything done to framework objects in the loaded modules, by object key. */
export interface ObjectUses {
  events: Map<string, Event[]>;
  /** calls that receive an object as an argument, by object key */
  escapes: Map<string, { lm: LoadedModule; scope: RScope; call: Call; callee: Value | undefined; arg: number | string; loc: Location }[]>;
  objects: Map<string, FrameworkObject>;
}

const MAX_ROUNDS = 4;

/** Scan every loaded module for uses of framework objects; parameters that receive one are bound and the scan repeats. */
export function scanUses(modules: readonly LoadedModule[], r: Resolver): ObjectUses {
  let uses = scanOnce(modules, r);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    let added = false;
    for (const list of uses.escapes.values())
      for (const esc of list) {
        if (esc.callee?.t !== 'func') continue;
        const fn = esc.callee.scope;
        const obj = uses.objects.get(objKeyOfArg(esc, r));
        if (!obj) continue;
        let param: string | undefined;
        if (typeof esc.arg === 'number') {
          const params = fn.params.filter((p) => p !== 'self' && p !== 'cls');
          param = params[esc.arg];
        } else param = fn.params.includes(esc.arg) ? esc.arg : undefined;
        if (!param || param.startsWith('*')) continue;
        const key = `${esc.callee.lm.path}\0${fn.key}\0${param}`;
        if (!r.bindings.has(key)) {
          r.bindings.set(key, obj);
          added = true;
        }
      }
    if (!added) break;
    r.clearCache();
    uses = scanOnce(modules, r);
  }
  return uses;
}

function objKeyOfArg(esc: { lm: LoadedModule; scope: RScope; call: Call; arg: number | string }, r: Resolver): string {
  const a = typeof esc.arg === 'number' ? esc.call.args[esc.arg] : esc.call.kwargs.find((k) => k.name === esc.arg)?.value;
  const v = a ? r.expr(esc.lm, esc.scope.key, a) : undefined;
  return v?.t === 'obj' ? v.obj.key : '';
}

function scanOnce(modules: readonly LoadedModule[], r: Resolver): ObjectUses {
  const uses: ObjectUses = { events: new Map(), escapes: new Map(), objects: new Map() };
  const add = (obj: FrameworkObject, ev: Event): void => {
    uses.objects.set(obj.key, obj);
    const list = uses.events.get(obj.key) ?? [];
    list.push(ev);
    uses.events.set(obj.key, list);
  };
  /** `X.m(...)` or `X.router.m(...)` where X is a framework object */
  const receiver = (lm: LoadedModule, scope: RScope, func: PyExpr): { obj: FrameworkObject; method: string; via?: string } | undefined => {
    if (func.kind !== 'attr') return undefined;
    const o = r.expr(lm, scope.key, func.object);
    if (o?.t === 'obj') {
      const via = func.object.kind === 'attr' && func.object.attr === 'router' ? 'router' : undefined;
      return via ? { obj: o.obj, method: func.attr, via } : { obj: o.obj, method: func.attr };
    }
    // `app.url_map.add(...)`, `app.router.routes.append(...)`: a structure drydock does not follow
    if (func.object.kind === 'attr') {
      const inner = r.expr(lm, scope.key, func.object.object);
      if (inner?.t === 'obj') return { obj: inner.obj, method: `${func.object.attr}.${func.attr}` };
    }
    return undefined;
  };
  for (const lm of modules)
    for (const scope of lm.mod.scopes.values())
      for (const st of scope.stmts) {
        if (st.kind === 'decorated') {
          for (const d of st.decorators) {
            // `@app.get("/p")` (a call) or `@app.before_request` (an attribute)
            const rc = receiver(lm, scope, d.kind === 'call' ? d.func : d);
            if (rc) add(rc.obj, { lm, scope, how: 'decorator', method: rc.method, ...(rc.via ? { via: rc.via } : {}), ...(d.kind === 'call' ? { call: d } : {}), defLoc: st.loc, loop: st.ctx.loop, loc: d.loc });
          }
        } else if (st.kind === 'calls') {
          for (const c of st.calls) {
            if (c.kind !== 'call') continue;
            const rc = receiver(lm, scope, c.func);
            if (rc) add(rc.obj, { lm, scope, how: 'call', method: rc.method, ...(rc.via ? { via: rc.via } : {}), call: c, loop: st.ctx.loop, loc: c.loc });
            // objects passed to calls
            const args: [PyExpr, number | string][] = [...c.args.map((a, i): [PyExpr, number] => [a, i]), ...c.kwargs.map((k): [PyExpr, string] => [k.value, k.name])];
            for (const [a, which] of args) {
              if (a.kind !== 'name' && a.kind !== 'attr') continue;
              const v = r.expr(lm, scope.key, a);
              if (v?.t !== 'obj') continue;
              uses.objects.set(v.obj.key, v.obj);
              const list = uses.escapes.get(v.obj.key) ?? [];
              list.push({ lm, scope, call: c, callee: r.expr(lm, scope.key, c.func), arg: which, loc: c.loc });
              uses.escapes.set(v.obj.key, list);
            }
          }
        } else if (st.kind === 'assign' && st.target.includes('.')) {
          const i = st.target.indexOf('.');
          const base = st.target.slice(0, i);
          const v = r.name(lm, scope.key, base);
          if (v?.t === 'obj' && st.value.kind !== 'concat') add(v.obj, { lm, scope, how: 'setattr', method: st.target.slice(i + 1), value: st.value, loop: st.ctx.loop, loc: st.loc });
        }
      }
  return uses;
}

// ---------------------------------------------------------------------------------------------
// collecting

export interface Collected {
  routes: AppRoute[];
  opaque: OpaquePrefix[];
  interceptors: RouteInterceptor[];
  gaps: RouteGap[];
  trailingSlash: TrailingSlash;
  files: Set<string>;
}

const FASTAPI_METHODS = new Set(['get', 'post', 'put', 'delete', 'patch', 'options', 'head', 'trace']);
const FLASK_METHODS = new Set(['get', 'post', 'put', 'delete', 'patch']);
/** methods (and attributes) that add nothing a request could reach */
const FASTAPI_NEUTRAL = new Set([
  'on_event', 'exception_handler', 'add_exception_handler', 'add_event_handler', 'dependency_overrides', 'openapi', 'state', 'title',
  'version', 'description', 'openapi_schema', 'extra', 'lifespan', 'websocket', 'add_api_websocket_route', 'add_websocket_route',
  'websocket_route', 'url_path_for', 'build_middleware_stack', 'openapi_tags', 'servers', 'debug', 'user_middleware',
]);
const FLASK_NEUTRAL = new Set([
  'after_request', 'teardown_request', 'teardown_appcontext', 'context_processor', 'app_context_processor', 'template_filter',
  'template_global', 'template_test', 'app_template_filter', 'app_template_global', 'app_template_test', 'shell_context_processor',
  'url_value_preprocessor', 'url_defaults', 'app_url_value_preprocessor', 'app_url_defaults', 'cli', 'config', 'logger', 'run',
  'app_context', 'test_client', 'test_request_context', 'json', 'secret_key', 'jinja_env', 'extensions', 'add_template_filter',
  'add_template_global', 'record', 'record_once', 'register_error_handler', 'errorhandler', 'app_errorhandler', 'endpoint',
  'after_app_request', 'teardown_app_request', 'permanent_session_lifetime', 'session_interface', 'json_provider_class', 'debug',
  'testing', 'name', 'import_name', 'template_folder', 'jinja_loader', 'before_first_request', 'shell_context_processors', 'redirect',
]);
/** third-party calls known not to add routes when given the app (extensions that only read config or add hooks) */
const SAFE_CALLEES = [
  /^uvicorn\.run$/, /^mangum\.Mangum$/, /^asgiref\.wsgi\.WsgiToAsgi$/, /^werkzeug\.middleware\.proxy_fix\.ProxyFix$/,
  /^flask_sqlalchemy\.SQLAlchemy(?:\(\)\.init_app)?$/, /^flask_migrate\.Migrate(?:\(\)\.init_app)?$/, /^flask_login\.LoginManager(?:\(\)\.init_app)?$/,
  /^flask_cors\.CORS(?:\(\)\.init_app)?$/, /^flask_wtf(?:\.csrf)?\.CSRFProtect(?:\(\)\.init_app)?$/, /^flask_caching\.Cache(?:\(\)\.init_app)?$/,
  /^flask_mail\.Mail(?:\(\)\.init_app)?$/, /^flask_bcrypt\.Bcrypt(?:\(\)\.init_app)?$/, /^flask_jwt_extended\.JWTManager(?:\(\)\.init_app)?$/,
  /^flask_marshmallow\.Marshmallow(?:\(\)\.init_app)?$/, /^flask_compress\.Compress(?:\(\)\.init_app)?$/, /^flask_limiter\.Limiter(?:\(\)\.init_app)?$/,
  /^flask_session\.Session(?:\(\)\.init_app)?$/, /^flask_babel\.Babel(?:\(\)\.init_app)?$/, /^flask_moment\.Moment(?:\(\)\.init_app)?$/,
  /^fastapi_pagination\.add_pagination$/, /^logging\./, /^structlog\./, /^sentry_sdk\./,
];
const BUILTINS = new Set(['print', 'isinstance', 'id', 'repr', 'str', 'type', 'len', 'hasattr', 'getattr', 'callable', 'bool', 'vars', 'dir', 'hash']);
/** Starlette/FastAPI middleware that only transforms requests and responses */
const SAFE_MIDDLEWARE = [
  /(?:^|\.)CORSMiddleware$/, /(?:^|\.)GZipMiddleware$/, /(?:^|\.)TrustedHostMiddleware$/, /(?:^|\.)HTTPSRedirectMiddleware$/,
  /(?:^|\.)SessionMiddleware$/, /(?:^|\.)ProxyHeadersMiddleware$/, /^sentry_sdk\./, /(?:^|\.)SentryAsgiMiddleware$/, /^asgi_correlation_id\./,
  /^starlette_context\./, /^brotli_asgi\./,
];

export class Collector {
  readonly out: Collected = { routes: [], opaque: [], interceptors: [], gaps: [], trailingSlash: 'none', files: new Set() };
  private readonly visiting = new Set<string>();

  constructor(
    private readonly uses: ObjectUses,
    private readonly r: Resolver,
  ) {}

  gap(reason: string, loc: Location): void {
    if (!this.out.gaps.some((g) => g.reason === reason)) this.out.gaps.push({ reason, loc });
  }

  /** Collect the application object: its own routes, then every router it includes. */
  app(obj: FrameworkObject): void {
    const starletteFamily = obj.kind === 'fastapi' || obj.kind === 'starlette' || obj.kind === 'starlette-router';
    this.out.trailingSlash = starletteFamily ? 'redirect-both' : obj.kind === 'flask' ? 'redirect-add' : 'unknown';
    if (starletteFamily) {
      const rs = kwarg(obj.ctor, 'redirect_slashes');
      if (rs) this.out.trailingSlash = rs.kind === 'bool' ? (rs.value ? 'redirect-both' : 'none') : 'unknown';
      if (kwarg(obj.ctor, 'root_path') || kwarg(obj.ctor, 'openapi_prefix')) this.gap(`${obj.name} is built with a root_path`, obj.loc);
    }
    if (obj.kind === 'fastapi') this.fastapiBuiltins(obj);
    if (obj.kind === 'flask') {
      if (kwarg(obj.ctor, 'host_matching') || kwarg(obj.ctor, 'subdomain_matching')) this.gap(`${obj.name} matches hosts`, obj.loc);
      this.flaskStatic(obj, '');
    }
    if (obj.kind === 'flask' || obj.kind === 'blueprint') this.flask(obj, undefined, 0);
    else this.starlette(obj, '', 0);
  }

  private hiddenKwargs(obj: FrameworkObject): void {
    if (/\*\*\s*[A-Za-z_(]/.test(obj.ctor.text)) this.gap(`${obj.name} is built with **keyword arguments drydock cannot see`, obj.loc);
  }

  private str(lm: LoadedModule, scopeKey: string, e: PyExpr | undefined): string | undefined {
    if (!e) return undefined;
    const v = this.r.expr(lm, scopeKey, e);
    return v?.t === 'str' ? v.value : undefined;
  }

  private escapes(obj: FrameworkObject): void {
    for (const esc of this.uses.escapes.get(obj.key) ?? []) {
      const c = esc.callee;
      if (c?.t === 'func') continue; // followed through the parameter binding
      if (c?.t === 'obj') continue; // a method of a framework object (include_router, register_blueprint): handled there
      if (esc.call.func.kind === 'attr') {
        const recv = this.r.expr(esc.lm, esc.scope.key, esc.call.func.object);
        if (recv?.t === 'obj') continue;
      }
      if (esc.call.func.kind === 'name' && BUILTINS.has(esc.call.func.name) && !c) continue;
      if (c?.t === 'ext' && SAFE_CALLEES.some((re) => re.test(c.qname))) continue;
      this.gap(`${obj.name} is passed to ${calleeText(esc.call.func)}(), which may add routes`, esc.loc);
    }
  }

  // ------------------------------------------------------------------------------- FastAPI/Starlette

  private fastapiBuiltins(obj: FrameworkObject): void {
    const url = (name: string, def: string): string | null | undefined => {
      const e = kwarg(obj.ctor, name);
      if (!e) return def;
      if (e.kind === 'none') return null;
      return this.str(obj.lm, obj.scope, e);
    };
    const openapi = url('openapi_url', '/openapi.json');
    if (openapi === undefined) return this.gap(`${obj.name}'s openapi_url is not a literal`, obj.loc);
    if (openapi === null) return;
    this.builtin(openapi, obj);
    const docs = url('docs_url', '/docs');
    const redoc = url('redoc_url', '/redoc');
    const oauth = url('swagger_ui_oauth2_redirect_url', '/docs/oauth2-redirect');
    for (const [v, what] of [[docs, 'docs_url'], [redoc, 'redoc_url']] as const) {
      if (v === undefined) this.gap(`${obj.name}'s ${what} is not a literal`, obj.loc);
      else if (v !== null) this.builtin(v, obj);
    }
    if (docs && oauth) this.builtin(oauth, obj);
    else if (docs && oauth === undefined) this.gap(`${obj.name}'s swagger_ui_oauth2_redirect_url is not a literal`, obj.loc);
  }

  private builtin(path: string, obj: FrameworkObject): void {
    const re = starletteRegex(path);
    if (re) this.out.routes.push({ path, regex: re, methods: ['GET', 'HEAD'], loc: obj.loc, builtin: true });
  }

  private starlette(obj: FrameworkObject, prefix: string, depth: number): void {
    if (this.visiting.has(obj.key) || depth > 12) return;
    this.visiting.add(obj.key);
    this.out.files.add(obj.lm.path);
    this.hiddenKwargs(obj);
    this.escapes(obj);
    const own = obj.kind === 'apirouter' ? kwarg(obj.ctor, 'prefix') : undefined;
    let p = prefix;
    if (own) {
      const s = this.str(obj.lm, obj.scope, own);
      if (s === undefined) {
        this.gap(`the prefix of ${obj.name} is not a literal`, own.loc);
        this.visiting.delete(obj.key);
        return;
      }
      p += s;
    }
    const routes = kwarg(obj.ctor, 'routes');
    if (routes) this.routeList(obj.lm, obj.scope, routes, p, depth);
    for (const ev of this.uses.events.get(obj.key) ?? []) this.starletteEvent(obj, ev, p, depth);
    this.visiting.delete(obj.key);
  }

  private starletteEvent(obj: FrameworkObject, ev: Event, prefix: string, depth: number): void {
    this.out.files.add(ev.lm.path);
    const m = ev.method;
    if (ev.how === 'setattr') {
      if (/^(?:router|routes|redirect_slashes|root_path|openapi_url|docs_url|redoc_url|middleware_stack)$/.test(m) || m.startsWith('router.')) this.gap(`${obj.name}.${m} is assigned`, ev.loc);
      return;
    }
    if (m.includes('.')) {
      if (!/^(?:state|dependency_overrides|extra)\./.test(m)) this.gap(`${obj.name}.${m}() changes routing`, ev.loc);
      return;
    }
    if (ev.loop && !FASTAPI_NEUTRAL.has(m)) return this.gap(`${obj.name}.${m}() runs in a loop`, ev.loc);
    const scopeKey = ev.scope.key;
    const call = ev.call;
    if (!call) {
      // a bare `@app.<attr>` decorator: nothing FastAPI/Starlette routes that way
      if (m === 'middleware') this.gap(`@${obj.name}.middleware without arguments`, ev.loc);
      return;
    }
    if (ev.how === 'decorator') {
      if (FASTAPI_METHODS.has(m) || m === 'api_route' || m === 'route') {
        const path = this.str(ev.lm, scopeKey, call.args[0] ?? kwarg(call, 'path'));
        if (path === undefined) return this.gap(`a route path of ${obj.name} is not a literal`, ev.loc);
        const methods = FASTAPI_METHODS.has(m) ? [m.toUpperCase()] : this.methods(ev.lm, scopeKey, call, m === 'route' ? ['GET', 'HEAD'] : ['GET']);
        this.route(prefix + path, methods, ev.loc, 'starlette');
        return;
      }
      if (m === 'middleware') return void this.out.interceptors.push({ what: `@${obj.name}.middleware`, loc: ev.defLoc ?? ev.loc });
      if (m === 'exception_handler') return this.notFoundHandler(ev, call);
      return;
    }
    switch (m) {
      case 'add_api_route':
      case 'add_route': {
        const path = this.str(ev.lm, scopeKey, call.args[0] ?? kwarg(call, 'path'));
        if (path === undefined) return this.gap(`a route path of ${obj.name} is not a literal`, ev.loc);
        this.route(prefix + path, this.methods(ev.lm, scopeKey, call, m === 'add_route' ? ['GET', 'HEAD'] : ['GET']), ev.loc, 'starlette');
        return;
      }
      case 'include_router': {
        const target = call.args[0] ?? kwarg(call, 'router');
        const pe = kwarg(call, 'prefix');
        const p = pe ? this.str(ev.lm, scopeKey, pe) : '';
        if (p === undefined) return this.gap(`the prefix given to ${obj.name}.include_router() is not a literal`, ev.loc);
        const v = target ? this.r.expr(ev.lm, scopeKey, target) : undefined;
        if (v?.t === 'obj' && (v.obj.kind === 'apirouter' || v.obj.kind === 'fastapi')) return this.starlette(v.obj, prefix + p, depth + 1);
        return this.opaqueOrGap(prefix + p, `router ${target?.text ?? '?'}`, ev.loc, 'starlette');
      }
      case 'mount': {
        const path = this.str(ev.lm, scopeKey, call.args[0] ?? kwarg(call, 'path'));
        if (path === undefined) return this.gap(`a mount path of ${obj.name} is not a literal`, ev.loc);
        const target = call.args[1] ?? kwarg(call, 'app');
        const v = target ? this.r.expr(ev.lm, scopeKey, target) : undefined;
        if (v?.t === 'obj' && (v.obj.kind === 'fastapi' || v.obj.kind === 'starlette')) return this.starlette(v.obj, prefix + path, depth + 1);
        return this.opaqueOrGap(prefix + path, `mounted ${target?.text.split('(')[0] ?? 'application'}`, ev.loc, 'starlette');
      }
      case 'add_middleware': {
        const cls = call.args[0] ?? kwarg(call, 'middleware_class');
        const v = cls ? this.r.expr(ev.lm, scopeKey, cls) : undefined;
        if (v?.t === 'ext' && SAFE_MIDDLEWARE.some((re) => re.test(v.qname))) return;
        if (v?.t === 'class') return void this.out.interceptors.push({ what: `middleware ${v.name}`, loc: v.loc });
        return this.gap(`${obj.name} uses middleware ${cls?.text ?? '?'}, which may answer requests itself`, ev.loc);
      }
      case 'middleware': {
        // app.middleware("http")(func)
        return this.gap(`${obj.name}.middleware() is applied to a function drydock does not follow`, ev.loc);
      }
      case 'add_exception_handler':
        return this.notFoundHandler(ev, call);
      default:
        if (FASTAPI_METHODS.has(m) || m === 'api_route' || m === 'route') {
          // `app.get("/p")(handler)`: registration without a decorator
          this.gap(`${obj.name}.${m}() is called without decorating a function`, ev.loc);
        }
    }
  }

  private notFoundHandler(ev: Event, call: Call): void {
    const what = call.args[0] ?? kwarg(call, 'exc_class_or_status_code') ?? kwarg(call, 'code_or_exception');
    if (!what) return;
    if ((what.kind === 'num' && what.value === 404) || /(?:^|\.)(?:HTTPException|NotFound|Exception|StarletteHTTPException)$/.test(what.text)) {
      this.gap(`a handler for ${what.text} may answer unknown paths with a success`, ev.loc);
    }
  }

  private routeList(lm: LoadedModule, scopeKey: string, e: PyExpr, prefix: string, depth: number): void {
    const v = e.kind === 'name' ? this.assignedSeq(lm, scopeKey, e.name) : e;
    if (v?.kind !== 'seq') return this.gap('routes=... is not a literal list', e.loc);
    for (const item of v.items) {
      if (item.kind !== 'call') {
        this.gap(`route entry ${item.text.slice(0, 40)} is not a Route(...)`, item.loc);
        continue;
      }
      const callee = item.func.kind === 'name' ? item.func.name : item.func.kind === 'attr' ? item.func.attr : '';
      const path = this.str(lm, scopeKey, item.args[0] ?? kwarg(item, 'path'));
      if (path === undefined) {
        this.gap('a Route/Mount path is not a literal', item.loc);
        continue;
      }
      if (callee === 'Route' || callee === 'APIRoute') this.route(prefix + path, this.methods(lm, scopeKey, item, ['GET', 'HEAD']), item.loc, 'starlette');
      else if (callee === 'WebSocketRoute') continue;
      else if (callee === 'Mount' || callee === 'Host') {
        const sub = kwarg(item, 'routes');
        if (callee === 'Mount' && sub && !kwarg(item, 'app') && depth < 12) this.routeList(lm, scopeKey, sub, prefix + path, depth + 1);
        else this.opaqueOrGap(prefix + path, `${callee}(${JSON.stringify(path)})`, item.loc, 'starlette');
      } else this.gap(`route entry ${callee}(...) is not understood`, item.loc);
    }
  }

  private assignedSeq(lm: LoadedModule, scopeKey: string, name: string): PyExpr | undefined {
    const scope = lm.mod.scopes.get(scopeKey) ?? lm.mod.scopes.get('');
    let out: PyExpr | undefined;
    for (const s of [...(lm.mod.scopes.get('')?.stmts ?? []), ...(scope && scope.key ? scope.stmts : [])]) if (s.kind === 'assign' && s.target === name && s.value.kind !== 'concat') out = s.value;
    return out;
  }

  private methods(lm: LoadedModule, scopeKey: string, call: Call, def: string[]): string[] | undefined {
    const e = kwarg(call, 'methods');
    if (!e) return def;
    if (e.kind !== 'seq') return undefined;
    const out: string[] = [];
    for (const i of e.items) {
      const s = this.str(lm, scopeKey, i);
      if (s === undefined) return undefined;
      out.push(s.toUpperCase());
    }
    return out;
  }

  private route(path: string, methods: string[] | undefined, loc: Location, syntax: 'starlette' | 'werkzeug'): void {
    const re = syntax === 'starlette' ? starletteRegex(path) : werkzeugRegex(path);
    if (re === undefined) return this.gap(`route ${path} uses a converter drydock does not know`, loc);
    const route: AppRoute = { path, regex: re, loc };
    if (methods) route.methods = methods;
    this.out.routes.push(route);
  }

  private opaqueOrGap(prefix: string, what: string, loc: Location, syntax: 'starlette' | 'werkzeug'): void {
    const clean = prefix.replace(/\/+$/, '');
    if (!clean) return this.gap(`${what} is served at the root and drydock cannot read its routes`, loc);
    const re = syntax === 'starlette' ? starletteRegex(clean) : werkzeugRegex(clean);
    if (re === undefined) return this.gap(`${what} is served under ${prefix}, which drydock cannot match`, loc);
    // everything at or under the prefix: `^/static(?:/.*)?$`
    this.out.opaque.push({ prefix: clean, regex: `${re.replace(/\$$/, '')}(?:/.*)?$`, what, loc });
  }

  // ------------------------------------------------------------------------------- Flask

  private flaskStatic(obj: FrameworkObject, prefix: string): void {
    const folder = kwarg(obj.ctor, 'static_folder');
    if (folder?.kind === 'none') return;
    const urlPath = kwarg(obj.ctor, 'static_url_path');
    let p: string | undefined;
    if (urlPath) p = this.str(obj.lm, obj.scope, urlPath);
    else if (obj.kind === 'flask') p = folder ? (this.str(obj.lm, obj.scope, folder)?.split('/').filter(Boolean).pop()?.replace(/^/, '/') ?? undefined) : '/static';
    else if (folder) p = this.str(obj.lm, obj.scope, folder)?.split('/').filter(Boolean).pop()?.replace(/^/, '/');
    else return; // a blueprint without static_folder has no static route
    if (p === undefined) return this.gap(`the static URL path of ${obj.name} is not a literal`, obj.loc);
    this.opaqueOrGap(joinFlask(prefix, p), 'static files', obj.loc, 'werkzeug');
  }

  /** A Flask app (prefix undefined) or a blueprint registered with `prefix`. */
  private flask(obj: FrameworkObject, prefix: string | undefined, depth: number): void {
    if (this.visiting.has(obj.key) || depth > 12) return;
    this.visiting.add(obj.key);
    this.out.files.add(obj.lm.path);
    this.hiddenKwargs(obj);
    this.escapes(obj);
    for (const ev of this.uses.events.get(obj.key) ?? []) this.flaskEvent(obj, ev, prefix, depth);
    this.visiting.delete(obj.key);
  }

  private flaskEvent(obj: FrameworkObject, ev: Event, prefix: string | undefined, depth: number): void {
    this.out.files.add(ev.lm.path);
    const m = ev.method;
    if (ev.how === 'setattr') {
      if (m === 'wsgi_app' && ev.value?.kind === 'call' && /(?:^|\.)ProxyFix$/.test(ev.value.func.text)) return;
      if (m === 'url_map.strict_slashes') {
        this.out.trailingSlash = 'unknown';
        return;
      }
      if (/^(?:wsgi_app|url_map|view_functions|static_url_path|static_folder|url_rule_class)/.test(m)) this.gap(`${obj.name}.${m} is assigned`, ev.loc);
      return;
    }
    if (m.includes('.')) {
      if (/^(?:url_map|view_functions|blueprints)\./.test(m)) this.gap(`${obj.name}.${m}() changes routing`, ev.loc);
      return;
    }
    if (ev.loop && !FLASK_NEUTRAL.has(m)) return this.gap(`${obj.name}.${m}() runs in a loop`, ev.loc);
    const scopeKey = ev.scope.key;
    const call = ev.call;
    if (!call) {
      // `@app.before_request` runs before routing and may return a response itself
      if (m === 'before_request' || m === 'before_app_request') this.out.interceptors.push({ what: `@${obj.name}.${m}`, loc: ev.defLoc ?? ev.loc });
      else if (m === 'route' || FLASK_METHODS.has(m)) this.gap(`@${obj.name}.${m} without a rule`, ev.loc);
      return;
    }
    if (ev.how === 'decorator') {
      if (m === 'route' || FLASK_METHODS.has(m)) {
        const rule = this.str(ev.lm, scopeKey, call.args[0] ?? kwarg(call, 'rule'));
        if (rule === undefined) return this.gap(`a route rule of ${obj.name} is not a literal`, ev.loc);
        if (kwarg(call, 'host') || kwarg(call, 'subdomain')) return this.gap(`route ${rule} matches a host`, ev.loc);
        const methods = m === 'route' ? this.methods(ev.lm, scopeKey, call, ['GET']) : [m.toUpperCase()];
        this.flaskRoute(obj, prefix, rule, methods, ev.loc, kwarg(call, 'strict_slashes'));
        return;
      }
      if (m === 'before_request' || m === 'before_app_request') return void this.out.interceptors.push({ what: `@${obj.name}.${m}`, loc: ev.defLoc ?? ev.loc });
      if (m === 'errorhandler' || m === 'app_errorhandler') return this.notFoundHandler(ev, call);
      return;
    }
    switch (m) {
      case 'add_url_rule': {
        const rule = this.str(ev.lm, scopeKey, call.args[0] ?? kwarg(call, 'rule'));
        if (rule === undefined) return this.gap(`a route rule of ${obj.name} is not a literal`, ev.loc);
        this.flaskRoute(obj, prefix, rule, this.methods(ev.lm, scopeKey, call, ['GET']), ev.loc, kwarg(call, 'strict_slashes'));
        return;
      }
      case 'register_blueprint': {
        const target = call.args[0] ?? kwarg(call, 'blueprint');
        const v = target ? this.r.expr(ev.lm, scopeKey, target) : undefined;
        const pe = kwarg(call, 'url_prefix');
        let given: string | undefined;
        if (pe && pe.kind !== 'none') {
          given = this.str(ev.lm, scopeKey, pe);
          if (given === undefined) return this.gap(`the url_prefix given to ${obj.name}.register_blueprint() is not a literal`, ev.loc);
        }
        if (v?.t !== 'obj' || v.obj.kind !== 'blueprint') {
          const p = given ?? prefix ?? '';
          return this.opaqueOrGap(p, `blueprint ${target?.text ?? '?'}`, ev.loc, 'werkzeug');
        }
        // BlueprintSetupState: the registration's url_prefix, else the blueprint's; nested ones join
        let own: string | undefined;
        const bpPrefix = kwarg(v.obj.ctor, 'url_prefix');
        if (bpPrefix && bpPrefix.kind !== 'none') {
          own = this.str(v.obj.lm, v.obj.scope, bpPrefix);
          if (own === undefined) return this.gap(`the url_prefix of ${v.obj.name} is not a literal`, bpPrefix.loc);
        }
        const child = given ?? own;
        let p: string | undefined;
        if (prefix !== undefined && child !== undefined) p = `${prefix.replace(/\/+$/, '')}/${child.replace(/^\/+/, '')}`;
        else p = child ?? prefix;
        this.flaskStatic(v.obj, p ?? '');
        return this.flask(v.obj, p, depth + 1);
      }
      case 'before_request':
      case 'before_app_request':
        return this.gap(`${obj.name}.${m}() registers a function drydock does not follow`, ev.loc);
      case 'register_error_handler':
        return this.notFoundHandler(ev, call);
      default:
        if (m === 'route' || FLASK_METHODS.has(m)) this.gap(`${obj.name}.${m}() is called without decorating a function`, ev.loc);
    }
  }

  private flaskRoute(obj: FrameworkObject, prefix: string | undefined, rule: string, methods: string[] | undefined, loc: Location, strict: PyExpr | undefined): void {
    // flask/blueprints.py BlueprintSetupState.add_url_rule
    let full = rule;
    if (prefix !== undefined && obj.kind === 'blueprint') full = rule ? `${prefix.replace(/\/+$/, '')}/${rule.replace(/^\/+/, '')}` : prefix;
    if (strict) this.out.trailingSlash = 'unknown';
    // Werkzeug adds HEAD to GET rules and OPTIONS to every rule (provide_automatic_options)
    const ms = methods ? [...new Set([...methods, ...(methods.includes('GET') ? ['HEAD'] : []), 'OPTIONS'])] : undefined;
    this.route(full, ms, loc, 'werkzeug');
  }
}

function joinFlask(prefix: string, p: string): string {
  return prefix ? `${prefix.replace(/\/+$/, '')}/${p.replace(/^\/+/, '')}` : p;
}

// ---------------------------------------------------------------------------------------------
// path syntax → regex

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

export function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** starlette/routing.py compile_path with its convertors (str, path, int, float, uuid). */
export function starletteRegex(path: string): string | undefined {
  const conv: Record<string, string> = { str: '[^/]+', path: '.*', int: '[0-9]+', float: '[0-9]+(?:\\.[0-9]+)?', uuid: UUID };
  let out = '^';
  let i = 0;
  for (const m of path.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*)(?::([A-Za-z_][A-Za-z0-9_]*))?\}/g)) {
    out += escapeRegex(path.slice(i, m.index));
    const c = conv[m[2] ?? 'str'];
    if (c === undefined) return undefined;
    out += c;
    i = m.index + m[0].length;
  }
  return `${out}${escapeRegex(path.slice(i))}$`;
}

/** Werkzeug rule syntax `<converter(args):name>` with the default converters. */
export function werkzeugRegex(rule: string): string | undefined {
  let out = '^';
  let i = 0;
  for (const m of rule.matchAll(/<(?:([A-Za-z_][A-Za-z0-9_]*)(?:\(([^)]*)\))?:)?([A-Za-z_][A-Za-z0-9_]*)>/g)) {
    out += escapeRegex(rule.slice(i, m.index));
    const conv = m[1] ?? 'default';
    switch (conv) {
      case 'default':
      case 'string':
        out += '[^/]+';
        break;
      case 'int':
        out += '-?\\d+';
        break;
      case 'float':
        out += '-?\\d+(?:\\.\\d+)?';
        break;
      case 'path':
        out += '[^/].*?';
        break;
      case 'uuid':
        out += UUID;
        break;
      case 'any': {
        const items = (m[2] ?? '').split(',').map((s) => s.trim().replace(/^(['"])(.*)\1$/, '$2')).filter(Boolean);
        if (!items.length) return undefined;
        out += `(?:${items.map(escapeRegex).join('|')})`;
        break;
      }
      default:
        return undefined;
    }
    i = m.index + m[0].length;
  }
  return `${out}${escapeRegex(rule.slice(i))}$`;
}
