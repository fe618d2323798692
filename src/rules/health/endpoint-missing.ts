import type { Fix, RelatedLocation } from '../../core/finding.js';
import type { Location } from '../../core/location.js';
import { officialImageName } from '../../knowledge/image-healthchecks.js';
import type { SourceFile } from '../../core/source-file.js';
import { interceptorsMayAnswer, matchPath } from '../../model/app/routes.js';
import type { EnvironmentModel, ProjectModel, RouteSet, ServerFact, ServiceModel, StartPlan } from '../../model/types.js';
import { mapGet } from '../../parse/compose/yaml-tree.js';
import type { ShellCommand } from '../../parse/shell/types.js';
import { defineRule } from '../define-rule.js';
import { isLocalHost, parseProbes, type Probe } from '../../model/healthcheck-probes.js';

/** Servers that accept connections (workers are left out). */
const LISTENING = new Set<ServerFact['kind']>(['gunicorn', 'uvicorn', 'daphne', 'hypercorn', 'flask', 'django-runserver', 'node', 'nodemon', 'next', 'nginx']);
/** Servers whose port the command line or its environment decides (a node script picks its own). */
const PORT_FROM_COMMAND = new Set<ServerFact['kind']>(['gunicorn', 'uvicorn', 'daphne', 'hypercorn', 'flask', 'django-runserver', 'next']);
/** Programs that start other programs drydock does not see. */
const SUPERVISORS = new Set(['supervisord', 'honcho', 'foreman', 'forego', 'circusd', 's6-svscan', 'runsvdir', 'pm2', 'pm2-runtime', 'concurrently', 'overmind', 'hivemind', 'runit', 'systemd', 'nginx-unit', 'unitd']);
/** Base images with no ENTRYPOINT of their own, or one that execs the command (node's docker-entrypoint.sh). */
const PLAIN_BASES = new Set(['python', 'pypy', 'node']);
const FRAMEWORK: Record<RouteSet['framework'], string> = { fastapi: 'FastAPI app', starlette: 'Starlette app', flask: 'Flask app', django: 'Django URLconf', express: 'Express app' };
const HEALTHY_WORD = /health|healthz|ping|live|liveness|ready|readiness|status|alive|up\b/i;

interface Check {
  test: string[];
  /** what the check runs, as the model parsed it */
  commands?: ShellCommand[];
  loc: Location;
  source?: SourceFile;
  /** text spans where the test's words are written */
  spans: [number, number][];
  origin: 'compose' | 'image';
}

function checkOf(model: ProjectModel, svc: ServiceModel): Check | undefined {
  const hc = svc.healthcheck;
  if (hc?.disabled) return undefined;
  if (hc && hc.test.length) {
    const node = mapGet(mapGet(svc.node, 'healthcheck'), 'test');
    const source = node ? (model.composeFiles.get(node.loc.file)?.source ?? model.sources.get(node.loc.file)) : undefined;
    const spans: [number, number][] = [];
    if (node?.kind === 'scalar') spans.push(node.range);
    else if (node?.kind === 'seq') for (const i of node.items) if (i.kind === 'scalar') spans.push(i.range);
    return { test: hc.test, ...(hc.commands ? { commands: hc.commands } : {}), loc: node?.loc ?? hc.loc, ...(source ? { source } : {}), spans, origin: 'compose' };
  }
  const image = svc.runtime.stage?.healthcheck;
  if (!image || image.value[0] === 'NONE') return undefined;
  const df = svc.runtime.dockerfile;
  const ins = df?.ast.instructions.find((i) => i.keyword === 'HEALTHCHECK' && i.loc.startLine === image.loc.startLine);
  return { test: image.value, ...(image.commands ? { commands: image.commands } : {}), loc: image.loc, ...(df && ins ? { source: df.source } : {}), spans: ins ? [ins.argsRange] : [], origin: 'image' };
}

/** Where `needle` is written in the check; the check's location when it is not found verbatim once. */
function locate(c: Check, needle: string | undefined): { loc: Location; offset?: number } {
  if (!needle || !c.source) return { loc: c.loc };
  const hits: number[] = [];
  for (const [a, b] of c.spans) {
    const t = c.source.text.slice(a, b);
    for (let i = t.indexOf(needle); i >= 0; i = t.indexOf(needle, i + 1)) hits.push(a + i);
  }
  if (hits.length !== 1) return { loc: c.loc };
  return { loc: c.source.location(hits[0]!, hits[0]! + needle.length), offset: hits[0]! };
}

