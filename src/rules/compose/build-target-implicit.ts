import type { RelatedLocation } from '../../core/finding.js';
import type { CommandSpec, ServiceModel, StageModel } from '../../model/types.js';
import { defineRule } from '../define-rule.js';

type Role = 'server' | 'worker' | 'test' | 'migrate' | 'unknown';

const ROLE_WORDS: Record<Exclude<Role, 'unknown'>, string> = {
  server: 'a web server',
  worker: 'a queue worker',
  test: 'the test suite',
  migrate: 'a one-off migration',
};

export default defineRule({
  meta: {
    id: 'compose/build-target-implicit',
    severity: 'critical',
    title: 'multi-stage build without target runs the wrong stage',
    fixable: 'none',
    status: 'stable',
    docs: {
      summary: 'A service builds a multi-stage Dockerfile without `build.target`, so it gets the last stage, and that stage runs something else (a queue worker, the tests, a migration) while the service publishes a port or health-checks HTTP and an earlier stage runs the server.',
      why: 'Without `--target`, `docker build` (and Compose without `build.target`) builds the last stage of the Dockerfile. Appending a stage (`FROM runtime AS worker`) silently changes what every service without a target runs: the web service starts a Celery worker, nothing listens on the published port, the healthcheck never passes and the proxy answers 502. It often hides in one environment only, because an overlay sets `target` for development and the production overlay does not.',
      fix: 'Set `build.target` to the stage that serves (e.g. `target: runtime`) in the base compose file, so every environment inherits it; or make the server stage the last one.',
      verify: 'docker compose -f <files> up -d --build <service> && docker compose -f <files> ps <service>   (healthy, and `docker compose top <service>` shows the server)',
      references: [
        { title: 'Multi-stage builds: stop at a specific build stage (without --target the last stage is built)', url: 'https://docs.docker.com/build/building/multi-stage/#stop-at-a-specific-build-stage' },
        { title: 'Compose build specification: target', url: 'https://docs.docker.com/reference/compose-file/build/#target' },
        { title: 'docker buildx build --target', url: 'https://docs.docker.com/reference/cli/docker/buildx/build/#target' },
      ],
      example: {
        bad: { 'compose.yaml': 'services:\n  api:\n    build: .\n    ports: ["8000:8000"]\n', 'Dockerfile': 'FROM python:3.12-slim AS runtime\nEXPOSE 8000\nCMD ["gunicorn", "app:app", "-b", "0.0.0.0:8000"]\n\nFROM runtime AS worker\nCMD ["celery", "-A", "app", "worker"]\n' },
        good: { 'compose.yaml': 'services:\n  api:\n    build:\n      context: .\n      target: runtime\n    ports: ["8000:8000"]\n', 'Dockerfile': 'FROM python:3.12-slim AS runtime\nEXPOSE 8000\nCMD ["gunicorn", "app:app", "-b", "0.0.0.0:8000"]\n\nFROM runtime AS worker\nCMD ["celery", "-A", "app", "worker"]\n' },
      },
    },
  },
  check({ model, report }) {
    for (const env of model.environments)
      for (const svc of env.services) {
        const df = svc.runtime.dockerfile;
        const last = svc.runtime.stage;
        if (!svc.enabled || !svc.build || !df || !last || !svc.runtime.implicitTarget) continue;
        // compose's own command decides what runs: the stage's CMD is not evidence then
        if (svc.command || svc.entrypoint) continue;
        const wants = servesHttp(svc);
        if (!wants) continue;
        const lastRole = stageRole(last);
        if (lastRole === 'server' || lastRole === 'unknown') continue;
        const match = df.stages
          .filter((s) => s.index < last.index && stageRole(s) !== 'worker' && stageRole(s) !== 'test' && stageRole(s) !== 'migrate')
          .map((s) => ({ s, server: stageRole(s) === 'server', exposes: s.expose.some((e) => wants.ports.has(e.value.replace(/\/.*$/, ''))) }))
          .filter((m) => m.server || m.exposes)
          .sort((a, b) => Number(b.server && b.exposes) - Number(a.server && a.exposes) || Number(b.server) - Number(a.server) || b.s.index - a.s.index)[0];
        if (!match) continue;
        const lastName = last.name ? `"${last.name}"` : `#${last.index}`;
        const matchName = match.s.name ? `"${match.s.name}"` : `#${match.s.index}`;
        const lastCmd = commandText(last);
        const matchWhat = [match.server ? `runs ${commandText(match.s)}` : '', match.exposes ? `EXPOSEs ${[...wants.ports].filter((p) => match.s.expose.some((e) => e.value.replace(/\/.*$/, '') === p)).join(', ')}` : '']
          .filter(Boolean)
          .join(' and ');
        const related: RelatedLocation[] = [
          { location: last.loc, message: `the last stage ${lastName}: what the service gets without a target` },
          { location: match.s.loc, message: `stage ${matchName}, which ${matchWhat}` },
        ];
        if (env.composeFiles.length > 1) {
          // the same project (same first compose file) where an overlay sets the target
          const other = model.environments.find((e) => e !== env && e.composeFiles[0] === env.composeFiles[0] && e.services.some((s) => s.name === svc.name && s.build?.target));
          if (other) related.push({ location: other.services.find((s) => s.name === svc.name)!.build!.target!.loc, message: `environment "${other.name}" sets the target` });
        }
        report({
          message: `service "${svc.name}" builds ${df.path} without build.target, so it runs the last stage ${lastName} (${lastCmd}), ${ROLE_WORDS[lastRole]}, while it ${wants.why}: nothing answers there and the healthcheck and requests fail${svc.image ? ` (and \`docker compose build\` tags that stage as ${svc.image.value})` : ''}. Stage ${matchName} ${matchWhat}; set \`target: ${match.s.name ?? match.s.index}\`.`,
          location: svc.build.loc,
          environment: env.name,
          service: svc.name,
          related,
          verify: [`docker compose ${env.composeFiles.map((f) => `-f ${f}`).join(' ')} up -d --build ${svc.name} && docker compose ${env.composeFiles.map((f) => `-f ${f}`).join(' ')} ps ${svc.name}`],
          key: `${df.path}:${last.name ?? last.index}`,
        });
      }
  },
});

