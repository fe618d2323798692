import type { Fix, RelatedLocation } from '../../core/finding.js';
import type { Location } from '../../core/location.js';
import type { EnvironmentModel, ServerFact, ServiceModel } from '../../model/types.js';
import { mapGet, scalarText } from '../../parse/compose/yaml-tree.js';
import { officialImageName } from '../../knowledge/image-healthchecks.js';
import { defineRule } from '../define-rule.js';
import { LISTENING_KINDS, appendWords, baseKnown, certainlyRuns, composeFlags, findLiteral, plannedServices, runMentions, serverArgvPlausible, serverName, tokenRe, where } from './_start.js';

const argvHas = (argv: string[], host: string): boolean => argv.some((w) => tokenRe(host).test(w));

const isLoopback = (h: string): boolean => h === 'localhost' || h === 'ip6-localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);

/** Reverse proxies that reach a dependency over the network. */
const PROXIES = new Set(['nginx', 'traefik', 'caddy', 'haproxy', 'envoyproxy/envoy', 'httpd']);

/** Why something outside the container needs the server: published ports, or another service that reaches it. */
function consumers(env: EnvironmentModel, svc: ServiceModel): { reason: string; loc: Location } | undefined {
  if (svc.ports.length) return { reason: `publishes ${svc.ports.map((p) => `"${p.raw}"`).join(', ')}`, loc: svc.ports[0]!.loc };
  const name = svc.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const url = new RegExp(`(?:^|[/@])${name}:\\d+(?:[/?#]|$)`);
  for (const o of env.services) {
    if (o === svc || !o.enabled) continue;
    for (const v of o.env.values())
      if (v.value !== null && url.test(v.value)) return { reason: `is reached by service "${o.name}" (${v.name})`, loc: v.loc };
    const image = o.image?.value ?? o.runtime.stage?.base.repository;
    const repo = image ? (officialImageName(image.split(/[:@]/)[0]!) ?? image.split(/[:@]/)[0]!) : undefined;
    const dep = o.dependsOn.find((d) => d.service === svc.name);
    if (dep && repo && PROXIES.has(repo)) return { reason: `is proxied by service "${o.name}" (${repo}, which depends on it)`, loc: dep.loc };
  }
  return undefined;
}

/** The words that set an all-interfaces address when the command gives none, per server. */
function bindWords(s: ServerFact, argv: string[]): string[] | undefined {
  const has = (...opts: string[]): boolean => argv.some((w) => opts.some((o) => w === o || w.startsWith(`${o}=`) || (o.length === 2 && w.startsWith(o) && w.length > 2)));
  const port = s.port ?? 8000;
  switch (s.kind) {
    case 'gunicorn':
      return s.bindFrom === 'default' ? ['-b', `0.0.0.0:${port}`] : undefined;
    case 'hypercorn':
      return s.bindFrom === 'default' ? ['-b', `0.0.0.0:${port}`] : undefined;
    case 'uvicorn':
      return has('--host') ? undefined : ['--host', '0.0.0.0'];
    case 'flask':
      return has('--host', '-h') ? undefined : ['--host', '0.0.0.0'];
    case 'daphne':
      return has('--bind', '-b') ? undefined : ['-b', '0.0.0.0'];
    case 'django-runserver':
      return s.bindFrom === 'default' && !has('--ipv6', '-6') ? [`0.0.0.0:${port}`] : undefined;
    default:
      return undefined;
  }
}

const ENV_HOST: Partial<Record<ServerFact['kind'], string>> = { uvicorn: 'UVICORN_HOST', flask: 'FLASK_RUN_HOST', gunicorn: 'GUNICORN_CMD_ARGS' };

const DEFAULT_TEXT: Partial<Record<ServerFact['kind'], string>> = {
  gunicorn: 'gunicorn binds 127.0.0.1:8000 when neither `-b`, a config file, GUNICORN_CMD_ARGS nor PORT sets the address',
  uvicorn: "uvicorn's `--host` defaults to 127.0.0.1",
  flask: "`flask run` listens on 127.0.0.1 unless `--host` or FLASK_RUN_HOST says otherwise",
  daphne: 'daphne binds 127.0.0.1 unless `-b` says otherwise',
  hypercorn: "hypercorn's `bind` defaults to 127.0.0.1:8000",
  'django-runserver': '`runserver` without an address listens on 127.0.0.1:8000',
};

