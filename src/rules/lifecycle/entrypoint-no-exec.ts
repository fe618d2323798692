import type { Fix } from '../../core/finding.js';
import { formatLocation } from '../../core/location.js';
import { certainlyRuns, commandLocation, envSeverity, scriptLevels } from '../../model/start/queries.js';
import type { ProjectModel, StartScript, StartStep } from '../../model/types.js';
import { defineRule } from '../define-rule.js';
import { groupSignallingInit, linePrefix, serverSteps, spanOf } from './_shared.js';

/** `exec ` before the last command, when the text around it makes that a plain insertion. */
function execFix(model: ProjectModel, script: StartScript, step: StartStep): Fix | undefined {
  const loc = commandLocation(step);
  if (loc.file !== script.repoPath) return undefined;
  const s = spanOf(model, loc);
  if (!s) return undefined;
  const text = s.src.text;
  // an EXIT/TERM trap would no longer run once the shell is replaced
  if (/(?:^|[\s;])trap\s/m.test(text)) return undefined;
  const prefix = linePrefix(s);
  if (!/^\s*$|(?:&&|;|\bthen|\bdo|\belse)\s*$/.test(prefix)) return undefined;
  // `FOO=1 cmd` (exec would take FOO=1 for the program), a pipeline, or anything after it
  if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(text.slice(s.start, s.end))) return undefined;
  if (!/^[ \t]*(?:#[^\n]*)?(?:\r?\n[ \t]*(?:fi\b[ \t]*)?(?:#[^\n]*)?)*\s*$/.test(text.slice(s.end))) return undefined;
  return { description: `Start the server with exec in ${script.repoPath}`, safety: 'safe', edits: [{ file: script.repoPath, start: s.start, end: s.start, text: 'exec ' }] };
}

export default defineRule({
  meta: {
    id: 'lifecycle/entrypoint-no-exec',
    severity: 'medium',
    title: 'Entrypoint script starts the server without exec',
    fixable: 'safe',
    status: 'stable',
    docs: {
      summary: 'A shell script that runs as the container\'s main process (ENTRYPOINT, CMD, compose `command`, or exec-ed by one) starts the server or worker as its last command without `exec`.',
      why: 'Without `exec` the shell forks the server and waits for it, so the shell stays PID 1. `docker stop` (and every deploy or `docker compose up` that recreates the container) sends SIGTERM to PID 1 only: the shell does not pass it on, and as PID 1 without a handler it ignores it. Docker waits the stop grace period (10 s by default) and then SIGKILLs everything: in-flight requests are cut, workers lose their current task, shutdown hooks never run, and every stop takes the full 10 s. `exec server` replaces the shell with the server, which then receives the signal itself. Not reported when PID 1 is an init that signals the whole process group (`dumb-init`, `tini -g`). Outside production environments the finding is `low`.',
      fix: 'Start the last command with `exec` (`exec gunicorn …`, `exec "$@"`).',
      verify: 'docker compose -f <files> exec <service> cat /proc/1/cmdline | tr "\\0" " "   # the server, not sh; and docker compose stop <service> returns in well under 10 s',
      references: [
        { title: 'Dockerfile reference: ENTRYPOINT (use exec so the executable receives signals)', url: 'https://docs.docker.com/reference/dockerfile/#entrypoint' },
        { title: 'docker container stop: SIGTERM, then SIGKILL after the grace period', url: 'https://docs.docker.com/reference/cli/docker/container/stop/' },
        { title: 'POSIX shell: exec', url: 'https://pubs.opengroup.org/onlinepubs/9799919799/utilities/V3_chap02.html#exec' },
        { title: 'Compose services: stop_grace_period (default 10s)', url: 'https://docs.docker.com/reference/compose-file/services/#stop_grace_period' },
      ],
      fixSafety: 'The fix inserts `exec ` before the script\'s last command, which already starts the server: nothing ran after it, so the only change is that the server replaces the shell (and gets its PID, signals and exit status). It is not offered when the script sets a `trap` (exec would drop it), when the command starts with a variable assignment, sits in a pipeline or a subshell, or is followed by anything but comments and `fi`.',
      example: {
        bad: {
          'compose.yaml': 'services:\n  api:\n    build: .\n    ports: ["8000:8000"]\n',
          Dockerfile: 'FROM python:3.12-slim\nWORKDIR /app\nRUN pip install alembic gunicorn\nCOPY . .\nCOPY --chmod=755 docker/entrypoint.sh /entrypoint.sh\nENTRYPOINT ["/entrypoint.sh"]\n',
          'docker/entrypoint.sh': '#!/bin/sh\nset -e\nalembic upgrade head\ngunicorn app.main:app -b 0.0.0.0:8000\n',
          'alembic.ini': '[alembic]\nscript_location = migrations\n',
          'migrations/versions/0001_init.py': 'revision = "0001"\ndown_revision = None\n',
          'app/main.py': 'def app(environ, start_response):\n    start_response("200 OK", [])\n    return [b"ok"]\n',
        },
        good: {
          'compose.yaml': 'services:\n  api:\n    build: .\n    ports: ["8000:8000"]\n',
          Dockerfile: 'FROM python:3.12-slim\nWORKDIR /app\nRUN pip install alembic gunicorn\nCOPY . .\nCOPY --chmod=755 docker/entrypoint.sh /entrypoint.sh\nENTRYPOINT ["/entrypoint.sh"]\n',
          'docker/entrypoint.sh': '#!/bin/sh\nset -e\nalembic upgrade head\nexec gunicorn app.main:app -b 0.0.0.0:8000\n',
          'alembic.ini': '[alembic]\nscript_location = migrations\n',
          'migrations/versions/0001_init.py': 'revision = "0001"\ndown_revision = None\n',
          'app/main.py': 'def app(environ, start_response):\n    start_response("200 OK", [])\n    return [b"ok"]\n',
        },
      },
    },
  },
  check({ model, report }) {
    for (const env of model.environments) {
      const found = new Map<string, { services: string[]; script: StartScript; step: StartStep; servers: string[] }>();
      for (const svc of env.services) {
        const plan = svc.start;
        if (!svc.enabled || !plan || groupSignallingInit(plan)) continue;
        for (const level of scriptLevels(plan)) {
          const { script } = level;
          if (script.lastCommandExec || script.invocation === 'sourced' || script.hasErrors) continue;
          // only a script that is the main process (or is exec-ed by it) keeps PID 1
          if (!plan.steps[level.runner]!.exec) continue;
          const lastIdx = level.steps[level.steps.length - 1];
          if (lastIdx === undefined) continue;
          const last = plan.steps[lastIdx]!;
          if (last.exec || last.background || last.inLoop || !certainlyRuns(last)) continue;
          const srv = serverSteps(plan, level).find((x) => x.levelStep === lastIdx);
          if (!srv) continue;
          const key = `${script.repoPath}@${formatLocation(commandLocation(last))}`;
          const e = found.get(key);
          if (e) {
            if (!e.services.includes(svc.name)) e.services.push(svc.name);
            if (!e.servers.includes(srv.server.kind)) e.servers.push(srv.server.kind);
            continue;
          }
          found.set(key, { services: [svc.name], script, step: last, servers: [srv.server.kind] });
        }
      }
      for (const f of found.values()) {
        const fix = execFix(model, f.script, f.step);
        const span = spanOf(model, commandLocation(f.step));
        const cmd = (span ? /^\S+/.exec(span.src.text.slice(span.start, span.end))?.[0] : undefined) ?? (f.step.origin === 'script' ? f.step.argv[0] : '"$@"');
        const server = f.servers.join(' / ');
        report({
          message: `${f.script.repoPath} starts ${server} without exec (${f.services.length === 1 ? 'service' : 'services'} ${f.services.join(', ')}): the shell stays PID 1 and does not pass SIGTERM on, so every stop or deploy waits the grace period (10 s by default) and then SIGKILLs ${server}, cutting in-flight work. Use exec ${cmd}.`,
          location: commandLocation(f.step),
          environment: env.name,
          service: f.services[0]!,
          severity: envSeverity(env, 'medium'),
          related: f.step.origin !== 'script' ? [{ location: f.step.loc, message: `the command it runs comes from here` }] : [],
          key: `${f.script.repoPath}:last`,
          ...(fix ? { fix } : {}),
          verify: [`docker compose exec ${f.services[0]} cat /proc/1/cmdline | tr '\\0' ' '   # ${server}, not sh`],
        });
      }
    }
  },
});
