/**
 * Servers and workers a start path launches, with the address each will really listen on:
 * command-line flags first, then the server's environment variables, then its documented
 * default. Defaults checked against each project's documentation or source:
 *
 * - gunicorn: `bind` defaults to `['127.0.0.1:8000']`, or `['0.0.0.0:$PORT']` when PORT is set;
 *   precedence is command line > GUNICORN_CMD_ARGS > config file; the config file defaults to
 *   `./gunicorn.conf.py` in the directory gunicorn is started from. A HOST without a port gets
 *   8000, an empty host is all interfaces.
 *   https://docs.gunicorn.org/en/stable/settings.html#bind, #config;
 *   benoitc/gunicorn gunicorn/config.py (`Bind`, `get_default_config_file`), gunicorn/util.py
 *   (`parse_address`), gunicorn/app/base.py (`load_config`).
 * - uvicorn: `--host` 127.0.0.1, `--port` 8000; settings also read from `UVICORN_*` variables.
 *   https://www.uvicorn.org/settings/ (Socket Binding; "Use environment variables with the prefix UVICORN_").
 * - daphne: 127.0.0.1 and 8000 when neither `-b` nor `-p` nor a socket/endpoint is given; a missing
 *   one of the pair takes its default. https://github.com/django/daphne (README "defaults to
 *   localhost, port 8000"; daphne/cli.py DEFAULT_HOST/DEFAULT_PORT).
 * - hypercorn: `bind` `['127.0.0.1:8000']`, a host without a port gets 8000.
 *   https://hypercorn.readthedocs.io/en/latest/how_to_guides/configuring.html;
 *   pgjones/hypercorn src/hypercorn/config.py (`_bind`, `_create_sockets`).
 * - `flask run`: `--host` 127.0.0.1, `--port` 5000 (FLASK_RUN_HOST/FLASK_RUN_PORT); the reloader
 *   follows `--debug`/FLASK_DEBUG. https://flask.palletsprojects.com/en/stable/cli/ ;
 *   pallets/flask src/flask/cli.py (`run_command`).
 * - `manage.py runserver [addrport]`: 127.0.0.1:8000, reloader on unless `--noreload`.
 *   https://docs.djangoproject.com/en/stable/ref/django-admin/#runserver
 * - `next start|dev`: port 3000 or PORT, `-H` defaults to 0.0.0.0 (next-start.ts help text).
 *   https://nextjs.org/docs/app/api-reference/cli/next
 */
import { posix } from 'node:path';
import type { ServerFact, ServerKind, StartStep } from '../types.js';
import { invocationOf } from './invocation.js';
import { expandWord, splitShell } from './shell-expand.js';

/** A variable in the step's environment: its value; null when unknown (set to an unknown value, or maybe set); undefined when certainly not set. */
export type EnvAt = (name: string) => string | null | undefined;

export interface ServerContext {
  /** the environment each step sees */
  envAt(step: number): EnvAt;
  /** whether a path exists in the container (COPY/ADD or bind mount); undefined when unknown */
  exists(imagePath: string): boolean | undefined;
}

export function serverFacts(steps: readonly StartStep[], ctx: ServerContext): ServerFact[] {
  const out: ServerFact[] = [];
  steps.forEach((step, index) => {
    if (step.expands) return;
    const f = serverOf(step, index, ctx.envAt(index), ctx);
    if (f) out.push(f);
  });
  return out;
}

