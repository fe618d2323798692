/**
 * The HTTP routes an application serves, as far as its code shows them: enough to know whether a
 * healthcheck's path exists. Built by `routes.ts` for each server of a start plan
 * (`ServerFact.routes`); re-exported by model/types.ts.
 *
 * A route set is only a claim about paths while `complete` is true: anything drydock cannot follow
 * (a route path built at runtime, routes registered in a loop, an `include()` of a module it cannot
 * read, a function it cannot see receiving the app, a middleware that may answer requests itself)
 * becomes a `gap` and makes it false. Rules that say "this path is not served" must stay silent then.
 */
import type { Location } from '../../core/location.js';

export type RouteFramework = 'fastapi' | 'starlette' | 'flask' | 'django' | 'express';

export interface AppRoute {
  /** the full path as the framework matches it, prefixes joined, in the framework's own syntax (`/api/items/{id}`, `/health/`, `/users/:id`) */
  path: string;
  /**
   * A JavaScript regular expression (source) that matches exactly the request paths (leading `/`,
   * percent-decoded, no query) this route answers. Converters are widened where unsure
   * (`[^/]+`), never narrowed.
   */
  regex: string;
  /** the regex is case-insensitive (Express's default) */
  ignoreCase?: boolean;
  /** HTTP methods the route answers (upper-case); undefined when any method, or unknown */
  methods?: string[];
  /** where the route is declared (the decorator, the `path(...)` call, `app.get(...)`) */
  loc: Location;
  /** the route comes from the framework itself (FastAPI's /docs, Flask's /static) */
  builtin?: boolean;
}

/** A prefix under which something drydock does not read answers (a mounted sub-application, static files, a third-party URLconf). */
export interface OpaquePrefix {
  /** as written, joined with the enclosing prefixes */
  prefix: string;
  /** JavaScript regex source matching request paths under the prefix (anchored at the start) */
  regex: string;
  what: string;
  loc: Location;
}

/**
 * Code that runs before routing and may answer a request itself (a Django middleware of the
 * project, FastAPI `@app.middleware("http")`, Flask `before_request`). Its text is in the
 * model's sources: a rule can look there for the path it cares about.
 */
export interface RouteInterceptor {
  what: string;
  /** the span of its definition (a function or class) */
  loc: Location;
}

export interface RouteGap {
  reason: string;
  loc: Location;
}

/**
 * How the framework answers a path that differs from a route only by a trailing slash:
 * - `redirect-both`: Starlette/FastAPI `redirect_slashes` (307 to the other form);
 * - `redirect-add`: a request without the slash is redirected to the route that has it (Werkzeug's
 *   `strict_slashes`, 308 since Werkzeug 2.1, 301 before; Django's CommonMiddleware with
 *   APPEND_SLASH, 301); the other way round is a 404;
 * - `optional`: the route itself matches both forms (Express without `strict routing`);
 * - `none`: no redirect (Django without CommonMiddleware, `redirect_slashes=False`);
 * - `unknown`.
 */
export type TrailingSlash = 'redirect-both' | 'redirect-add' | 'optional' | 'none' | 'unknown';

export interface RouteSet {
  framework: RouteFramework;
  /** the object that serves (`app.main:app`, Django's ROOT_URLCONF `blog.urls`, `server.js`) */
  app: string;
  /** the repository file that defines it (for Django: the root URLconf) */
  module: string;
  loc: Location;
  routes: AppRoute[];
  opaque: OpaquePrefix[];
  interceptors: RouteInterceptor[];
  trailingSlash: TrailingSlash;
  /** every route and prefix is known: no gap */
  complete: boolean;
  gaps: RouteGap[];
  /** repository files read to build the set */
  files: string[];
}

/** What the app does with one request path (see `routes.ts` `matchPath`). */
export type PathMatch =
  /** a route matches; `methods` is the union of the matching routes' methods (undefined: any) */
  | { kind: 'served'; routes: AppRoute[]; methods?: string[] }
  /** no route matches, but the path with (or without) a trailing slash does: the framework redirects there */
  | { kind: 'redirect'; to: string; status: string; routes: AppRoute[] }
  /** under an opaque prefix, or the set is not complete */
  | { kind: 'unknown'; why: string }
  /** no route, prefix or redirect covers it: the framework answers 404 */
  | { kind: 'missing' };
