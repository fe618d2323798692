/**
 * Questions the migration and lifecycle rules ask of a start plan, answered from the model only
 * (no I/O): does a step run in this environment, is a path in the container, does one service
 * wait for another, which steps a script runs at its own level, and what `/bin/sh` does with the
 * last command of a `-c` string in a given base image.
 */
import { posix } from 'node:path';
import type { Location } from '../../core/location.js';
import type { Severity } from '../../core/severity.js';
import { imagePathExistsFromCopies, type ImageFilesOptions } from '../image-files.js';
import type {
  Dependency, EnvironmentModel, ImageName, ServiceModel, StageModel, StartPlan, StartScript, StartStep,
} from '../types.js';

// ---------------------------------------------------------------------------------------------
// conditions

type Guarded = Pick<StartStep, 'conditional' | 'conditionHolds' | 'conditions'>;

/** The step certainly runs: it is not conditional, or its conditions hold with the service's environment. */
export function certainlyRuns(s: Guarded): boolean {
  return !s.conditional || s.conditionHolds === true;
}

/** The step may run: nothing shows its conditions are false. */
export function mayRun(s: Guarded): boolean {
  return s.conditionHolds !== false;
}

const DEV_WORD = /^(?:dev|develop|development|local|debug|test|testing)$/i;

/**
 * The step runs only when a variable equals a development value (`[ "$ENVIRONMENT" = "development" ]`,
 * `case $ENV in dev|local)`), as written in its (non-negated) guards. In a production environment
 * whose value is unknown (an env_file the repository does not hold), such a step is not counted as
 * applying there: the value would have to be set to a development one in production.
 */
