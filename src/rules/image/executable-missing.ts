import { posix } from 'node:path';
import type { RelatedLocation } from '../../core/finding.js';
import type { Location } from '../../core/location.js';
import type { ImageModel, ProjectModel, ServiceModel, StartPlan, StartStep } from '../../model/types.js';
import { defineRule, type FindingInput } from '../define-rule.js';
import { argvRunsDirectly, maybeGeneratedBeforeBuild, missingWhy, mountedOver, pathProgramMissing, SHELL_BUILTINS, serviceProgram, knownImageServices, addServiceToSeen } from './_exec.js';

/** Wrappers that run the program with a PATH of their own (a virtualenv, node_modules/.bin, `env PATH=…`). */
const PATH_WRAPPERS = new Set(['env', 'npx', 'uv run', 'poetry run', 'pipenv run', 'yarn exec', 'pnpm exec']);
/** Wrappers the start plan peels whose own program must exist; checked when written as a bare name. */
const CHECKED_WRAPPERS = new Set(['tini', 'gosu', 'su-exec', 'dumb-init']);

interface Check {
  name: string;
  loc: Location;
  step?: StartStep;
  /** the container's own argv[0] (a wrapper such as tini) */
  top: boolean;
  path?: string;
}

export default defineRule({
  meta: {
    id: 'image/executable-missing',
    severity: 'critical',
    title: 'The start command runs a program that is not on PATH in the image',
    fixable: 'none',
    status: 'stable',
    docs: {
      summary: 'The start command (Dockerfile `ENTRYPOINT`/`CMD`, a compose `command`, or a line of the entrypoint script) runs a program the image does not have on PATH: `gunicorn` that no requirements file installs, `celery` installed with `pip install --target` (console scripts left off PATH), `curl` or `gosu` on a slim image, `pg_isready` in a wait loop on an image without the postgres client.',
      why: 'Docker looks a bare program name up in the container\'s PATH (the image\'s `ENV PATH`). A missing program at the top of the start command fails container creation: `exec: "gunicorn": executable file not found in $PATH`. In an entrypoint script the shell prints `gunicorn: not found` and exits with 127 (with `set -e`, or when it is the last command, the container stops); a wait loop such as `until pg_isready; do sleep 1; done` never ends. Console scripts land in `<prefix>/bin` of the installation: `pip install --target DIR` puts them in `DIR/bin`, `--user` in `~/.local/bin`, a virtualenv in `<venv>/bin`, so they are not on PATH unless the Dockerfile adds that directory. Commands that run only under a condition drydock cannot show to hold, commands after a PATH change in the script, and programs a compose mount may provide are not reported. Paths written in ENTRYPOINT/CMD themselves are image/entrypoint-missing.',
      fix: 'Install the program in the image (add it to the requirements the image installs, or `apt-get install` it), put the directory that holds it on PATH (`ENV PATH=/opt/venv/bin:$PATH`), or run it through the interpreter (`python -m gunicorn`, `python -m celery`).',
      verify: 'docker compose -f <files> run --rm --entrypoint sh <service> -c "command -v <program>"   # prints its path',
      references: [
        { title: 'Dockerfile reference: ENTRYPOINT/CMD exec form (no shell; PATH lookup by the runtime)', url: 'https://docs.docker.com/reference/dockerfile/#cmd' },
        { title: 'Python sysconfig installation schemes (where console scripts go)', url: 'https://docs.python.org/3/library/sysconfig.html#installation-paths' },
        { title: 'pip install --target: the data directory with bin/ is moved into the target', url: 'https://github.com/pypa/pip/blob/main/src/pip/_internal/commands/install.py' },
        { title: 'Python command line: python -m runs an importable module', url: 'https://docs.python.org/3/using/cmdline.html#cmdoption-m' },
        { title: 'POSIX shell: command search and execution (exit status 127 when not found)', url: 'https://pubs.opengroup.org/onlinepubs/9799919799/utilities/V3_chap02.html#tag_19_09_01_01' },
      ],
      example: {
        bad: {
          'compose.yaml': 'services:\n  worker:\n    build: .\n',
          Dockerfile: 'FROM python:3.12-slim AS build\nRUN pip install --target=/deps celery\nFROM python:3.12-slim\nWORKDIR /app\nCOPY --from=build /deps /usr/local/lib/python3.12/site-packages\nCOPY app ./app\nCMD ["celery", "-A", "app.tasks", "worker"]\n',
          'app/tasks.py': 'from celery import Celery\n\napp = Celery("tasks")\n',
        },
        good: {
          'compose.yaml': 'services:\n  worker:\n    build: .\n',
          Dockerfile: 'FROM python:3.12-slim AS build\nRUN pip install --target=/deps celery\nFROM python:3.12-slim\nWORKDIR /app\nCOPY --from=build /deps /usr/local/lib/python3.12/site-packages\nCOPY app ./app\nCMD ["python", "-m", "celery", "-A", "app.tasks", "worker"]\n',
          'app/tasks.py': 'from celery import Celery\n\napp = Celery("tasks")\n',
        },
      },
    },
  },
  check({ model, report }) {
    for (const env of model.environments) {
      const seen = new Map<string, FindingInput>();
      for (const { svc, plan, stage, image } of knownImageServices(env.services)) {
        const pathChanged = startPathChangesPath(model, plan);
        for (const c of checks(model, plan, image)) {
          if (c.step && c.step.depth > 0 && pathChanged && !c.path) continue;
          let missing: boolean;
          if (c.path) {
            missing = !mountedOver(svc, c.path) && pathProgramMissing(image, c.path) && !maybeGeneratedBeforeBuild(model, svc.runtime.dockerfile?.stages ?? [], stage, svc.build?.context, c.path);
          } else {
            missing = serviceProgram(svc, image, c.name, plan.cwd) === 'missing' && !inNodeModulesBin(image, c.step);
          }
          if (!missing) continue;
          const key = `${c.loc.file}:${c.loc.startLine ?? 0}:${c.path ?? c.name}`;
          if (addServiceToSeen(seen, key, svc.name)) continue;
          const f = finding(svc, image, c);
          f.environment = env.name;
          const files = env.composeFiles.map((x) => `-f ${x}`).join(' ');
          f.verify = [c.path ? `docker compose ${files} run --rm --entrypoint sh ${svc.name} -c "ls -l ${c.path}"` : `docker compose ${files} run --rm --entrypoint sh ${svc.name} -c "command -v ${c.name}"`];
          seen.set(key, f);
        }
      }
      for (const f of seen.values()) report(f);
    }
  },
});

