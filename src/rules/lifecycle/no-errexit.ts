import { posix } from 'node:path';
import type { Fix } from '../../core/finding.js';
import { formatLocation } from '../../core/location.js';
import { invocationOf } from '../../model/start/invocation.js';
import { certainlyRuns, commandLocation, envSeverity, scriptLevels } from '../../model/start/queries.js';
import type { ProjectModel, StartPlan, StartScript, StartStep } from '../../model/types.js';
import { defineRule } from '../define-rule.js';
import { linePrefix, serverSteps, spanOf } from './_shared.js';

const MANAGE_SETUP = new Set(['migrate', 'collectstatic', 'createcachetable', 'compilemessages', 'loaddata', 'check']);
const SETUP_SCRIPT = /(?:^|\/)(?:backend_)?pre_?start\.py$|(?:^|\/)init_?db\.py$|(?:^|\/)initial_data\.py$|(?:^|\/)seed(?:_db)?\.py$|(?:^|\/)create_?tables?\.py$/;

/** A setup step whose failure should stop the start: a migration, a Django management command, a prestart script. */
function setupKind(plan: StartPlan, i: number): string | undefined {
  if (plan.migrationSteps.some((m) => m.step === i)) return 'migration';
  const s = plan.steps[i]!;
  const inv = invocationOf(s);
  if (inv.tool === 'manage.py' && MANAGE_SETUP.has(inv.args.find((a) => !a.startsWith('-')) ?? '')) return 'setup';
  if (inv.tool === 'python' && inv.args[0] && SETUP_SCRIPT.test(inv.args[0])) return 'setup';
  return undefined;
}

