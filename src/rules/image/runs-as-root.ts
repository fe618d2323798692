import type { RelatedLocation } from '../../core/finding.js';
import type { ServiceModel } from '../../model/types.js';
import { defineRule, type FindingInput } from '../define-rule.js';
import { addServiceToSeen } from './_exec.js';

/**
 * Official images whose entrypoint drops root before the server starts (postgres, redis through
 * gosu/setpriv) or whose root master process hands work to an unprivileged worker user (nginx):
 * shared KNOWLEDGE.md §1.3.
 */
const DROPS_PRIVILEGES = new Set(['postgres', 'postgres-alpine', 'redis', 'redis-alpine', 'nginx', 'nginx-alpine', 'nginx-alpine-slim']);
/** Programs that switch to another user before running the rest of the command line. */
const USER_SWITCHERS = new Set(['gosu', 'su-exec', 'setpriv', 'su', 'runuser', 'chpst', 's6-setuidgid', 'sudo', 'setuidgid']);

export default defineRule({
  meta: {
    id: 'image/runs-as-root',
    severity: 'medium',
    title: 'A production service runs as root',
    fixable: 'none',
    status: 'stable',
    sources: [{ tool: 'hadolint', ref: 'DL3002' }],
    docs: {
      summary: 'In a production environment, a service runs its Dockerfile stage (the build target, or the last stage) as root: the stage chain and its base image set no `USER`, or the stage sets `USER root`/`USER 0`, and compose sets no `user:`.',
      why: 'Without a `USER` the container\'s processes run as uid 0. A vulnerability in the application then gives an attacker root inside the container, with write access to everything in the image and to every mounted volume, and root on the host when it escapes the container (a kernel bug, a mounted Docker socket, `privileged: true`). Running as an unprivileged account limits that. Images whose entrypoint drops privileges itself (postgres, redis; nginx runs its workers as `nginx`), services whose start script switches user (`gosu`, `su-exec`, `setpriv`), external images and images built on a base whose default user is unknown are not reported. Only production environments are checked.',
      fix: 'Create an account and switch to it at the end of the final stage (`RUN useradd --create-home --uid 1000 app` then `USER app`), make the files it must write owned by it (`COPY --chown=app:app`), or set `user: "1000:1000"` on the service in the production compose file.',
      verify: 'docker compose -f <files> exec <service> id -u   # not 0',
      references: [
        { title: 'Dockerfile reference: USER', url: 'https://docs.docker.com/reference/dockerfile/#user' },
        { title: 'Docker build best practices: USER', url: 'https://docs.docker.com/build/building/best-practices/#user' },
        { title: 'Compose services: user', url: 'https://docs.docker.com/reference/compose-file/services/#user' },
        { title: 'hadolint DL3002: Last USER should not be root', url: 'https://github.com/hadolint/hadolint/wiki/DL3002' },
        { title: 'Docker Engine security: running containers with a non-root user', url: 'https://docs.docker.com/engine/security/#linux-kernel-capabilities' },
      ],
      example: {
        bad: {
          'docker-compose.yml': 'services:\n  web:\n    build: .\n    ports: ["8000:8000"]\n',
          'docker-compose.prod.yml': 'services:\n  web:\n    restart: unless-stopped\n',
          Dockerfile: 'FROM python:3.12-slim\nWORKDIR /app\nRUN pip install flask gunicorn\nCOPY . .\nCMD ["gunicorn", "app:app", "-b", "0.0.0.0:8000"]\n',
          'app.py': 'from flask import Flask\n\napp = Flask(__name__)\n',
        },
        good: {
          'docker-compose.yml': 'services:\n  web:\n    build: .\n    ports: ["8000:8000"]\n',
          'docker-compose.prod.yml': 'services:\n  web:\n    restart: unless-stopped\n',
          Dockerfile: 'FROM python:3.12-slim\nRUN useradd --create-home --uid 1000 app\nWORKDIR /app\nRUN pip install flask gunicorn\nCOPY . .\nUSER app\nCMD ["gunicorn", "app:app", "-b", "0.0.0.0:8000"]\n',
          'app.py': 'from flask import Flask\n\napp = Flask(__name__)\n',
        },
      },
    },
  },
  check({ model, report }) {
    for (const env of model.environments) {
      if (!env.production) continue;
      const seen = new Map<string, FindingInput>();
      for (const svc of env.services) {
        if (!svc.enabled || svc.user) continue;
        const f = rootFinding(svc);
        if (!f) continue;
        const key = `${f.location.file}:${f.location.startLine ?? 0}`;
        if (addServiceToSeen(seen, key, svc.name)) continue;
        f.environment = env.name;
        f.verify = [`docker compose ${env.composeFiles.map((x) => `-f ${x}`).join(' ')} exec ${svc.name} id -u`];
        seen.set(key, f);
      }
      for (const f of seen.values()) report(f);
    }
  },
});

function isRoot(spec: string): boolean {
  const user = spec.split(':')[0]!.trim();
  return user === 'root' || user === '0';
}

function rootFinding(svc: ServiceModel): FindingInput | undefined {
  const stage = svc.runtime.stage;
  const image = stage?.image;
  if (!stage || !image || image.unknownBase || !image.base) return undefined;
  if (DROPS_PRIVILEGES.has(image.base.id)) return undefined;
  let spec: string;
  const explicit = stage.user;
  if (explicit) {
    if (/[$`]/.test(explicit.value)) return undefined;
    spec = explicit.value;
  } else {
    if (image.base.defaultUser === undefined) return undefined;
    spec = image.base.defaultUser;
  }
  if (!isRoot(spec)) return undefined;
  // the start path switches to another account (gosu app …, su-exec, setpriv)
  const plan = svc.start;
  if (!plan) return undefined;
  if (plan.steps.some((s) => USER_SWITCHERS.has(s.name) || s.wrappers.some((w) => USER_SWITCHERS.has(w)) || (s.user !== undefined && !isRoot(s.user)))) return undefined;
  const related: RelatedLocation[] = [{ location: svc.loc, message: `service "${svc.name}" sets no \`user:\`` }];
  const how = explicit ? `sets \`USER ${explicit.value}\`` : `sets no USER and ${image.base.description} runs as ${spec === '0' ? 'uid 0' : 'root'} by default`;
  return {
    message: `Service "${svc.name}": the process runs as root in production: the stage it runs (${svc.runtime.dockerfile?.path ?? 'its Dockerfile'}${stage.name ? `, "${stage.name}"` : ''}) ${how}, and compose sets no \`user:\`. A compromise of the application gets root in the container and on its volumes; add a non-root USER.`,
    location: explicit ? explicit.loc : stage.loc,
    service: svc.name,
    related,
    key: `${svc.name}:root`,
  };
}