/** The programs the start path runs that this rule checks. */
function checks(model: ProjectModel, plan: StartPlan, image: ImageModel): Check[] {
  const out: Check[] = [];
  const direct = argvRunsDirectly(plan, image);
  const first = plan.entrypoint ?? plan.cmd;
  const argv0 = plan.argv[0];
  const step0 = plan.steps[0];
  // `ENTRYPOINT ["tini", "--", …]`: the wrapper itself is what Docker executes
  if (direct && first && argv0 && !argv0.includes('/') && !/[$`]/.test(argv0) && step0 && step0.depth === 0 && step0.argv[0] !== argv0) {
    out.push({ name: argv0, loc: first.loc, top: true });
  }
  for (const s of plan.steps) {
    if (s.depth === 0 && !direct) continue;
    if (s.conditional && s.conditionHolds !== true) continue;
    const prog = s.argv[0];
    if (!prog || /[$`\s]/.test(prog) || SHELL_BUILTINS.has(prog)) continue;
    if (prog.includes('/')) {
      // paths written in ENTRYPOINT/CMD/compose are image/entrypoint-missing; paths in scripts are checked here
      if (s.origin !== 'script') continue;
      out.push({ name: prog, loc: s.loc, step: s, top: false, path: posix.resolve(s.cwd, prog) });
      continue;
    }
    if (s.wrappers.some((w) => PATH_WRAPPERS.has(w))) continue;
    out.push({ name: prog, loc: s.loc, step: s, top: false });
    // script-level wrappers written as bare names on the line (`exec gosu app "$@"`)
    if (s.depth > 0 && s.origin === 'script') {
      const line = s.loc.startLine !== undefined ? model.sources.get(s.loc.file)?.line(s.loc.startLine) : undefined;
      for (const w of s.wrappers) {
        if (!CHECKED_WRAPPERS.has(w) || line === undefined) continue;
        if (!new RegExp(`(^|[\\s;&|(])${w.replace(/-/g, '\\-')}(\\s|$)`).test(line)) continue;
        out.push({ name: w, loc: s.loc, step: s, top: false });
      }
    }
  }
  return out;
}