function serverOf(step: StartStep, index: number, env: EnvAt, ctx: ServerContext): ServerFact | undefined {
  const inv = invocationOf(step);
  const base = { step: index, loc: step.loc, reload: false, devServer: false };
  switch (inv.tool) {
    case 'gunicorn':
      return gunicorn(inv.args, step, env, ctx, base);
    case 'uvicorn':
      return uvicorn(inv.args, step, env, base);
    case 'daphne':
      return daphne(inv.args, base);
    case 'hypercorn':
      return hypercorn(inv.args, step, base);
    case 'flask':
      return flask(inv.args, env, base);
    case 'manage.py':
      return runserver(inv.args, base);
    case 'next':
      return next(inv.args, env, base);
    case 'node': {
      const o = parseOptions(step.argv.slice(1), new Set(), {});
      const f: ServerFact = { ...base, kind: 'node', bindFrom: 'none', reload: o.flags.has('--watch') };
      if (inv.args[0]) f.app = inv.args[0];
      const port = numeric(env('PORT'));
      if (port !== undefined) {
        f.port = port;
        f.bindFrom = 'env';
      }
      return f;
    }
    case 'nodemon': {
      const o = parseOptions(inv.args, new Set(['-w', '--watch', '-e', '--ext', '-x', '--exec', '-i', '--ignore', '-d', '--delay', '--signal']), {});
      const f: ServerFact = { ...base, kind: 'nodemon', bindFrom: 'none', reload: true, devServer: true };
      if (o.positionals[0]) f.app = o.positionals[0];
      return f;
    }
    case 'celery':
      return celery(inv.args, base);
    case 'rq':
      return inv.args[0] === 'worker' ? { ...base, kind: 'rq-worker', bindFrom: 'none' } : undefined;
    case 'rqworker':
      return { ...base, kind: 'rq-worker', bindFrom: 'none' };
    case 'nginx': {
      const o = parseOptions(inv.args, new Set(['-c', '-g', '-p', '-e', '-s']), {});
      if (o.opts.has('-s') || o.flags.has('-t') || o.flags.has('-T') || o.flags.has('-v') || o.flags.has('-V')) return undefined;
      const conf = o.opts.get('-c')?.at(-1);
      return { ...base, kind: 'nginx', bindFrom: 'config', configFile: conf ? posix.resolve(step.cwd, conf) : '/etc/nginx/nginx.conf', configFileExplicit: conf !== undefined };
    }
    default:
      return undefined;
  }
}

type Base = Pick<ServerFact, 'step' | 'loc' | 'reload' | 'devServer'>;

// ---------------------------------------------------------------------------------------------
// gunicorn

const GUNICORN_VALUED = new Set([
  '--bind', '--config', '--workers', '--worker-class', '--threads', '--timeout', '--graceful-timeout', '--keep-alive', '--chdir',
  '--name', '--pid', '--user', '--group', '--umask', '--env', '--pythonpath', '--paste', '--paster', '--log-level', '--log-file',
  '--error-logfile', '--access-logfile', '--access-logformat', '--log-config', '--log-config-json', '--logger-class',
  '--worker-connections', '--max-requests', '--max-requests-jitter', '--limit-request-line', '--limit-request-fields',
  '--limit-request-field_size', '--backlog', '--forwarded-allow-ips', '--proxy-allow-from', '--statsd-host', '--statsd-prefix',
  '--dogstatsd-tags', '--certfile', '--keyfile', '--ca-certs', '--ciphers', '--ssl-version', '--cert-reqs', '--worker-tmp-dir',
  '--reload-engine', '--reload-extra-file', '--log-syslog-to', '--log-syslog-prefix', '--log-syslog-facility', '--settings',
  '--header-map', '--wsgi-app',
]);
const GUNICORN_ALIASES: Record<string, string> = {
  '-b': '--bind', '-c': '--config', '-w': '--workers', '-k': '--worker-class', '-t': '--timeout', '-n': '--name', '-p': '--pid',
  '-u': '--user', '-g': '--group', '-m': '--umask', '-e': '--env', '-D': '--daemon', '-R': '--enable-stdio-inheritance',
};