/** The ports the service expects to be served (published targets, the port its HTTP healthcheck probes). */
function servesHttp(svc: ServiceModel): { ports: Set<string>; why: string } | undefined {
  const ports = new Set<string>();
  const why: string[] = [];
  const published = svc.ports.map((p) => p.target.replace(/\/.*$/, '')).filter((p) => /^\d+$/.test(p));
  for (const p of published) ports.add(p);
  if (published.length) why.push(`publishes port ${[...new Set(published)].join(', ')}`);
  const hc = svc.healthcheck;
  if (hc && !hc.disabled) {
    const text = hc.test.slice(1).join(' ');
    if (/https?:\/\/|\bcurl\b|\bwget\b|urlopen|httpx|requests\.get/.test(text)) {
      const port = /https?:\/\/[^/\s'"]*?:(\d+)/.exec(text)?.[1];
      if (port) ports.add(port);
      why.push('health-checks over HTTP');
    }
  }
  return why.length ? { ports, why: why.join(' and ') } : undefined;
}

function words(c: CommandSpec | undefined): string[] {
  if (!c) return [];
  const list = c.form === 'shell' ? c.text.split(/\s+|&&|;|\|\|/) : c.argv;
  return list.map((w) => w.replace(/^["']|["']$/g, '')).filter(Boolean);
}

/** What a stage runs, judged from its ENTRYPOINT + CMD; 'unknown' unless the evidence is clear. */
function stageRole(stage: StageModel): Role {
  const argv = [...words(stage.entrypoint), ...words(stage.cmd)];
  const names = argv.map((w) => w.slice(w.lastIndexOf('/') + 1));
  const has = (w: string): boolean => names.includes(w);
  const after = (w: string, sub: RegExp): boolean => {
    const i = names.indexOf(w);
    return i >= 0 && names.slice(i + 1).some((n) => sub.test(n));
  };
  if (after('celery', /^(?:worker|beat)$/) || after('rq', /^worker$/) || has('rqworker') || has('sidekiq') || has('dramatiq') || has('huey_consumer') || has('huey_consumer.py') || after('arq', /./) || after('faust', /^worker$/))
    return 'worker';
  if (['gunicorn', 'uvicorn', 'hypercorn', 'daphne', 'waitress-serve', 'uwsgi', 'granian', 'puma', 'nginx', 'caddy', 'httpd', 'apache2-foreground', 'php-fpm', 'unicorn'].some(has) || has('runserver') || after('flask', /^run$/) || after('rails', /^(?:s|server)$/) || after('next', /^start$/))
    return 'server';
  if (['pytest', 'py.test', 'tox', 'nox', 'jest', 'vitest', 'mocha', 'rspec'].some(has) || (has('manage.py') && after('manage.py', /^test$/)) || ['npm', 'yarn', 'pnpm', 'go'].some((t) => after(t, /^test$/)))
    return 'test';
  if (after('alembic', /^upgrade$/) || after('manage.py', /^migrate$/) || after('prisma', /^migrate$/) || after('knex', /^migrate:latest$/))
    return 'migrate';
  return 'unknown';
}

function commandText(stage: StageModel): string {
  const text = [stage.entrypoint?.text, stage.cmd?.text].filter(Boolean).join(' ');
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
