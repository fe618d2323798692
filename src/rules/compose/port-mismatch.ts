import { mapGet, scalarText } from '../../parse/compose/yaml-tree.js';
import { defineRule } from '../define-rule.js';
import { LISTENING_KINDS, baseKnown, certainlyRuns, composeFlags, plannedServices, serverArgvPlausible, serverName, where } from '../runtime/_start.js';

/** Programs that start a listener of their own in the background (a daemon), which the model does not follow. */
const DAEMONS = new Set(['supervisord', 'nginx', 'apache2', 'apache2ctl', 'httpd', 'sshd', 'service', 'redis-server', 'postgres', 'pg_ctl', 'memcached', 'php-fpm', 'caddy', 'traefik', 'haproxy', 'socat']);

/** `8000`, `8000/tcp` → 8000; ranges and variables → undefined. */
function portOf(v: string): number | undefined {
  const m = /^(\d+)(?:\/(tcp|udp|sctp))?$/.exec(v.trim());
  return m && (m[2] ?? 'tcp') === 'tcp' ? Number(m[1]) : undefined;
}

export default defineRule({
  meta: {
    id: 'compose/port-mismatch',
    severity: 'high',
    title: 'published container port that nothing listens on',
    fixable: 'none',
    status: 'stable',
    docs: {
      summary: 'A port mapping publishes a container port (`"8080:80"` → 80) on which the service\'s server does not listen (its port is known and different), and which the image does not EXPOSE either.',
      why: 'Compose forwards the host port to the container port named on the right of the mapping; nothing translates it to the port the app really opened. When no process listens there, the connection reaches the container and is refused: clients see "Connection refused", or "Connection reset by peer" / "Empty reply from server" through Docker\'s proxy, while the container itself runs and may even pass a healthcheck that uses the right port. Only servers whose port drydock knows from their command line, environment or documented default count (gunicorn 8000, uvicorn 8000, `flask run` 5000, runserver 8000, `next` 3000); a port set in a config file, a background daemon, or an image EXPOSE of the published port keeps the rule silent.',
      fix: 'Publish the port the server listens on (`"8080:8000"`), or make the server listen on the published container port (`--port 80`, `-b 0.0.0.0:80`).',
      verify: 'docker compose -f <files> port <service> <container port>\ncurl -sS -o /dev/null -w "%{http_code}\\n" http://localhost:<host port>/',
      references: [
        { title: 'Compose services: ports (HOST:CONTAINER)', url: 'https://docs.docker.com/reference/compose-file/services/#ports' },
        { title: 'Docker: port publishing', url: 'https://docs.docker.com/engine/network/port-publishing/' },
        { title: 'Dockerfile reference: EXPOSE', url: 'https://docs.docker.com/reference/dockerfile/#expose' },
        { title: 'gunicorn settings: bind (default 127.0.0.1:8000)', url: 'https://docs.gunicorn.org/en/stable/settings.html#bind' },
        { title: 'uvicorn settings: --port (default 8000)', url: 'https://www.uvicorn.org/settings/#socket-binding' },
      ],
      example: {
        bad: {
          'compose.yaml': 'services:\n  api:\n    build: .\n    command: ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"]\n    ports: ["80:80"]\n',
          Dockerfile: 'FROM python:3.12-slim\nWORKDIR /app\nRUN pip install fastapi uvicorn\nCOPY app ./app\n',
          'app/main.py': 'from fastapi import FastAPI\n\napp = FastAPI()\n',
        },
        good: {
          'compose.yaml': 'services:\n  api:\n    build: .\n    command: ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"]\n    ports: ["80:8000"]\n',
          Dockerfile: 'FROM python:3.12-slim\nWORKDIR /app\nRUN pip install fastapi uvicorn\nCOPY app ./app\n',
          'app/main.py': 'from fastapi import FastAPI\n\napp = FastAPI()\n',
        },
      },
    },
  },
  check({ model, report }) {
    for (const { env, svc, plan } of plannedServices(model)) {
      const stage = svc.runtime.stage;
      if (!stage || !svc.ports.length || plan.unresolved.length) continue;
      // anything in the background or a daemon may listen where drydock cannot see
      const isServerStep = new Set(plan.servers.map((s) => s.step));
      if (plan.steps.some((st, i) => (st.background && !isServerStep.has(i)) || DAEMONS.has(st.name))) continue;
      const listening = plan.servers.filter((s) => LISTENING_KINDS.has(s.kind) && certainlyRuns(plan.steps[s.step]));
      // node's port is only a guess (PORT, if the app reads it): unknown
      if (!listening.length || listening.some((s) => s.kind === 'node' || (s.socket === undefined && s.port === undefined) || !serverArgvPlausible(s, plan.steps[s.step]!))) continue;
      // a port that is not on the command line may come from an ENV of a base image drydock does not know
      if (listening.some((s) => s.bindFrom !== 'argv') && !baseKnown(svc)) continue;
      const ports = new Set(listening.flatMap((s) => (s.port === undefined ? [] : [s.port])));
      if (!ports.size) continue;
      const exposed = new Set<number>();
      let exposeUnknown = false;
      for (const e of stage.expose) {
        const p = portOf(e.value);
        if (p === undefined) exposeUnknown = true;
        else exposed.add(p);
      }
      const composeExpose = mapGet(svc.node, 'expose');
      if (composeExpose?.kind === 'seq')
        for (const it of composeExpose.items) {
          const p = portOf(scalarText(it) ?? '');
          if (p === undefined) exposeUnknown = true;
          else exposed.add(p);
        }
      if (exposeUnknown) continue;
      const main = listening[0]!;
      const mainStep = plan.steps[main.step]!;
      const listens = [...ports].sort((a, b) => a - b).join(', ');
      for (const pm of svc.ports) {
        if (pm.protocol !== 'tcp') continue;
        const target = portOf(pm.target);
        if (target === undefined || ports.has(target) || exposed.has(target)) continue;
        const hostSide = pm.published ? `host port ${pm.published}` : 'the published host port';
        report({
          message: `Service "${svc.name}" publishes container port ${target} ("${pm.raw}"), but ${serverName(main)} listens on ${listens} (${where(mainStep.loc)}) and the image does not EXPOSE ${target}: connections to ${hostSide} are refused or reset.`,
          location: pm.loc,
          environment: env.name,
          service: svc.name,
          related: [{ location: mainStep.loc, message: `${serverName(main)} listens on ${listens}` }],
          verify: [`docker compose ${composeFlags(env)} port ${svc.name} ${target}`, ...(pm.published && /^\d+$/.test(pm.published) ? [`curl -sS -o /dev/null -w "%{http_code}\\n" http://localhost:${pm.published}/`] : [])],
          key: `${pm.raw}`,
        });
      }
    }
  },
});