function gunicorn(args: string[], step: StartStep, env: EnvAt, ctx: ServerContext, base: Base): ServerFact {
  const cli = parseOptions(args, GUNICORN_VALUED, GUNICORN_ALIASES);
  const envArgs = env('GUNICORN_CMD_ARGS');
  const fromEnv = envArgs ? parseOptions(splitShell(envArgs).map((w) => expandWord(w, () => undefined).text), GUNICORN_VALUED, GUNICORN_ALIASES) : undefined;
  const f: ServerFact = { ...base, kind: 'gunicorn', bindFrom: 'default', reload: cli.flags.has('--reload') || (fromEnv?.flags.has('--reload') ?? false) };
  const app = cli.positionals[0] ?? cli.opts.get('--wsgi-app')?.at(-1);
  if (app) f.app = app;
  const chdir = last(cli, fromEnv, '--chdir');
  if (chdir) f.chdir = posix.resolve(step.cwd, chdir);
  const klass = last(cli, fromEnv, '--worker-class');
  if (klass) f.workerClass = klass;
  const workers = numeric(last(cli, fromEnv, '--workers') ?? env('WEB_CONCURRENCY') ?? undefined);
  if (workers !== undefined) f.workers = workers;

  // config: `-c` (command line, then GUNICORN_CMD_ARGS), else ./gunicorn.conf.py where gunicorn starts
  const explicit = last(cli, fromEnv, '--config');
  if (explicit !== undefined) {
    f.configFileExplicit = true;
    if (!explicit.startsWith('python:')) f.configFile = posix.resolve(step.cwd, explicit.replace(/^file:/, ''));
    else f.configFile = explicit;
  } else {
    f.configFileExplicit = false;
    f.configFile = posix.join(step.cwd, 'gunicorn.conf.py');
  }
  if (f.configFile.startsWith('/')) {
    const e = ctx.exists(f.configFile);
    if (e !== undefined) f.configFileExists = e;
  }

  const binds = cli.opts.get('--bind') ?? [];
  const envBinds = fromEnv?.opts.get('--bind') ?? [];
  if (binds.length || envBinds.length) {
    f.bindFrom = binds.length ? 'argv' : 'env';
    applyAddress(f, (binds.length ? binds : envBinds)[0]!, 8000);
  } else if (f.configFileExplicit || f.configFileExists === true) {
    f.bindFrom = 'config'; // the file may set `bind`: the address is not known here
  } else {
    const port = env('PORT');
    if (port === undefined) {
      f.host = '127.0.0.1';
      f.port = 8000;
    } else {
      // PORT set: 0.0.0.0:$PORT; null: not known whether it is set, so neither is the address
      f.bindFrom = 'env';
      if (port !== null) {
        f.host = '0.0.0.0';
        const p = numeric(port);
        if (p !== undefined) f.port = p;
      }
    }
  }
  return f;
}

/** gunicorn's parse_address: `unix:PATH`, `fd://N`, `tcp://`, `[v6]:port`, `host:port`, `host` (default port), `` (all interfaces). */
function applyAddress(f: ServerFact, addr: string, defaultPort: number): void {
  if (/^unix:/.test(addr)) {
    f.socket = addr.replace(/^unix:(\/\/)?/, '');
    return;
  }
  if (addr.startsWith('fd://')) {
    f.socket = addr;
    return;
  }
  const a = addr.replace(/^tcp:\/\//, '');
  let host = a;
  let port: string | undefined;
  const v6 = /^\[([^\]]*)\](?::(.*))?$/.exec(a);
  if (v6) {
    host = v6[1]!;
    port = v6[2];
  } else if (a.includes(':')) {
    [host, port] = a.split(':') as [string, string];
  }
  // Python binds '' to every interface
  f.host = host === '' ? '0.0.0.0' : host.toLowerCase();
  const p = port === undefined || port === '' ? defaultPort : numeric(port);
  if (p !== undefined) f.port = p;
  if (/\$/.test(addr)) {
    // an unexpanded variable: the value is not known
    if (/\$/.test(host)) delete f.host;
    if (port !== undefined && /\$/.test(port)) delete f.port;
  }
}