function lookupFor(svc: ServiceModel): (n: string) => string | undefined {
  return (n) => {
    const c = svc.env.get(n);
    if (c) return c.value ?? undefined;
    return svc.runtime.stage?.env.get(n)?.value ?? undefined;
  };
}

const certain = (plan: StartPlan, s: ServerFact): boolean => {
  const st = plan.steps[s.step];
  return !!st && (!st.conditional || st.conditionHolds === true);
};

const addr = (s: ServerFact): string => (s.socket ? s.socket : s.host === undefined ? `port ${s.port ?? '?'}` : `${s.host}:${s.port ?? '?'}`);

function serverName(s: ServerFact): string {
  return s.kind === 'django-runserver' ? 'manage.py runserver' : s.kind === 'flask' ? 'flask run' : s.kind;
}

/** The official image the service's final stage builds on (through `FROM <stage>` chains). */
function officialBase(svc: ServiceModel): string | undefined {
  if (svc.runtime.external) return officialImageName(svc.runtime.external.repository);
  const stages = svc.runtime.dockerfile?.stages;
  let st = svc.runtime.stage;
  for (let i = 0; st && st.baseStage !== undefined && i < 32; i++) st = stages?.[st.baseStage];
  return st ? officialImageName(st.base.repository) : undefined;
}

/** The start plan holds nothing drydock cannot see that might listen too. */
function planIsClosed(svc: ServiceModel, plan: StartPlan): boolean {
  if (!plan.imageKnown || plan.unresolved.length) return false;
  if (plan.baseEntrypointUnknown && !PLAIN_BASES.has(officialBase(svc) ?? '')) return false;
  const serverSteps = new Set(plan.servers.map((s) => s.step));
  return plan.steps.every((st, i) => !SUPERVISORS.has(st.name) && (!st.background || serverSteps.has(i)));
}

/** The container's main program is a queue worker and nothing else runs alongside it. */
function onlyWorker(plan: StartPlan): ServerFact | undefined {
  const workers = plan.servers.filter((s) => s.kind === 'celery-worker' || s.kind === 'celery-beat' || s.kind === 'rq-worker');
  if (workers.length !== 1 || workers.length !== plan.servers.length) return undefined;
  const w = workers[0]!;
  const st = plan.steps[w.step];
  if (!st || st.background || !certain(plan, w)) return undefined;
  // the worker is the last program started: what ran before it finished first
  const last = plan.steps.reduce((acc, s, i) => (s.expands ? acc : i), -1);
  return last === w.step ? w : undefined;
}

function dependents(env: EnvironmentModel, svc: ServiceModel): string[] {
  return env.services.filter((s) => s.enabled && s.dependsOn.some((d) => d.service === svc.name && d.condition === 'service_healthy')).map((s) => s.name);
}

function consequence(env: EnvironmentModel, svc: ServiceModel): string {
  const deps = dependents(env, svc);
  if (!deps.length) return 'the container never turns healthy';
  const names = deps.map((d) => `"${d}"`).join(', ');
  return `the container never turns healthy, so ${names} (depends_on condition: service_healthy) never start${deps.length === 1 ? 's' : ''}`;
}

function servedPaths(set: RouteSet): string[] {
  const own = set.routes.filter((r) => !r.builtin).map((r) => r.path);
  const healthy = own.filter((p) => HEALTHY_WORD.test(p));
  return [...new Set(healthy.length ? healthy : own)].slice(0, 3);
}