/** Package scripts (`npm start`) run with node_modules/.bin of the package and its parents on PATH. */
function inNodeModulesBin(image: ImageModel, step: StartStep | undefined): boolean {
  if (!step?.scriptPath?.endsWith('package.json')) return false;
  for (let dir = posix.dirname(step.scriptPath); ; dir = posix.dirname(dir)) {
    if (image.finalPath(posix.join(dir, 'node_modules/.bin', step.argv[0]!)).exists !== false) return true;
    if (dir === '/') return false;
  }
}

/** A script or shell string on the start path may change PATH (`export PATH=…`, sourcing an activate script). */
function startPathChangesPath(model: ProjectModel, plan: StartPlan): boolean {
  const changes = (text: string): boolean => /(^|[\s;&|(])(export\s+|readonly\s+|declare\s+(-x\s+)?)?PATH\+?=/m.test(text) || /\bactivate\b/.test(text) || /(^|[\s;&|])(\.|source)\s/m.test(text);
  for (const p of [plan.entrypoint, plan.cmd]) if (p && p.form === 'shell' && changes(p.argv[p.argv.length - 1] ?? '')) return true;
  for (const p of [plan.entrypoint, plan.cmd]) if (p && p.argv.some((a) => /\s/.test(a) && changes(a))) return true;
  for (const s of plan.scripts) {
    const text = model.sources.get(s.repoPath)?.text;
    if (text === undefined || changes(text)) return true;
  }
  for (const s of plan.steps) {
    if (s.expands === 'package-script' || s.expands === 'shell-string') {
      if (s.argv.some((a) => changes(a))) return true;
    }
  }
  return false;
}

function finding(svc: ServiceModel, image: ImageModel, c: Check): FindingInput {
  const s = c.step;
  const related: RelatedLocation[] = [];
  if (s?.via) related.push({ location: s.via, message: 'the script runs it here' });
  let effect: string;
  if (c.top || (s && s.depth === 0)) effect = `the container fails to start with 'exec: "${c.name}": executable file not found in $PATH'`;
  else if (s?.inLoop) effect = `the wait loop never ends: every round fails with "${c.name}: not found"`;
  else if (s?.background) effect = `the background job fails with "${c.name}: not found" and never runs`;
  else if (s?.exec) effect = `\`exec\` fails there ("exec: ${c.name}: not found") and the container exits with status 127`;
  else effect = `the script fails there with "${c.name}: not found" (exit status 127)`;
  let why: string;
  let hint: string | undefined;
  if (c.path) {
    why = `${c.path} does not exist in the image`;
  } else {
    const w = missingWhy(image, posix.basename(c.name));
    why = w.text;
    hint = w.hint;
    related.push(...w.related);
  }
  const where = s?.origin === 'script' ? `${s.scriptPath ?? 'the start script'} runs` : s?.origin === 'compose-command' ? 'the compose `command` runs' : s?.origin === 'compose-entrypoint' ? 'the compose `entrypoint` runs' : s?.origin === 'dockerfile-entrypoint' || c.top ? 'the ENTRYPOINT runs' : 'the CMD runs';
  const cond = s?.conditional && s.conditions?.length ? ` (its condition ${s.conditions.join(' and ')} holds)` : '';
  return {
    message: `Service "${svc.name}": ${where} ${c.name}${cond}, but ${why}: ${effect}.${hint ? ` Fix: ${hint}.` : ''}`,
    location: c.loc,
    service: svc.name,
    related,
    key: `${svc.name}:${c.path ?? c.name}`,
  };
}