// ---------------------------------------------------------------------------------------------
// uvicorn, daphne, hypercorn

const UVICORN_VALUED = new Set([
  '--host', '--port', '--uds', '--fd', '--reload-dir', '--reload-include', '--reload-exclude', '--reload-delay', '--workers', '--loop',
  '--http', '--ws', '--ws-max-size', '--ws-max-queue', '--ws-ping-interval', '--ws-ping-timeout', '--ws-per-message-deflate',
  '--lifespan', '--interface', '--env-file', '--log-config', '--log-level', '--root-path', '--limit-concurrency',
  '--limit-max-requests', '--limit-max-requests-jitter', '--backlog', '--timeout-keep-alive', '--timeout-graceful-shutdown',
  '--timeout-worker-healthcheck', '--ssl-keyfile', '--ssl-certfile', '--ssl-keyfile-password', '--ssl-version', '--ssl-cert-reqs',
  '--ssl-ca-certs', '--ssl-ciphers', '--header', '--forwarded-allow-ips', '--app-dir', '--h11-max-incomplete-event-size',
]);

function uvicorn(args: string[], step: StartStep, env: EnvAt, base: Base): ServerFact {
  const o = parseOptions(args, UVICORN_VALUED, {});
  const reloadEnv = (env('UVICORN_RELOAD') ?? '').toLowerCase();
  const f: ServerFact = { ...base, kind: 'uvicorn', bindFrom: 'default', reload: o.flags.has('--reload') || reloadEnv === 'true' || reloadEnv === '1' };
  if (o.positionals[0]) f.app = o.positionals[0];
  const appDir = o.opts.get('--app-dir')?.at(-1);
  if (appDir) f.chdir = posix.resolve(step.cwd, appDir);
  const workers = numeric(o.opts.get('--workers')?.at(-1) ?? env('WEB_CONCURRENCY') ?? undefined);
  if (workers !== undefined) f.workers = workers;
  const uds = o.opts.get('--uds')?.at(-1) ?? env('UVICORN_UDS') ?? undefined;
  const fd = o.opts.get('--fd')?.at(-1) ?? env('UVICORN_FD') ?? undefined;
  if (uds || fd) {
    f.socket = uds ?? `fd://${fd}`;
    f.bindFrom = o.opts.has('--uds') || o.opts.has('--fd') ? 'argv' : 'env';
    return f;
  }
  const host = o.opts.get('--host')?.at(-1);
  const port = o.opts.get('--port')?.at(-1);
  const envHost = env('UVICORN_HOST');
  const envPort = env('UVICORN_PORT');
  f.bindFrom = host !== undefined || port !== undefined ? 'argv' : envHost !== undefined || envPort !== undefined ? 'env' : 'default';
  const h = host ?? envHost;
  if (h === undefined) f.host = '127.0.0.1';
  else if (h !== null && !h.includes('$')) f.host = h;
  const p = port ?? envPort;
  if (p === undefined) f.port = 8000;
  else {
    const n = numeric(p);
    if (n !== undefined) f.port = n;
  }
  return f;
}

const DAPHNE_VALUED = new Set([
  '--port', '--bind', '--unix-socket', '--fd', '--endpoint', '--verbosity', '--http-timeout', '--access-log', '--log-fmt',
  '--ping-interval', '--ping-timeout', '--application-close-timeout', '--root-path', '--websocket_timeout',
  '--websocket_connect_timeout', '--proxy-headers-host', '--proxy-headers-port', '--server-name', '--threads',
]);
const DAPHNE_ALIASES: Record<string, string> = { '-p': '--port', '-b': '--bind', '-u': '--unix-socket', '-e': '--endpoint', '-v': '--verbosity', '-t': '--http-timeout', '-s': '--server-name' };

