import type { RelatedLocation } from '../../core/finding.js';
import type { Location } from '../../core/location.js';
import type { ServiceModel } from '../../model/types.js';
import { defineRule, type FindingInput } from '../define-rule.js';
import { addServiceToSeen } from './_exec.js';

export default defineRule({
  meta: {
    id: 'image/user-without-home',
    severity: 'medium',
    title: 'The container user has no account or no home directory',
    fixable: 'none',
    status: 'stable',
    docs: {
      summary: 'The user a service runs as (the Dockerfile `USER`, or compose `user:`) has no account in the image (`USER 1000:1000` with no such uid, `USER app` with no `app`), or its account was created without its home directory (`useradd app` without `-m` on Debian).',
      why: 'At start the runtime looks the user up in the image\'s `/etc/passwd` and sets `HOME` from it. A numeric uid with no entry runs with `HOME=/`; an account made by `useradd` without `-m` (Debian\'s default, and `useradd -r`) has `HOME=/home/app`, a directory that does not exist. Either way `~` is not writable: pip (`~/.cache/pip`), npm (`~/.npm`), matplotlib and fontconfig caches, `~/.config` and `~/.local` writes fail with `Permission denied` or `No such file or directory`. A user *name* with no account is worse: the container does not start at all (`unable to find user app: no matching entries in passwd file`). System accounts whose home is `/nonexistent` on purpose, accounts of the base image, and images or services that set `HOME` themselves are not reported.',
      fix: 'Create the account with its home before switching to it: `RUN useradd --create-home --uid 1000 app` (Debian/Ubuntu), `RUN adduser -D -u 1000 app` (Alpine), then `USER app`; or point `HOME` at a writable directory (`ENV HOME=/tmp`) when the process must run under an arbitrary uid.',
      verify: 'docker compose -f <files> run --rm <service> sh -c \'id; echo "$HOME"; test -w "$HOME" && echo writable\'',
      references: [
        { title: 'Dockerfile reference: USER (a user without a passwd entry gets the root group)', url: 'https://docs.docker.com/reference/dockerfile/#user' },
        { title: 'runc libcontainer init: HOME comes from the passwd entry, "/" when there is none', url: 'https://github.com/opencontainers/runc/blob/main/libcontainer/init_linux.go' },
        { title: 'moby/sys user.GetExecUser: default Home "/", "no matching entries in passwd file" for an unknown name', url: 'https://github.com/moby/sys/blob/main/user/user.go' },
        { title: 'useradd(8): -m/--create-home; CREATE_HOME in login.defs (unset on Debian)', url: 'https://manpages.debian.org/bookworm/passwd/useradd.8.en.html' },
      ],
      example: {
        bad: {
          'compose.yaml': 'services:\n  web:\n    build: .\n',
          Dockerfile: 'FROM python:3.12-slim\nRUN useradd --uid 1000 app\nWORKDIR /app\nCOPY . .\nUSER app\nCMD ["python", "-m", "http.server", "8000"]\n',
        },
        good: {
          'compose.yaml': 'services:\n  web:\n    build: .\n',
          Dockerfile: 'FROM python:3.12-slim\nRUN useradd --create-home --uid 1000 app\nWORKDIR /app\nCOPY . .\nUSER app\nCMD ["python", "-m", "http.server", "8000"]\n',
        },
      },
    },
  },
  check({ model, report }) {
    for (const env of model.environments) {
      const seen = new Map<string, FindingInput>();
      for (const svc of env.services) {
        if (!svc.enabled) continue;
        const f = homeFinding(svc);
        if (!f) continue;
        const key = `${f.location.file}:${f.location.startLine ?? 0}`;
        if (addServiceToSeen(seen, key, svc.name)) continue;
        f.environment = env.name;
        f.verify = [`docker compose ${env.composeFiles.map((x) => `-f ${x}`).join(' ')} run --rm ${svc.name} sh -c 'id; echo "$HOME"; test -w "$HOME" && echo writable'`];
        seen.set(key, f);
      }
      for (const f of seen.values()) report(f);
    }
  },
});

function homeFinding(svc: ServiceModel): FindingInput | undefined {
  const stage = svc.runtime.stage;
  const image = stage?.image;
  if (!stage || !image || image.unknownBase) return undefined;
  const spec = svc.user ?? stage.user;
  if (!spec || /[$`]/.test(spec.value)) return undefined;
  const name = spec.value.split(':')[0]!.trim();
  if (!name || name === 'root' || name === '0') return undefined;
  const u = image.user(name);
  const numeric = /^\d+$/.test(name);
  const where: Location = spec.loc;
  const by = svc.user ? `compose sets \`user: ${spec.value}\`` : `the Dockerfile sets \`USER ${spec.value}\``;
  // the runtime takes HOME from /etc/passwd only when the environment does not set it
  const homeSet = stage.env.has('HOME') || svc.env.has('HOME');
  const related: RelatedLocation[] = [];
  if (svc.user && stage.user) related.push({ location: stage.user.loc, message: `the image's own USER ${stage.user.value}, which compose overrides` });
  if (u.exists === false) {
    if (!numeric) {
      return {
        message: `Service "${svc.name}": ${by}, but the image has no account named "${name}": the container does not start ("unable to find user ${name}: no matching entries in passwd file"), and a RUN after the USER fails the build the same way.`,
        location: where,
        service: svc.name,
        related,
        severity: 'critical',
        key: `${svc.name}:nouser:${name}`,
      };
    }
    if (homeSet) return undefined;
    return {
      message: `Service "${svc.name}": ${by}, but no account in the image has uid ${name}: the process runs with HOME=/, which it cannot write, so anything that writes under ~ (pip and npm caches, ~/.config, matplotlib) fails with "Permission denied".`,
      location: where,
      service: svc.name,
      related,
      key: `${svc.name}:nouid:${name}`,
    };
  }
  if (homeSet || u.exists !== true || u.homeExists !== false || !u.home || u.home === '/nonexistent' || !u.createdBy) return undefined;
  related.push({ location: u.createdBy.loc, message: `the account "${u.name ?? name}" is created here without its home directory` });
  const tool = /\buseradd\b/.test(u.createdBy.argsText) ? ' (useradd without -m/--create-home creates no home on Debian)' : '';
  return {
    message: `Service "${svc.name}": ${by}, and the account "${u.name ?? name}" has HOME=${u.home}, which is never created${tool}: anything that writes under ~ (pip and npm caches, ~/.config, matplotlib) fails with "Permission denied".`,
    location: where,
    service: svc.name,
    related,
    key: `${svc.name}:nohome:${u.name ?? name}`,
  };
}
