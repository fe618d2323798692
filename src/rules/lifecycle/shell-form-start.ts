import type { Fix } from '../../core/finding.js';
import { formatLocation, type Location } from '../../core/location.js';
import type { Severity } from '../../core/severity.js';
import { envSeverity, isSingleSimpleCommand, shellFacts, type LastCommandExec } from '../../model/start/queries.js';
import type { ServiceModel, StartCommandPart } from '../../model/types.js';
import { defineRule } from '../define-rule.js';
import { subtreeEnd } from './_shared.js';

function sameLoc(a: Location, b: Location): boolean {
  return a.file === b.file && a.startLine === b.startLine && a.startColumn === b.startColumn;
}

/** `CMD exec gunicorn …`: the instruction's arguments, when the text is one simple command written verbatim. */
function execFix(svc: ServiceModel, part: StartCommandPart, text: string): Fix | undefined {
  const df = svc.runtime.dockerfile;
  if (!df || part.loc.file !== df.path) return undefined;
  const ins = df.ast.instructions.find((i) => sameLoc(i.loc, part.loc) && (i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT'));
  if (!ins || ins.exec) return undefined;
  const [a, b] = ins.argsRange;
  if (df.source.text.slice(a, b) !== text) return undefined;
  return { description: `Prefix the ${ins.keyword} with exec`, safety: 'safe', edits: [{ file: df.path, start: a, end: a, text: 'exec ' }] };
}

export default defineRule({
  meta: {
    id: 'lifecycle/shell-form-start',
    severity: 'medium',
    title: 'Shell-form CMD/ENTRYPOINT leaves /bin/sh as PID 1 in front of the server',
    fixable: 'safe',
    status: 'stable',
    docs: {
      summary: 'The image a service runs starts its server with a shell-form CMD or ENTRYPOINT (`CMD gunicorn app:app`, run as `/bin/sh -c "…"`) and the shell does not replace itself with the server, so `/bin/sh` stays PID 1.',
      why: 'Shell form runs the text with `/bin/sh -c`. Whether the shell then stays PID 1 depends on the shell: Debian\'s dash (the `/bin/sh` of `python:*-slim`, `python`, `node`, `debian`) always forks the command and waits, even for a single command, because Debian\'s package disables the `-c` exec optimisation that upstream dash added in 2011 (ChangeLog 2011-07-07, "Optimize dash -c \"command\" to avoid a fork") (verified with strace on Debian bookworm, dash 0.5.12-2; Ubuntu builds dash from Debian\'s packaging but is treated as unknown); busybox ash (Alpine 3.8 and later) and bash exec a single simple command, and newer bash also the last command of a list (bash 5.2 does, verified; older releases did not). When the shell stays PID 1, `docker stop` sends SIGTERM to it, it ignores it (PID 1 without a handler) and does not pass it on: after the grace period (10 s by default) Docker SIGKILLs the server, cutting in-flight requests. drydock reports `medium` when the base image\'s shell is known to keep PID 1 (or the server is not the last command, runs in the background or after a `trap`), `info` when it depends on a shell or version it cannot see, and nothing when the shell is known to exec the command or the text already says `exec`. Outside production environments `medium` becomes `low`.',
      fix: 'Use the exec form (`CMD ["gunicorn", "app:app"]`), or keep the shell form and start the server with `exec` (`CMD exec gunicorn app:app`, `CMD alembic upgrade head && exec gunicorn app:app`).',
      verify: 'docker compose -f <files> exec <service> cat /proc/1/cmdline | tr "\\0" " "   # the server, not /bin/sh -c …',
      references: [
        { title: 'Dockerfile reference: shell and exec form (ENTRYPOINT: /bin/sh -c does not pass signals)', url: 'https://docs.docker.com/reference/dockerfile/#shell-and-exec-form' },
        { title: 'Build check JSONArgsRecommended', url: 'https://docs.docker.com/reference/build-checks/json-args-recommended/' },
        { title: 'busybox ash: "[SHELL] Optimize dash -c "command" to avoid a fork" (busybox 1.28)', url: 'https://git.busybox.net/busybox/commit/?id=1e3e2ccd5dd280371c9ca29c0e0304a0d40592af' },
        { title: 'Debian dash packaging (the -c exec optimisation is disabled)', url: 'https://salsa.debian.org/debian/dash' },
        { title: 'docker/docs#23124: shell-form ENTRYPOINT on alpine runs as PID 1', url: 'https://github.com/docker/docs/issues/23124' },
      ],
      fixSafety: 'For a shell-form instruction that is one simple command, the fix prefixes it with `exec` (`CMD exec gunicorn app:app`): the shell still expands variables exactly as before, then replaces itself with the server. Lists (`a && b`) get no automatic fix.',
      example: {
        bad: {
          'compose.yaml': 'services:\n  api:\n    build: .\n    ports: ["8000:8000"]\n',
          Dockerfile: 'FROM python:3.12-slim\nWORKDIR /app\nRUN pip install gunicorn\nCOPY app ./app\nCMD gunicorn app.main:app -b 0.0.0.0:8000\n',
          'app/main.py': 'def app(environ, start_response):\n    start_response("200 OK", [])\n    return [b"ok"]\n',
        },
        good: {
          'compose.yaml': 'services:\n  api:\n    build: .\n    ports: ["8000:8000"]\n',
          Dockerfile: 'FROM python:3.12-slim\nWORKDIR /app\nRUN pip install gunicorn\nCOPY app ./app\nCMD ["gunicorn", "app.main:app", "-b", "0.0.0.0:8000"]\n',
          'app/main.py': 'def app(environ, start_response):\n    start_response("200 OK", [])\n    return [b"ok"]\n',
        },
      },
    },
  },
  check({ model, report }) {
    for (const env of model.environments) {
      const found = new Map<string, { services: string[]; part: StartCommandPart; svc: ServiceModel; severity: Severity; why: string; fix?: Fix; server: string }>();
      for (const svc of env.services) {
        const plan = svc.start;
        if (!svc.enabled || !plan) continue;
        const parts = [plan.entrypoint, plan.cmdIgnored ? undefined : plan.cmd].filter(
          (p): p is StartCommandPart => !!p && p.form === 'shell' && (p.origin === 'dockerfile-cmd' || p.origin === 'dockerfile-entrypoint'),
        );
        for (const part of parts) {
          const k = plan.steps.findIndex((s) => s.expands === 'shell-string' && s.origin === part.origin && sameLoc(s.loc, part.loc));
          if (k < 0) continue;
          const shell = plan.steps[k]!;
          if (!shell.exec) continue; // a script in front of it keeps PID 1: lifecycle/entrypoint-no-exec
          const end = subtreeEnd(plan, k);
          const server = plan.servers.find((f) => f.step > k && f.step < end);
          if (!server) continue;
          const level: number[] = [];
          for (let j = k + 1; j < end; j++) if (plan.steps[j]!.depth === shell.depth + 1) level.push(j);
          const direct = level.filter((j) => j <= server.step).pop();
          if (direct === undefined) continue;
          const d = plan.steps[direct]!;
          if (d.exec) continue;
          const text = part.argv[part.argv.length - 1] ?? '';
          const stages = svc.runtime.dockerfile?.stages;
          const facts = shellFacts(part.argv[0] ?? '/bin/sh', svc.runtime.stage, stages);
          const single = isSingleSimpleCommand(text) && level.length === 1;
          const isLast = level[level.length - 1] === direct;
          let verdict: LastCommandExec;
          let why: string;
          if (d.background || d.inLoop || !isLast || /(?:^|[\s;&|])trap\s/.test(text)) {
            verdict = 'fork';
            why = d.background ? 'the server runs in the background' : !isLast ? 'the server is not the last command' : 'the string sets a trap';
          } else {
            verdict = single ? facts.single : facts.lastOfList;
            why =
              facts.shell === 'dash'
                ? "the image's /bin/sh is Debian's dash, which forks and waits even for the last command of a -c string"
                : facts.shell === 'busybox-ash'
                  ? single
                    ? 'this busybox ash predates the -c exec optimisation (Alpine before 3.8)'
                    : 'busybox ash (Alpine) execs a single command of a -c string, but drydock cannot tell whether it does so for the last command of a list'
                  : facts.shell === 'bash'
                    ? 'bash execs the last command of a list only in newer releases (5.2 does, older ones did not)'
                    : "drydock does not know what the image's shell does with the last command of a -c string";
          }
          if (verdict === 'exec') continue;
          const severity: Severity = verdict === 'fork' ? envSeverity(env, 'medium') : 'info';
          const key = `${formatLocation(part.loc)}`;
          const e = found.get(key);
          if (e) {
            if (!e.services.includes(svc.name)) e.services.push(svc.name);
            continue;
          }
          const fix = single ? execFix(svc, part, text) : undefined;
          found.set(key, { services: [svc.name], part, svc, severity, why, server: server.kind, ...(fix ? { fix } : {}) });
        }
      }
      for (const f of found.values()) {
        const kw = f.part.origin === 'dockerfile-cmd' ? 'CMD' : 'ENTRYPOINT';
        const sure = f.severity !== 'info';
        report({
          message: `The shell-form ${kw} runs ${f.server} through ${f.part.argv.slice(0, 2).join(' ')} (${f.services.length === 1 ? 'service' : 'services'} ${f.services.join(', ')}): ${f.why}, so ${sure ? '' : 'it may be that '}the shell stays PID 1 and ${sure ? 'does' : 'would'} not pass SIGTERM on: every stop or deploy waits the grace period (10 s by default) and then SIGKILLs ${f.server}. Use the exec form, or start the server with exec.`,
          location: f.part.loc,
          environment: env.name,
          service: f.services[0]!,
          severity: f.severity,
          key: `${kw}:${f.part.argv.join(' ')}`,
          ...(f.fix ? { fix: f.fix } : {}),
          verify: [`docker compose exec ${f.services[0]} cat /proc/1/cmdline | tr '\\0' ' '   # ${f.server}, not ${f.part.argv[0]}`],
        });
      }
    }
  },
});