export function devOnlyGuard(s: Guarded): boolean {
  if (!s.conditional || !s.conditions?.length) return false;
  return s.conditions.some((c) => {
    if (c.startsWith('!(')) return false;
    const eq = /(?:^|\s)(?:\[\[?|test)\s+("?)\$\{?[A-Za-z_][A-Za-z0-9_]*\}?\1\s*==?\s*(['"]?)([A-Za-z-]+)\2\s*\]?\]?\s*$/.exec(c);
    if (eq) return DEV_WORD.test(eq[3]!);
    const cs = /^case\s+\S+\s+in\s+(.+)\)$/.exec(c);
    if (cs) return cs[1]!.split('|').every((p) => DEV_WORD.test(p.replace(/^['"]|['"]$/g, '')));
    return false;
  });
}

// ---------------------------------------------------------------------------------------------
// files in the container

function filesOptions(svc: ServiceModel, tree: ImageFilesOptions['tree'], withIgnore = true): ImageFilesOptions {
  const o: ImageFilesOptions = {};
  if (tree) o.tree = tree;
  const stages = svc.runtime.dockerfile?.stages;
  if (stages) o.stages = stages;
  if (withIgnore && svc.build?.dockerignore) o.dockerignore = svc.build.dockerignore;
  return o;
}

/** The bind mount (from inside the repository) over imagePath: the repository path it shows there. */
export function boundRepoPath(svc: ServiceModel, imagePath: string): string | undefined {
  let best: { repo: string; depth: number } | undefined;
  for (const m of svc.mounts) {
    if (m.type !== 'bind' || m.hostPath === undefined || !m.target.startsWith('/')) continue;
    const host = m.hostPath;
    if (host.startsWith('/') || host.startsWith('~') || host === '..' || host.startsWith('../') || /^[A-Za-z]:/.test(host)) continue;
    const target = posix.normalize(m.target).replace(/\/$/, '') || '/';
    const prefix = target === '/' ? '/' : `${target}/`;
    const rel = imagePath === target ? '' : imagePath.startsWith(prefix) ? imagePath.slice(prefix.length) : undefined;
    if (rel === undefined) continue;
    const depth = target.split('/').length;
    if (!best || depth >= best.depth) best = { repo: rel ? (host ? `${host}/${rel}` : rel) : host, depth };
  }
  return best?.repo;
}

/**
 * Whether a path exists in the service's running container: a bind mount over it, else the image
 * filesystem model (COPY/ADD, RUN steps it could read, base-image facts), else the COPY/ADD steps.
 * undefined when nothing tells (an external image, a RUN step we cannot read).
 */
export function pathInContainer(svc: ServiceModel, imagePath: string, tree: { files: ReadonlySet<string>; dirs: ReadonlySet<string> }): boolean | undefined {
  const bound = boundRepoPath(svc, imagePath);
  if (bound !== undefined) return tree.files.has(bound) || tree.dirs.has(bound);
  const stage = svc.runtime.stage;
  if (!stage) return undefined;
  if (imagePathExistsFromCopies(stage, svc.build?.context, imagePath, filesOptions(svc, tree))) return true;
  if (stage.image) return stage.image.finalPath(imagePath).exists;
  return false;
}

/**
 * A COPY/ADD of the stage aims at imagePath even though it does not deliver it (the source is
 * missing, or `.dockerignore` leaves it out): that is the build's defect, not the working directory's.
 */
export function copyAimsAt(svc: ServiceModel, imagePath: string, tree: { files: ReadonlySet<string>; dirs: ReadonlySet<string> }): boolean {
  const stage = svc.runtime.stage;
  if (!stage) return false;
  if (imagePathExistsFromCopies(stage, svc.build?.context, imagePath, filesOptions(svc, tree, false))) return true;
  const stages = svc.runtime.dockerfile?.stages ?? [];
  for (let s: StageModel | undefined = stage, n = 0; s && n < 16; s = s.baseStage === undefined ? undefined : stages[s.baseStage], n++)
    for (const c of s.copies) {
      if (c.from !== undefined || c.heredoc) continue;
      const srcs = c.sources.map((x) => x.value).filter((v) => !/[*?[]/.test(v));
      const intoDir = c.dest.endsWith('/') || c.sources.length > 1;
      for (const src of srcs) {
        const landed = intoDir ? posix.join(c.dest, posix.basename(src)) : c.dest.replace(/\/+$/, '');
        if (landed === imagePath) return true;
      }
    }
  return false;
}

// ---------------------------------------------------------------------------------------------
// depends_on

/**
 * `from` starts only after `to` reached one of `conditions`: a `depends_on` path from `from` to
 * `to` whose last edge has one of those conditions. Compose starts a service only when all its
 * dependencies meet their conditions, so the conditions of the earlier edges do not matter.
 */
export function waitsFor(env: EnvironmentModel, from: string, to: string, conditions: ReadonlySet<Dependency['condition']>): boolean {
  const byName = new Map(env.services.map((s) => [s.name, s]));
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length) {
    const cur = stack.pop()!;
    if (seen.has(cur)) continue;
    seen.add(cur);
    for (const d of byName.get(cur)?.dependsOn ?? []) {
      if (d.service === to) {
        if (conditions.has(d.condition)) return true;
        continue;
      }
      stack.push(d.service);
    }
  }
  return false;
}

/** `a` depends on `b` (directly or through others), whatever the conditions. */
export function dependsOnTransitively(env: EnvironmentModel, a: string, b: string): boolean {
  return waitsFor(env, a, b, new Set(['service_started', 'service_healthy', 'service_completed_successfully']));
}

// ---------------------------------------------------------------------------------------------
// scripts

export interface ScriptLevel {
  script: StartScript;
  /** index of the step that runs the script */
  runner: number;
  /** indices of the steps the script runs itself (not inside what they run), in order */
  steps: number[];
}

/** For each script the plan runs (each time it runs it), the steps at the script's own level. */
export function scriptLevels(plan: StartPlan): ScriptLevel[] {
  const out: ScriptLevel[] = [];
  plan.steps.forEach((s, i) => {
    if (s.expands !== 'script' || s.runsScript === undefined) return;
    const script = plan.scripts.find((x) => x.path === s.runsScript && sameStart(x.loc, s.loc)) ?? plan.scripts.find((x) => x.path === s.runsScript);
    if (!script) return;
    const steps: number[] = [];
    for (let j = i + 1; j < plan.steps.length; j++) {
      const t = plan.steps[j]!;
      if (t.depth <= s.depth) break;
      if (t.depth === s.depth + 1 && t.scriptPath === s.runsScript) steps.push(j);
    }
    out.push({ script, runner: i, steps });
  });
  return out;
}

/** Where the step's command is written in its script: the script line (for words that came from the CMD through `"$@"`, the line that ran them). */
export function commandLocation(step: StartStep): Location {
  return step.origin === 'script' ? step.loc : (step.via ?? step.loc);
}

function sameStart(a: Location, b: Location): boolean {
  return a.file === b.file && a.startLine === b.startLine && a.startColumn === b.startColumn;
}

// ---------------------------------------------------------------------------------------------
// /bin/sh -c and the last command

/**
 * What a shell does with the last simple command of a `-c` string:
 * - `exec`: it replaces itself with the command (no shell stays behind);
 * - `fork`: it runs the command as a child and waits, so the shell stays PID 1;
 * - `unknown`: depends on a version we cannot see.
 */
export type LastCommandExec = 'exec' | 'fork' | 'unknown';

export interface ShellFacts {
  /** the shell `/bin/sh` is (or the SHELL instruction names) */
  shell: 'dash' | 'busybox-ash' | 'bash' | 'unknown';
  /** a `-c` string that is one simple command (no list, pipeline, redirection or trap) */
  single: LastCommandExec;
  /** the last command of a `a && b` / `a; b` list */
  lastOfList: LastCommandExec;
  source: string;
}

/**
 * Checked facts (see the rule docs of lifecycle/shell-form-start):
 * - Debian's dash: `dash -c 'cmd'` forks and waits even for a single command. Upstream
 *   dash added the `-c` exec optimisation in 2011 (ChangeLog 2011-07-07, "Optimize dash -c "command" to avoid a
 *   fork"), but Debian's package disables it (`evalstring(minusc, 0)`, "fixes SIGPIPE failures",
 *   carried by pkgsrc as "From Debian"). Verified on Debian bookworm dash 0.5.12-2 with strace:
 *   `dash -c 'sleep 1'` vforks and waits. Ubuntu builds dash from Debian's packaging; not checked
 *   there, so it is left unknown.
 * - busybox ash (Alpine): ported the dash optimisation in busybox 1.28 (commit "ash: [SHELL]
 *   Optimize dash -c "command" to avoid a fork", 2017), shipped from Alpine 3.8; ash calls
 *   `evalstring(minusc, EV_EXIT)`, so the last simple command is exec-ed (docker/docs#23124 shows
 *   `ENTRYPOINT watch -n 1 date` on alpine running as PID 1).
 * - bash: `bash -c 'cmd'` execs a single simple command without redirections (long-standing
 *   "one-shot" optimisation); the last command of a list is exec-ed by newer bash (verified on
 *   bash 5.2.15; older releases forked it, per published strace output). The bash version in an image is not modelled.
 */
export function shellFacts(shellPath: string, stage: StageModel | undefined, stages: readonly StageModel[] | undefined): ShellFacts {
  const name = posix.basename(shellPath);
  if (name === 'bash') return { shell: 'bash', single: 'exec', lastOfList: 'unknown', source: 'bash one-shot -c optimisation; lists only in newer bash' };
  if (name === 'dash') return { shell: 'dash', single: 'unknown', lastOfList: 'unknown', source: 'dash: depends on the distribution build' };
  if (name !== 'sh' || !stage) return { shell: 'unknown', single: 'unknown', lastOfList: 'unknown', source: 'unknown shell' };
  const base = stage.image?.base;
  const os = base?.os;
  if (os === 'debian') return { shell: 'dash', single: 'fork', lastOfList: 'fork', source: 'Debian dash disables the -c exec optimisation' };
  // Ubuntu builds dash from Debian's packaging, but that was not checked on an Ubuntu image
  if (os === 'ubuntu') return { shell: 'dash', single: 'unknown', lastOfList: 'unknown', source: 'Ubuntu dash (Debian packaging, not verified)' };
  if (os === 'alpine') {
    const ext = externalBase(stage, stages);
    const m = ext ? /alpine(\d+)\.(\d+)/.exec(ext.tag ?? '') ?? (/^alpine$/i.test(ext.repository.split('/').pop() ?? '') ? /^(\d+)\.(\d+)/.exec(ext.tag ?? '') : null) : null;
    if (m && (Number(m[1]) < 3 || (Number(m[1]) === 3 && Number(m[2]) < 8)))
      return { shell: 'busybox-ash', single: 'unknown', lastOfList: 'unknown', source: 'busybox before 1.28' };
    return { shell: 'busybox-ash', single: 'exec', lastOfList: 'unknown', source: 'busybox ash >= 1.28 execs the last command of -c' };
  }
  return { shell: 'unknown', single: 'unknown', lastOfList: 'unknown', source: 'base image not known' };
}

/** The external image at the root of a stage's FROM chain. */
export function externalBase(stage: StageModel, stages: readonly StageModel[] | undefined): ImageName | undefined {
  let s: StageModel | undefined = stage;
  for (let n = 0; s && n < 32; n++) {
    if (s.baseStage === undefined) return s.base;
    s = stages?.[s.baseStage];
  }
  return undefined;
}

/**
 * A `-c` string that is a single simple command: no `;`, `&`, `|`, newline, redirection,
 * substitution or compound command outside quotes. Conservative: anything unusual is "not single".
 */
export function isSingleSimpleCommand(text: string): boolean {
  const t = text.trim();
  if (!t || /^(?:if|for|while|until|case|trap|\{|\()\b/.test(t)) return false;
  let q: '"' | "'" | undefined;
  for (let i = 0; i < t.length; i++) {
    const c = t[i]!;
    if (q === "'") {
      if (c === "'") q = undefined;
      continue;
    }
    if (c === '\\') {
      i++;
      continue;
    }
    if (q === '"') {
      if (c === '"') q = undefined;
      else if (c === '`' || (c === '$' && t[i + 1] === '(')) return false;
      continue;
    }
    if (c === '"' || c === "'") q = c;
    else if (/[;&|<>\n`(){}]/.test(c)) return false;
    else if (c === '$' && t[i + 1] === '(') return false;
  }
  return q === undefined;
}

// ---------------------------------------------------------------------------------------------
// compose

/** The service's key in the last compose file of the environment that defines it (where an overlay edit goes). */
export function lastDefinition(env: EnvironmentModel, svc: ServiceModel): Location {
  const ranked = [...svc.definedIn].sort((a, b) => env.composeFiles.indexOf(a.file) - env.composeFiles.indexOf(b.file));
  return ranked[ranked.length - 1] ?? svc.loc;
}

/** Environment-level severity: the rule's own in production, `low` elsewhere (a local stack is restarted by hand). */
export function envSeverity(env: EnvironmentModel, production: Severity): Severity {
  return env.production ? production : 'low';
}