function healthRouteFor(set: RouteSet): string | undefined {
  const lit = set.routes.filter((r) => !r.builtin && HEALTHY_WORD.test(r.path) && !/[{<:*(]/.test(r.path));
  const paths = [...new Set(lit.map((r) => r.path))];
  return paths.length === 1 ? paths[0] : undefined;
}

function composeFlags(env: EnvironmentModel): string {
  return env.composeFiles.map((f) => `-f ${f}`).join(' ');
}

export default defineRule({
  meta: {
    id: 'health/endpoint-missing',
    severity: 'critical',
    title: 'Healthcheck probes a path or port the app does not serve',
    fixable: 'unsafe',
    status: 'stable',
    docs: {
      summary:
        'The healthcheck requests a URL on the container itself whose port no server of the container listens on, or whose path no route of the app serves (FastAPI/Starlette, Flask, Django, Express), so the check fails every time.',
      why:
        'Docker marks a container healthy only after its healthcheck command exits 0. A probe to a port nothing listens on is refused (curl exits 7, wget and urllib fail). A path the app has no route for is answered with 404, which fails `curl -f` (exit 22), wget (GNU 8, BusyBox 1), `urllib.request.urlopen` (HTTPError) and `requests`/`httpx` with `raise_for_status()`. The container stays `unhealthy`, `docker compose up --wait` fails, and every service that `depends_on` it with `condition: service_healthy` never starts. Without `-f`, curl exits 0 on a 404, so only the port matters for it. A queue worker (Celery, RQ) built from the web image inherits its HEALTHCHECK and listens on no port at all. A route that exists but not for the probe\'s method also fails: FastAPI does not add HEAD to GET routes, so `curl -I` gets 405. ' +
        'Not reported when the path differs only by a trailing slash that the framework redirects: Django\'s CommonMiddleware with APPEND_SLASH answers `/health` with a 301 to `/health/` (only when CommonMiddleware is in MIDDLEWARE; the global default MIDDLEWARE is empty), Werkzeug answers `/health` with a 308 to a `/health/` rule, Starlette/FastAPI redirect either way with a 307; `curl -f` treats a 3xx as success even without `-L`, and wget and urllib follow the redirect. Also silent when the routes cannot all be known (route paths built at runtime, routers or URLconfs drydock cannot read, the app handed to code it does not follow, a middleware that may answer by itself, a mounted sub-application over the path), when the container may run other listeners (supervisord, background programs), and when the probe targets another host.',
      fix: 'Point the healthcheck at a path the app serves and the port its server listens on, or add the route to the app.',
      verify: 'docker compose -f <files> up -d --wait <service>   # then: docker compose -f <files> ps <service> shows (healthy)',
      references: [
        { title: 'Dockerfile reference: HEALTHCHECK (exit status 0 healthy, 1 unhealthy)', url: 'https://docs.docker.com/reference/dockerfile/#healthcheck' },
        { title: 'Compose file reference: depends_on condition service_healthy', url: 'https://docs.docker.com/reference/compose-file/services/#depends_on' },
        { title: 'curl --fail: fail on HTTP errors (>= 400), exit code 22', url: 'https://curl.se/docs/manpage.html#-f' },
        { title: 'Django: APPEND_SLASH works through CommonMiddleware', url: 'https://docs.djangoproject.com/en/stable/ref/settings/#append-slash' },
        { title: 'Django: URL dispatcher (path converters, include)', url: 'https://docs.djangoproject.com/en/stable/topics/http/urls/' },
        { title: 'FastAPI: bigger applications, APIRouter prefix and include_router', url: 'https://fastapi.tiangolo.com/tutorial/bigger-applications/' },
        { title: 'Starlette routing: redirect_slashes', url: 'https://www.starlette.io/routing/' },
        { title: 'Flask: URL route registrations, unique URLs / redirection behavior', url: 'https://flask.palletsprojects.com/en/stable/quickstart/#unique-urls-redirection-behavior' },
        { title: 'Express routing (path patterns, router mounting)', url: 'https://expressjs.com/en/guide/routing.html' },
      ],
      fixSafety:
        'The fix rewrites the URL in the healthcheck: the port to the one the server listens on, or the path to the one health-like route the app serves. It is unsafe because the intent may have been the other way round (add the route, or move the server to that port).',
      example: {
        bad: {
          'compose.yaml': 'services:\n  web:\n    build: .\n    command: ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"]\n    healthcheck:\n      test: ["CMD", "curl", "-f", "http://localhost:8000/healthz"]\n',
          Dockerfile: 'FROM python:3.12-slim\nRUN apt-get update && apt-get install -y curl\nWORKDIR /app\nRUN pip install fastapi uvicorn\nCOPY app ./app\n',
          'app/main.py': 'from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get("/health")\ndef health():\n    return {"ok": True}\n',
        },
        good: {
          'compose.yaml': 'services:\n  web:\n    build: .\n    command: ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"]\n    healthcheck:\n      test: ["CMD", "curl", "-f", "http://localhost:8000/health"]\n',
          Dockerfile: 'FROM python:3.12-slim\nRUN apt-get update && apt-get install -y curl\nWORKDIR /app\nRUN pip install fastapi uvicorn\nCOPY app ./app\n',
          'app/main.py': 'from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get("/health")\ndef health():\n    return {"ok": True}\n',
        },
      },
    },
  },
  check({ model, report }) {
    for (const env of model.environments)
      for (const svc of env.services) {
        if (!svc.enabled) continue;
        const plan = svc.start;
        if (!plan) continue;
        const c = checkOf(model, svc);
        if (!c) continue;
        const parsed = parseProbes(c.test, c.commands, lookupFor(svc));
        if (!parsed.understood) continue;
        const listening = plan.servers.filter((s) => LISTENING.has(s.kind));
        const closed = planIsClosed(svc, plan);
        const files = composeFlags(env);
        const verify = [`docker compose ${files} up -d && docker inspect --format "{{json .State.Health}}" $(docker compose ${files} ps -q ${svc.name})   # Status "healthy"`];
        if (!listening.length) {
          // a worker container that inherited (or was given) an HTTP healthcheck
          const worker = onlyWorker(plan);
          if (!worker || !closed) continue;
          for (const p of parsed.probes) {
            if (!isLocalHost(p.host) || p.port === undefined || !p.failsOnConnect) continue;
            const where = locate(c, p.written);
            report({
              message: `The healthcheck of "${svc.name}" probes port ${p.port} (\`${p.shown}\`), but the container runs ${worker.kind === 'rq-worker' ? 'an RQ worker' : `celery ${worker.kind === 'celery-beat' ? 'beat' : 'worker'}`}, which listens on no port${c.origin === 'image' ? ' (the check comes from the image\'s HEALTHCHECK)' : ''}: the connection is refused, ${p.connectFailure}, and ${consequence(env, svc)}.`,
              location: where.loc,
              environment: env.name,
              service: svc.name,
              related: [{ location: worker.loc, message: `${worker.kind} started here` }],
              verify,
              key: `worker-port:${p.port}`,
            });
          }
          continue;
        }
        for (const p of parsed.probes) {
          if (!isLocalHost(p.host) || !closed) continue;
          const onPort = listening.filter((s) => !s.socket && (s.port === undefined || p.port === undefined || s.port === p.port || moreBinds(plan, s)));
          // ---- port: nothing of the container listens there
          if (p.port !== undefined && !onPort.length && p.failsOnConnect) {
            const known = listening.every((s) => certain(plan, s) && PORT_FROM_COMMAND.has(s.kind) && !moreBinds(plan, s) && !configMayBind(s) && (s.socket !== undefined || (s.port !== undefined && s.bindFrom !== 'config' && s.bindFrom !== 'none')));
            if (!known) continue;
            const tcp = listening.filter((s) => !s.socket);
            const where = locate(c, p.written);
            const servers = listening.map((s) => `${serverName(s)} listens on ${addr(s)}`).join(', ');
            const fix = portFix(c, p, where.offset, tcp);
            report({
              message: `The healthcheck of "${svc.name}" probes port ${p.port} (\`${p.shown}\`), but ${servers}: the connection is refused, ${p.connectFailure}, and ${consequence(env, svc)}.`,
              location: where.loc,
              environment: env.name,
              service: svc.name,
              related: listening.map((s): RelatedLocation => ({ location: s.loc, message: `${serverName(s)} listens on ${addr(s)}` })),
              ...(fix ? { fix } : {}),
              verify,
              key: `port:${p.port}`,
            });
            continue;
          }
          // ---- path: the one server on that port has no route for it
          if (p.path === undefined || onPort.length !== 1) continue;
          const server = onPort[0]!;
          const set = server.routes;
          if (!set || !certain(plan, server) || !set.complete) continue;
          if (rootPathSet(svc, plan)) continue;
          const m = matchPath(set, p.path);
          const where = locate(c, p.written);
          const related: RelatedLocation[] = [
            { location: set.loc, message: `the ${FRAMEWORK[set.framework]} ${set.app}` },
            { location: server.loc, message: `${serverName(server)} serves it on ${addr(server)}` },
          ];
          if (m.kind === 'missing' && p.failsOnHttpError) {
            if (interceptorsMayAnswer(set, p.path, model.sources).length) continue;
            const served = servedPaths(set);
            const fix = pathFix(c, p, where.offset, set);
            report({
              message: `The healthcheck of "${svc.name}" requests ${pathOnly(p.path)} (\`${p.shown}\`), but the ${FRAMEWORK[set.framework]} ${set.app} serves no such path${served.length ? ` (it serves ${served.join(', ')})` : ''}${slashHint(set, p.path)}: the app answers 404, ${p.failure}, and ${consequence(env, svc)}.`,
              location: where.loc,
              environment: env.name,
              service: svc.name,
              related,
              ...(fix ? { fix } : {}),
              verify,
              key: `path:${pathOnly(p.path)}`,
            });
            continue;
          }
          if (m.kind === 'served' && m.methods && p.method && p.failsOnHttpError && !m.methods.includes(p.method)) {
            if (interceptorsMayAnswer(set, p.path, model.sources).length) continue;
            const status = set.framework === 'express' ? '404' : '405 Method Not Allowed';
            report({
              message: `The healthcheck of "${svc.name}" sends ${p.method} ${pathOnly(p.path)} (\`${p.shown}\`), but the ${FRAMEWORK[set.framework]} route for it accepts only ${m.methods.join(', ')}: the app answers ${status}, ${p.failure}, and ${consequence(env, svc)}.`,
              location: where.loc,
              environment: env.name,
              service: svc.name,
              related: [{ location: m.routes[0]!.loc, message: `route ${m.routes[0]!.path} (${m.methods.join(', ')})` }, ...related.slice(1)],
              verify,
              key: `method:${p.method}:${pathOnly(p.path)}`,
            });
          }
        }
      }
  },
});

/** gunicorn/hypercorn listen on every `--bind` given; the server fact records the first. */
function moreBinds(plan: StartPlan, s: ServerFact): boolean {
  if (s.kind !== 'gunicorn' && s.kind !== 'hypercorn') return false;
  const argv = plan.steps[s.step]?.argv ?? [];
  const binds = argv.filter((a) => /^(?:-b|--bind|--insecure-bind|--quic-bind)(?:=|$)|^-b./.test(a)).length;
  return binds > 1;
}

/** gunicorn's default ./gunicorn.conf.py may set `bind` when drydock cannot tell whether the image has it. */
function configMayBind(s: ServerFact): boolean {
  return s.kind === 'gunicorn' && s.bindFrom === 'default' && s.configFileExists !== false;
}

/** Why a path that differs only by its trailing slash from a route is still a 404. */
function slashHint(set: RouteSet, urlPath: string): string {
  const path = pathOnly(urlPath);
  if (path === '/') return '';
  const other = path.endsWith('/') ? path.replace(/\/+$/, '') : `${path}/`;
  if (!other || !set.routes.some((r) => { try { return new RegExp(r.regex, r.ignoreCase ? 'i' : '').test(other); } catch { return false; } })) return '';
  if (set.framework === 'django')
    return other.endsWith('/')
      ? set.trailingSlash === 'none'
        ? `; Django redirects ${path} to ${other} only when MIDDLEWARE has django.middleware.common.CommonMiddleware and APPEND_SLASH is on, and these settings have not both`
        : ''
      : `; APPEND_SLASH only ever adds a slash, it never removes one`;
  if (set.framework === 'flask' && !other.endsWith('/')) return `; Werkzeug redirects a missing trailing slash to a rule that has one, never the other way`;
  if ((set.framework === 'fastapi' || set.framework === 'starlette') && set.trailingSlash === 'none') return '; redirect_slashes is off, so Starlette does not redirect to the other form';
  return '';
}

function pathOnly(path: string): string {
  return path.replace(/[?#].*$/, '') || '/';
}

/** uvicorn/hypercorn --root-path or SCRIPT_NAME change the path the router sees. */
function rootPathSet(svc: ServiceModel, plan: StartPlan): boolean {
  const env = (n: string): boolean => svc.env.has(n) || !!svc.runtime.stage?.env.has(n);
  if (env('SCRIPT_NAME') || env('UVICORN_ROOT_PATH')) return true;
  return plan.steps.some((s) => s.argv.some((a) => a.startsWith('--root-path') || a.includes('SCRIPT_NAME')));
}

function portFix(c: Check, p: Probe, offset: number | undefined, tcp: ServerFact[]): Fix | undefined {
  if (offset === undefined || !c.source || !p.written || tcp.length !== 1 || tcp[0]!.port === undefined) return undefined;
  const i = p.written.indexOf(`:${p.port}`);
  if (i < 0 || p.written.indexOf(`:${p.port}`, i + 1) >= 0 || p.written.includes('$')) return undefined;
  const start = offset + i + 1;
  return { description: `Probe port ${tcp[0]!.port}`, safety: 'unsafe', edits: [{ file: c.source.path, start, end: start + String(p.port).length, text: String(tcp[0]!.port) }] };
}

function pathFix(c: Check, p: Probe, offset: number | undefined, set: RouteSet): Fix | undefined {
  const to = healthRouteFor(set);
  if (offset === undefined || !c.source || !p.written || !to || p.path === undefined || p.written.includes('$')) return undefined;
  const path = pathOnly(p.path);
  const hostEnd = p.written.indexOf('/', p.written.indexOf('//') + 2);
  if (hostEnd < 0 || !p.written.startsWith(path, hostEnd)) return undefined;
  const start = offset + hostEnd;
  return { description: `Probe ${to}`, safety: 'unsafe', edits: [{ file: c.source.path, start, end: start + path.length, text: to }] };
}