/** The server only runs when the setup step succeeded: `setup && … && server`, `setup || exit 1`, `if ! setup; then exit; fi`, a `$?` check. */
function guarded(model: ProjectModel, setup: StartStep, between: StartStep[], server: StartStep): boolean | undefined {
  const a = spanOf(model, commandLocation(setup));
  const b = spanOf(model, commandLocation(server));
  if (!a || !b || a.src !== b.src || b.start <= a.end) return undefined;
  // the step is the condition of an `if`/`while` (or negated): its status is looked at
  const prefix = linePrefix(a);
  if (/\b(?:if|elif|while|until)\b[^;]*$/.test(prefix) || /!\s*$/.test(prefix)) return true;
  const after = a.src.text.slice(a.end, b.start);
  if (/^[ \t]*\|\|/.test(after)) return true; // the failure is handled (or ignored on purpose)
  if (after.includes('$?')) return true;
  // every gap between the commands on the way is `&&`
  const stops = [a, ...between.map((s) => spanOf(model, commandLocation(s))), b];
  for (let k = 0; k + 1 < stops.length; k++) {
    const x = stops[k];
    const y = stops[k + 1];
    if (!x || !y || y.start < x.end) return undefined;
    const gap = a.src.text.slice(x.end, y.start);
    if (!/^[ \t]*(?:\\\r?\n[ \t]*)*&&[ \t]*(?:(?:\\\r?\n|\r?\n|#[^\n]*\n)[ \t]*)*$/.test(gap)) return false;
  }
  return true;
}

function errexitFix(model: ProjectModel, script: StartScript, safe: boolean): Fix | undefined {
  const src = model.sources.get(script.repoPath);
  if (!src) return undefined;
  const eol = src.text.includes('\r\n') ? '\r\n' : '\n';
  let at = 0;
  if (src.text.startsWith('#!')) {
    const nl = src.text.indexOf('\n');
    if (nl < 0) return { description: `Add set -e after the shebang of ${script.repoPath}`, safety: safe ? 'safe' : 'unsafe', edits: [{ file: script.repoPath, start: src.text.length, end: src.text.length, text: `${eol}set -e${eol}` }] };
    at = nl + 1;
  }
  return { description: `Add set -e after the shebang of ${script.repoPath}`, safety: safe ? 'safe' : 'unsafe', edits: [{ file: script.repoPath, start: at, end: at, text: `set -e${eol}` }] };
}

export default defineRule({
  meta: {
    id: 'lifecycle/no-errexit',
    severity: 'high',
    title: 'Entrypoint script starts the server even when the migration failed',
    fixable: 'safe',
    status: 'stable',
    docs: {
      summary: 'A shell script on the start path runs a setup step (migrations, `manage.py collectstatic`, a prestart script) and later starts the server, without `set -e` and without making the server depend on the step (`setup && exec server`, `setup || exit 1`).',
      why: 'A shell script carries on after a failing command unless `set -e` (errexit) is on: the exit status of `alembic upgrade head` is ignored and the next line starts the server. The container looks healthy while the application runs on a database the migration did not bring up to date (tables or columns missing; on MySQL, whose DDL is not transactional, possibly half-applied), and the migration error is only in the logs. With `set -e` the script, and so the container, exits with the step\'s status, which the restart policy and `depends_on` conditions can see. Outside production environments the finding is `low`.',
      fix: 'Add `set -e` at the top of the script (after the shebang), or chain the steps: `alembic upgrade head && exec gunicorn …`.',
      verify: 'docker compose -f <files> up -d && docker compose -f <files> ps   # with a broken migration the container exits instead of serving',
      references: [
        { title: 'POSIX shell: set -e (errexit)', url: 'https://pubs.opengroup.org/onlinepubs/9799919799/utilities/V3_chap02.html#set' },
        { title: 'Bash manual: The Set Builtin (-e)', url: 'https://www.gnu.org/software/bash/manual/html_node/The-Set-Builtin.html' },
        { title: 'Docker: entrypoint script example (set -e ... exec "$@")', url: 'https://docs.docker.com/reference/dockerfile/#entrypoint' },
      ],
      fixSafety: 'The fix inserts `set -e` after the shebang line. It is marked safe when every other command the script certainly runs at its own level is a setup step or the server, so the only change is that a failing setup step now stops the container; when the script runs other commands (whose failure it may have tolerated until now), the same fix is marked unsafe.',
      example: {
        bad: {
          'compose.yaml': 'services:\n  api:\n    build: .\n    ports: ["8000:8000"]\n',
          Dockerfile: 'FROM python:3.12-slim\nWORKDIR /app\nRUN pip install alembic gunicorn\nCOPY . .\nCOPY --chmod=755 docker/entrypoint.sh /entrypoint.sh\nENTRYPOINT ["/entrypoint.sh"]\n',
          'docker/entrypoint.sh': '#!/bin/sh\nalembic upgrade head\nexec gunicorn app.main:app -b 0.0.0.0:8000\n',
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
      const found = new Map<string, { services: string[]; setups: StartStep[]; kinds: string[]; server: StartStep; serverName: string; script: StartScript; safe: boolean }>();
      for (const svc of env.services) {
        const plan = svc.start;
        if (!svc.enabled || !plan) continue;
        for (const level of scriptLevels(plan)) {
          const script = level.script;
          if (script.errexit || script.invocation === 'sourced' || script.hasErrors) continue;
          const servers = serverSteps(plan, level);
          if (!servers.length) continue;
          const unchecked: { i: number; kind: string; server: number; serverKind: string }[] = [];
          for (const i of level.steps) {
            const s = plan.steps[i]!;
            const kind = setupKind(plan, i);
            if (!kind || !certainlyRuns(s) || s.background || s.inLoop) continue;
            const srv = servers.find((x) => x.levelStep > i && certainlyRuns(plan.steps[x.levelStep]!));
            if (!srv) continue;
            const between = level.steps.filter((j) => j > i && j < srv.levelStep).map((j) => plan.steps[j]!);
            if (guarded(model, s, between, plan.steps[srv.levelStep]!) !== false) continue;
            unchecked.push({ i, kind, server: srv.levelStep, serverKind: srv.server.kind });
          }
          if (!unchecked.length) continue;
          const first = unchecked[0]!;
          const key = `${script.repoPath}@${formatLocation(commandLocation(plan.steps[first.i]!))}`;
          const entry = found.get(key);
          if (entry) {
            if (!entry.services.includes(svc.name)) entry.services.push(svc.name);
            continue;
          }
          // safe when the script's own unconditional commands are only setup steps and the server
          const others = level.steps.filter((j) => {
            const t = plan.steps[j]!;
            return certainlyRuns(t) && !t.inLoop && !t.background && !setupKind(plan, j) && !servers.some((x) => x.levelStep === j);
          });
          found.set(key, {
            services: [svc.name],
            setups: unchecked.map((u) => plan.steps[u.i]!),
            kinds: unchecked.map((u) => u.kind),
            server: plan.steps[first.server]!,
            serverName: first.serverKind,
            script,
            safe: others.length === 0,
          });
        }
      }
      for (const f of found.values()) {
        const migrates = f.kinds.includes('migration');
        const steps = f.setups.map((x) => `\`${x.argv.join(' ')}\``).join(' and ');
        const outcome = migrates
          ? `${f.serverName} serves on a database that was not brought up to date`
          : `${f.serverName} starts without what ${f.setups.length === 1 ? 'that step' : 'those steps'} should have prepared`;
        const fix = errexitFix(model, f.script, f.safe);
        report({
          message: `${f.script.repoPath} runs ${steps} and then starts ${f.serverName} (${formatLocation(commandLocation(f.server))}) without set -e, and they are not chained with &&: when ${f.setups.length === 1 ? 'it fails' : 'one fails'} the script carries on, and ${outcome} (${f.services.length === 1 ? 'service' : 'services'} ${f.services.join(', ')}).`,
          location: commandLocation(f.setups[0]!),
          environment: env.name,
          service: f.services[0]!,
          severity: envSeverity(env, 'high'),
          related: [
            ...f.setups.slice(1).map((x) => ({ location: commandLocation(x), message: `\`${x.argv.join(' ')}\` is not checked either` })),
            { location: commandLocation(f.server), message: `${posix.basename(f.server.argv[0] ?? f.serverName)} starts here whatever the steps before it returned` },
          ],
          key: `${f.script.repoPath}:${f.setups[0]!.argv.join(' ')}`,
          ...(fix ? { fix } : {}),
          verify: [`sh -n ${f.script.repoPath} && grep -n 'set -e' ${f.script.repoPath}`],
        });
      }
    }
  },
});