export default defineRule({
  meta: {
    id: 'runtime/bind-localhost',
    severity: 'critical',
    title: 'server listens on 127.0.0.1 inside the container',
    fixable: 'safe',
    status: 'stable',
    docs: {
      summary: 'A server on the start path listens on 127.0.0.1/localhost inside its container (written so, or by its default: uvicorn, `flask run`, `runserver`, daphne, hypercorn, gunicorn without `-b`, a config file or PORT) while the service publishes ports or another service connects to it.',
      why: 'Every container has its own network namespace with its own loopback interface. Published ports and other containers arrive on the container\'s `eth0` address, never on its 127.0.0.1, so a server bound to loopback is unreachable from anywhere but inside the container: the container runs and looks healthy (a healthcheck run inside it passes), while clients get "Connection refused", or "Connection reset by peer" / "Empty reply from server" through a published port. Several servers default to loopback: uvicorn `--host` 127.0.0.1, `flask run` 127.0.0.1:5000, `manage.py runserver` 127.0.0.1:8000, daphne and hypercorn 127.0.0.1:8000, and gunicorn `bind = [\'127.0.0.1:8000\']` unless PORT is set (then 0.0.0.0:$PORT) or a config file (`-c`, or `./gunicorn.conf.py` in the working directory) may set it. A gunicorn started with a config file is not reported (the file decides), nor is a service on `network_mode: host` or sharing its network namespace.',
      fix: 'Listen on all interfaces: `--host 0.0.0.0` (uvicorn, flask run), `-b 0.0.0.0:8000` (gunicorn, hypercorn), `-b 0.0.0.0` (daphne), `runserver 0.0.0.0:8000`, or `bind = "0.0.0.0:8000"` in gunicorn.conf.py.',
      verify: 'docker compose -f <files> logs <service> | grep -iE "listening at|running on"   # shows 0.0.0.0, not 127.0.0.1\ncurl -sS -o /dev/null -w "%{http_code}\\n" http://localhost:<published port>/',
      references: [
        { title: 'Docker: port publishing (traffic reaches the container\'s network interface)', url: 'https://docs.docker.com/engine/network/port-publishing/' },
        { title: 'gunicorn settings: bind (default 127.0.0.1:8000, or 0.0.0.0:$PORT)', url: 'https://docs.gunicorn.org/en/stable/settings.html#bind' },
        { title: 'gunicorn settings: config (./gunicorn.conf.py by default)', url: 'https://docs.gunicorn.org/en/stable/settings.html#config' },
        { title: 'uvicorn settings: --host (default 127.0.0.1)', url: 'https://www.uvicorn.org/settings/#socket-binding' },
        { title: 'Flask CLI: flask run --host (default 127.0.0.1)', url: 'https://flask.palletsprojects.com/en/stable/cli/' },
        { title: 'Django runserver (default 127.0.0.1:8000)', url: 'https://docs.djangoproject.com/en/stable/ref/django-admin/#runserver' },
        { title: 'daphne README (binds localhost, port 8000, by default)', url: 'https://github.com/django/daphne#running' },
        { title: 'hypercorn configuration: bind', url: 'https://hypercorn.readthedocs.io/en/latest/how_to_guides/configuring.html' },
      ],
      fixSafety: 'Where the loopback address is written once among the command\'s words (in the Dockerfile, the compose file, the script line, or a compose environment value the server reads), the fix replaces exactly that text with 0.0.0.0 (`::` for `::1`). Where the address is the server\'s default, the fix appends `--host 0.0.0.0` / `-b 0.0.0.0:<port>` / `0.0.0.0:<port>` to the command, only when the command is an exec-form CMD/ENTRYPOINT, a compose list or a compose string (split into words without a shell) and its words reach the server unchanged; the port stays the one it already listens on. Nothing else changes.',
      example: {
        bad: {
          'compose.yaml': 'services:\n  api:\n    build: .\n    command: ["uvicorn", "app.main:app"]\n    ports: ["8000:8000"]\n',
          Dockerfile: 'FROM python:3.12-slim\nWORKDIR /app\nRUN pip install fastapi uvicorn\nCOPY app ./app\n',
          'app/main.py': 'from fastapi import FastAPI\n\napp = FastAPI()\n',
        },
        good: {
          'compose.yaml': 'services:\n  api:\n    build: .\n    command: ["uvicorn", "app.main:app", "--host", "0.0.0.0"]\n    ports: ["8000:8000"]\n',
          Dockerfile: 'FROM python:3.12-slim\nWORKDIR /app\nRUN pip install fastapi uvicorn\nCOPY app ./app\n',
          'app/main.py': 'from fastapi import FastAPI\n\napp = FastAPI()\n',
        },
      },
    },
  },
  check({ model, report }) {
    for (const { env, svc, plan } of plannedServices(model)) {
      const netMode = scalarText(mapGet(svc.node, 'network_mode')) ?? '';
      if (netMode === 'host' || /^(?:service|container):/.test(netMode)) continue;
      // another container joined to this one's network namespace reaches its loopback
      if (env.services.some((o) => scalarText(mapGet(o.node, 'network_mode')) === `service:${svc.name}`)) continue;
      const listening = plan.servers.filter((s) => LISTENING_KINDS.has(s.kind) && certainlyRuns(plan.steps[s.step]));
      for (const s of listening) {
        if (s.host === undefined || s.socket !== undefined || !isLoopback(s.host)) continue;
        if (!serverArgvPlausible(s, plan.steps[s.step]!)) continue;
        // a second server in the container that is reachable (or whose address is unknown) may be the way in
        if (listening.some((o) => o !== s && o.socket === undefined && (o.host === undefined || !isLoopback(o.host)))) continue;
        // an address the command line does not spell out may come from the base image's ENV or files
        if (!argvHas(plan.steps[s.step]!.argv, s.host) && !baseKnown(svc)) continue;
        if (s.kind === 'gunicorn' && s.bindFrom === 'default') {
          if (s.configFileExists !== false || runMentions(svc, 'gunicorn.conf')) continue;
          if (svc.env.get('GUNICORN_CMD_ARGS')?.value === null || svc.env.get('PORT')?.value === null) continue;
        }
        const who = consumers(env, svc);
        if (!who) continue;
        const step = plan.steps[s.step]!;
        const addr = `${s.host.includes(':') ? `[${s.host}]` : s.host}${s.port !== undefined ? `:${s.port}` : ''}`;
        const replacement = s.host === '::1' ? '::' : '0.0.0.0';
        let location = step.loc;
        let how: string;
        let fix: Fix | undefined;
        if (s.bindFrom === 'env') {
          const name = ENV_HOST[s.kind];
          const v = name ? svc.env.get(name) : undefined;
          how = name ? `set by ${name}` : 'set by the environment';
          if (v) {
            location = v.loc;
            const n = v.node;
            const text = n ? model.sources.get(n.loc.file)?.text : undefined;
            if (n && text !== undefined && n.range[1] > n.range[0]) {
              const raw = text.slice(n.range[0], n.range[1]);
              const hits = [...raw.matchAll(tokenRe(s.host))];
              if (hits.length === 1 && !raw.includes('\\')) {
                const start = n.range[0] + hits[0]!.index;
                fix = { description: `Set ${name} to listen on ${replacement}`, safety: 'safe', edits: [{ file: n.loc.file, start, end: start + s.host.length, text: replacement }] };
              }
            }
          }
        } else {
          const written = findLiteral(model, svc, plan, step, s.host);
          if (written) {
            location = written.loc;
            how = `written at ${where(written.loc)}`;
            fix = { description: `Listen on ${replacement} instead of ${s.host}`, safety: 'safe', edits: [{ file: written.file, start: written.start, end: written.end, text: replacement }] };
          } else {
            how = s.bindFrom === 'argv' && step.argv.some((w) => w.includes(s.host!)) ? `given on its command line` : (DEFAULT_TEXT[s.kind] ?? 'its default');
            const words = s.bindFrom === 'argv' && step.argv.some((w) => w.includes(s.host!)) ? undefined : bindWords(s, step.argv);
            const edits = words ? appendWords(model, svc, plan, step, words) : undefined;
            if (edits) fix = { description: `Add \`${words!.join(' ')}\` to the ${serverName(s)} command`, safety: 'safe', edits };
          }
        }
        const related: RelatedLocation[] = [{ location: who.loc, message: `service "${svc.name}" ${who.reason}` }];
        if (location !== step.loc) related.push({ location: step.loc, message: `${serverName(s)} starts here` });
        const published = svc.ports.find((p) => p.published && /^\d+$/.test(p.published));
        const verify = [`docker compose ${composeFlags(env)} logs ${svc.name} | grep -iE "listening at|running on|starting development server"`];
        if (published) verify.push(`curl -sS -o /dev/null -w "%{http_code}\\n" http://localhost:${published.published}/`);
        report({
          message: `${serverName(s)} in service "${svc.name}" listens on ${addr} inside the container (${how}), but the service ${who.reason}: nothing outside the container reaches a loopback address, so clients get "Connection refused" (or a reset, empty reply through the published port).`,
          location,
          environment: env.name,
          service: svc.name,
          related,
          ...(fix ? { fix } : {}),
          verify,
          key: `${s.kind}@${addr}@${where(step.loc)}`,
        });
      }
    }
  },
});