function daphne(args: string[], base: Base): ServerFact {
  const o = parseOptions(args, DAPHNE_VALUED, DAPHNE_ALIASES);
  const f: ServerFact = { ...base, kind: 'daphne', bindFrom: 'argv' };
  const app = o.positionals[o.positionals.length - 1];
  if (app) f.app = app;
  const host = o.opts.get('--bind')?.at(-1);
  const port = o.opts.get('--port')?.at(-1);
  const uds = o.opts.get('--unix-socket')?.at(-1);
  const fd = o.opts.get('--fd')?.at(-1);
  const endpoints = o.opts.get('--endpoint') ?? [];
  if (!host && !port && (uds || fd || endpoints.length)) {
    f.socket = uds ?? (fd ? `fd://${fd}` : endpoints[0]!);
    return f;
  }
  if (!host && !port) f.bindFrom = 'default';
  f.host = host ?? '127.0.0.1';
  if (f.host.includes('$')) delete f.host;
  const p = port === undefined ? 8000 : numeric(port);
  if (p !== undefined) f.port = p;
  return f;
}

const HYPERCORN_VALUED = new Set([
  '--bind', '--insecure-bind', '--quic-bind', '--config', '--worker-class', '--workers', '--access-logfile', '--access-logformat',
  '--backlog', '--ca-certs', '--certfile', '--cert-reqs', '--ciphers', '--error-logfile', '--graceful-timeout', '--read-timeout',
  '--max-requests', '--max-requests-jitter', '--group', '--keep-alive', '--keyfile', '--keyfile-password', '--log-config',
  '--log-level', '--pid', '--root-path', '--server-name', '--statsd-host', '--statsd-prefix', '--umask', '--user', '--verify-mode',
  '--websocket-ping-interval', '--access-log', '--error-log',
]);
const HYPERCORN_ALIASES: Record<string, string> = { '-b': '--bind', '-c': '--config', '-k': '--worker-class', '-w': '--workers', '-g': '--group', '-p': '--pid', '-m': '--umask', '-u': '--user' };

function hypercorn(args: string[], step: StartStep, base: Base): ServerFact {
  const o = parseOptions(args, HYPERCORN_VALUED, HYPERCORN_ALIASES);
  const f: ServerFact = { ...base, kind: 'hypercorn', bindFrom: 'default', reload: o.flags.has('--reload') };
  if (o.positionals[0]) f.app = o.positionals[0];
  const conf = o.opts.get('--config')?.at(-1);
  if (conf) {
    f.configFileExplicit = true;
    f.configFile = /^(python|file):/.test(conf) ? conf : posix.resolve(step.cwd, conf);
  }
  const workers = numeric(o.opts.get('--workers')?.at(-1));
  if (workers !== undefined) f.workers = workers;
  const klass = o.opts.get('--worker-class')?.at(-1);
  if (klass) f.workerClass = klass;
  const binds = o.opts.get('--bind') ?? o.opts.get('--insecure-bind') ?? [];
  if (binds.length) {
    f.bindFrom = 'argv';
    applyAddress(f, binds[0]!, 8000);
  } else if (conf) f.bindFrom = 'config';
  else {
    f.host = '127.0.0.1';
    f.port = 8000;
  }
  return f;
}

// ---------------------------------------------------------------------------------------------
// development servers

const FLASK_GROUP_VALUED = new Set(['--app', '--env-file']);
const FLASK_RUN_VALUED = new Set(['--host', '--port', '--cert', '--key', '--extra-files', '--exclude-patterns']);

function flask(args: string[], env: EnvAt, base: Base): ServerFact | undefined {
  const runAt = args.indexOf('run');
  if (runAt < 0) return undefined;
  const group = parseOptions(args.slice(0, runAt), FLASK_GROUP_VALUED, { '-A': '--app', '-e': '--env-file' });
  if (group.positionals.length) return undefined; // `run` was an option value or another command's argument
  const run = parseOptions(args.slice(runAt + 1), FLASK_RUN_VALUED, { '-h': '--host', '-p': '--port' });
  const debugEnv = (env('FLASK_DEBUG') ?? '').toLowerCase();
  // `--debug` is both a group option and a `run` option (flask/cli.py: run_command.params.insert(0, _debug_option))
  const flagged = (f: string): boolean => group.flags.has(f) || run.flags.has(f);
  const debug = flagged('--debug') || (!flagged('--no-debug') && ['1', 'true', 'yes', 'on'].includes(debugEnv));
  const reload = run.flags.has('--reload') ? true : run.flags.has('--no-reload') ? false : debug;
  const f: ServerFact = { ...base, kind: 'flask', bindFrom: 'default', reload, devServer: true };
  const app = group.opts.get('--app')?.at(-1) ?? env('FLASK_APP') ?? undefined;
  if (app) f.app = app;
  const host = run.opts.get('--host')?.at(-1);
  const port = run.opts.get('--port')?.at(-1);
  const envHost = env('FLASK_RUN_HOST');
  const envPort = env('FLASK_RUN_PORT');
  f.bindFrom = host !== undefined || port !== undefined ? 'argv' : envHost !== undefined || envPort !== undefined ? 'env' : 'default';
  const h = host ?? envHost;
  if (h === undefined) f.host = '127.0.0.1';
  else if (h !== null && !h.includes('$')) f.host = h;
  const p = port ?? envPort;
  if (p === undefined) f.port = 5000;
  else {
    const n = numeric(p);
    if (n !== undefined) f.port = n;
  }
  return f;
}

function runserver(args: string[], base: Base): ServerFact | undefined {
  const o = parseOptions(args, new Set(['--settings', '--pythonpath', '--verbosity', '--addrport']), { '-v': '--verbosity', '-6': '--ipv6' });
  const sub = o.positionals[0];
  if (sub !== 'runserver' && sub !== 'runserver_plus') return undefined;
  const f: ServerFact = { ...base, kind: 'django-runserver', bindFrom: 'default', reload: !o.flags.has('--noreload'), devServer: true };
  const ipv6 = o.flags.has('--ipv6');
  const addrport = o.positionals[1] ?? o.opts.get('--addrport')?.at(-1);
  if (addrport === undefined) {
    f.host = ipv6 ? '::1' : '127.0.0.1';
    f.port = 8000;
    return f;
  }
  f.bindFrom = 'argv';
  const m = /^(?:(\[[^\]]+\]|[^:]+):)?(\S+)$/.exec(addrport);
  if (!m) return f;
  const addr = m[1]?.replace(/^\[|\]$/g, '');
  // "0" is how the docs spell 0.0.0.0 (`runserver 0:8000`)
  f.host = addr === undefined ? (ipv6 ? '::1' : '127.0.0.1') : addr === '0' ? '0.0.0.0' : addr;
  if (f.host.includes('$')) delete f.host;
  const p = numeric(m[2]!);
  if (p !== undefined) f.port = p;
  return f;
}

function next(args: string[], env: EnvAt, base: Base): ServerFact | undefined {
  const sub = args[0];
  if (sub !== 'start' && sub !== 'dev') return undefined;
  const o = parseOptions(args.slice(1), new Set(['--port', '--hostname', '--keepAliveTimeout']), { '-p': '--port', '-H': '--hostname' });
  const dev = sub === 'dev';
  const f: ServerFact = { ...base, kind: 'next', bindFrom: 'default', reload: dev, devServer: dev };
  const host = o.opts.get('--hostname')?.at(-1);
  const port = o.opts.get('--port')?.at(-1);
  if (host !== undefined || port !== undefined) f.bindFrom = 'argv';
  else if (env('PORT') !== undefined) f.bindFrom = 'env';
  f.host = host ?? '0.0.0.0';
  if (f.host.includes('$')) delete f.host;
  const p = port !== undefined ? numeric(port) : env('PORT') !== undefined ? numeric(env('PORT')) : 3000;
  if (p !== undefined) f.port = p;
  return f;
}

// ---------------------------------------------------------------------------------------------
// workers

const CELERY_VALUED = new Set([
  '--app', '--broker', '--result-backend', '--loader', '--config', '--workdir', '--loglevel', '--concurrency', '--queues',
  '--hostname', '--pool', '--schedule', '--logfile', '--pidfile', '--scheduler', '--max-tasks-per-child', '--max-memory-per-child',
  '--autoscale', '--time-limit', '--soft-time-limit', '--prefetch-multiplier', '--exclude-queues', '--uid', '--gid', '--umask',
  '--executable', '--statedb', '--max-interval',
]);
const CELERY_ALIASES: Record<string, string> = { '-A': '--app', '-b': '--broker', '-l': '--loglevel', '-c': '--concurrency', '-Q': '--queues', '-n': '--hostname', '-P': '--pool', '-s': '--schedule', '-f': '--logfile', '-S': '--scheduler', '-X': '--exclude-queues' };

function celery(args: string[], base: Base): ServerFact | undefined {
  const o = parseOptions(args, CELERY_VALUED, CELERY_ALIASES);
  const sub = o.positionals[0];
  const kind: ServerKind | undefined = sub === 'worker' ? 'celery-worker' : sub === 'beat' ? 'celery-beat' : undefined;
  if (!kind) return undefined;
  const f: ServerFact = { ...base, kind, bindFrom: 'none' };
  const app = o.opts.get('--app')?.at(-1);
  if (app) f.app = app;
  const c = numeric(o.opts.get('--concurrency')?.at(-1));
  if (c !== undefined) f.workers = c;
  const pool = o.opts.get('--pool')?.at(-1);
  if (pool) f.workerClass = pool;
  return f;
}

// ---------------------------------------------------------------------------------------------
// helpers

export interface ParsedOptions {
  opts: Map<string, string[]>;
  flags: Set<string>;
  positionals: string[];
}

/**
 * A tolerant GNU-style option parser: `--opt value`, `--opt=value`, `-o value`, `-ovalue` for
 * options in `valued` (long names; short ones through `aliases`), everything else starting with
 * `-` is a flag, `--` ends the options.
 */
export function parseOptions(args: readonly string[], valued: ReadonlySet<string>, aliases: Record<string, string>): ParsedOptions {
  const opts = new Map<string, string[]>();
  const flags = new Set<string>();
  const positionals: string[] = [];
  const put = (k: string, v: string): void => {
    const list = opts.get(k) ?? [];
    list.push(v);
    opts.set(k, list);
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = aliases[eq < 0 ? a : a.slice(0, eq)] ?? (eq < 0 ? a : a.slice(0, eq));
      if (eq >= 0) put(name, a.slice(eq + 1));
      else if (valued.has(name) && i + 1 < args.length) put(name, args[++i]!);
      else flags.add(name);
    } else if (a.startsWith('-') && a.length > 1) {
      const short = a.slice(0, 2);
      const name = aliases[short] ?? short;
      if (valued.has(name) || valued.has(short)) {
        if (a.length > 2) put(name, a.slice(2).replace(/^=/, ''));
        else if (i + 1 < args.length) put(name, args[++i]!);
      } else if (a.length === 2) flags.add(name);
      else flags.add(aliases[a] ?? a);
    } else positionals.push(a);
  }
  return { opts, flags, positionals };
}

function last(cli: ParsedOptions, env: ParsedOptions | undefined, key: string): string | undefined {
  return cli.opts.get(key)?.at(-1) ?? env?.opts.get(key)?.at(-1);
}

function numeric(v: string | null | undefined): number | undefined {
  if (v === undefined || v === null) return undefined;
  const t = v.trim();
  return /^\d+$/.test(t) ? Number(t) : undefined;
}
