/**
 * What a service's start path writes, as which user, and which container paths a mount (not
 * the image) decides: queries over the model shared by the permissions rules. Every answer is
 * `undefined` when a fact is unknown, so rules can stay silent.
 */
import { posix } from 'node:path';
import type { Location } from '../../core/location.js';
import { mapGet } from '../../parse/compose/yaml-tree.js';
import type {
  EnvironmentModel, ImageModel, ImagePathInfo, ProjectModel, ServerFact, ServiceModel, StageModel, StartPlan, StartStep,
} from '../types.js';
import { invocationOf } from './invocation.js';

export const composeFlags = (env: EnvironmentModel): string => env.composeFiles.map((f) => `-f ${f}`).join(' ');

export function norm(p: string): string {
  const n = posix.normalize(p.startsWith('/') ? p : `/${p}`);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

export function isUnder(path: string, dir: string): boolean {
  return dir === '/' ? true : path === dir || path.startsWith(dir + '/');
}

export const where = (l: Location): string => (l.startLine === undefined ? l.file : `${l.file}:${l.startLine}`);

export const octal = (mode: number): string => (mode & 0o7777).toString(8).padStart(3, '0');

/** `/var/run` is a symlink to `/run` in Debian and Alpine images (base-files, alpine-baselayout): a mount on either lands on `/run`. */
function canonical(p: string): string {
  const n = norm(p);
  return isUnder(n, '/var/run') ? norm(`/run${n.slice('/var/run'.length)}`) : n;
}

// ---------------------------------------------------------------------------------------------
// users

export interface RunAs {
  /** the spec as written (`app`, `1000`, `1000:1000`) */
  spec: string;
  /** true for root, false for another account, undefined when unknown */
  root: boolean | undefined;
  name?: string;
  uid?: number;
  gid?: number;
  /** what writableBy() should be asked with: the name when the image knows it, else the uid */
  ref?: string;
  /** `blog (uid 1000)` */
  label: string;
}

/**
 * The account a step runs as: the step's user (compose `user`, the Dockerfile USER, gosu/su-exec),
 * else the image's default (the final USER, or the base image's default user). Undefined when
 * it cannot be told (a USER through an unknown variable, an account the image may not have).
 */
export function runAs(spec: string | undefined, image: ImageModel | undefined): RunAs | undefined {
  if (spec === undefined) {
    if (!image) return undefined;
    const u = image.finalUser;
    if (!u.query) return undefined;
    spec = u.query;
  }
  const s = spec.trim();
  if (!s || /[$`\u0000]/.test(s)) return undefined;
  const [userPart = '', groupPart] = s.split(':');
  const numeric = /^\d+$/.test(userPart);
  if (userPart === 'root' || (numeric && Number(userPart) === 0)) return { spec: s, root: true, name: 'root', uid: 0, gid: 0, ref: 'root', label: 'root' };
  const out: RunAs = { spec: s, root: undefined, label: userPart };
  if (numeric) out.uid = Number(userPart);
  else out.name = userPart;
  const acc = image?.user(userPart);
  if (acc) {
    if (acc.exists === false && !numeric) return undefined; // Docker refuses to start: another defect
    if (acc.name !== undefined) out.name = acc.name;
    if (acc.uid !== undefined && out.uid === undefined) out.uid = acc.uid;
    if (acc.gid !== undefined) out.gid = acc.gid;
  }
  if (groupPart !== undefined) {
    if (/^\d+$/.test(groupPart)) out.gid = Number(groupPart);
    else delete out.gid; // a group name we cannot map
  }
  if (out.uid === 0) return { ...out, root: true, ref: 'root', label: 'root' };
  // a name alone is not root only when the image resolves it to a non-zero uid, or created it
  // itself (useradd/adduser never pick uid 0 unless told to, and then the uid is known)
  if (out.uid !== undefined || (acc?.exists === true && acc.createdBy !== undefined)) out.root = false;
  out.ref = out.name !== undefined && acc?.exists === true ? out.name : out.uid !== undefined ? String(out.uid) : undefined;
  if (out.ref === undefined) out.root = undefined;
  out.label = out.name !== undefined && out.uid !== undefined ? `${out.name} (uid ${out.uid})` : out.name ?? `uid ${out.uid}`;
  return out;
}

/** A step's effects count when it certainly runs: not behind a condition we cannot decide, not in a wait loop. */
export const certain = (s: StartStep): boolean => !s.inLoop && (!s.conditional || s.conditionHolds === true);

/**
 * The process that writes into the service's mounts at runtime: the server the start path
 * launches, else the program the container ends in. Steps before a privilege drop run as root.
 */
export function mainStep(plan: StartPlan): StartStep | undefined {
  const server = plan.servers.find((f) => certain(plan.steps[f.step]!));
  if (server) return plan.steps[server.step];
  const tops = plan.steps.filter((s) => !s.expands && certain(s) && s.exec);
  return tops[tops.length - 1];
}

/** A root step on the start path that changes owner or mode at or above `target` (an entrypoint's `chown -R app /data`). */
export function runtimeChown(plan: StartPlan, image: ImageModel | undefined, target: string): StartStep | undefined {
  for (const s of plan.steps) {
    if (s.name !== 'chown' && s.name !== 'chmod' && s.name !== 'setfacl') continue;
    if (runAs(s.user, image)?.root === false) continue;
    if (s.name === 'setfacl') return s;
    // chown OWNER PATH..., chmod MODE PATH...: the first operand is not a path
    const ops = s.argv.slice(1).filter((a) => !a.startsWith('-')).slice(1);
    if (ops.some((o) => /[$`*?]/.test(o))) return s; // cannot tell what it covers
    for (const o of ops) {
      const p = norm(posix.resolve(s.cwd, o));
      if (isUnder(target, p) || isUnder(p, target)) return s;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// mounts

export interface MountPoint {
  target: string;
  kind: 'volume' | 'bind' | 'tmpfs' | 'image-volume' | 'runtime' | 'other';
  writable: boolean;
  /** the compose entry that mounts it (absent for VOLUME and /dev/shm) */
  loc?: Location;
}

/**
 * Base images known to declare no VOLUME (their Dockerfiles were read: docker-library/python,
 * nodejs/docker-node, nginxinc/docker-nginx, debian/ubuntu/alpine rootfs images, distroless).
 * Datastore images (postgres, redis) declare one; any other base is unknown.
 */
const NO_VOLUME_BASES = new Set([
  'debian', 'debian-slim', 'ubuntu', 'alpine', 'python', 'python-slim', 'python-alpine', 'node', 'node-slim', 'node-alpine',
  'nginx', 'nginx-alpine', 'nginx-alpine-slim', 'buildpack-deps', 'distroless', 'distroless-python3', 'distroless-nodejs', 'distroless-debug', 'scratch',
]);

/** VOLUME paths of the stage and the stages it builds FROM; undefined when one cannot be read or the base image may declare more. */
export function imageVolumes(svc: ServiceModel): string[] | undefined {
  const df = svc.runtime.dockerfile;
  let stage: StageModel | undefined = svc.runtime.stage;
  if (!df || !stage?.image) return undefined;
  const base = stage.image.base;
  if (stage.image.unknownBase || !base || !NO_VOLUME_BASES.has(base.id)) return undefined;
  const out: string[] = [];
  const seen = new Set<number>();
  while (stage && !seen.has(stage.index)) {
    seen.add(stage.index);
    for (const ins of stage.instructions) {
      if (ins.keyword !== 'VOLUME') continue;
      const words = ins.exec ?? ins.args.map((a) => a.value);
      for (const w of words) {
        if (/[$`]/.test(w)) return undefined;
        out.push(norm(w.replace(/^["']|["']$/g, '')));
      }
    }
    stage = stage.baseStage !== undefined ? df.stages[stage.baseStage] : undefined;
  }
  return out;
}

/** Options of a short-syntax tmpfs entry `/path:mode=755,uid=1000`. */
export function tmpfsEntry(value: string): { target: string; options: Map<string, string> } {
  const i = value.indexOf(':');
  const target = norm(i < 0 ? value.trim() : value.slice(0, i).trim());
  const options = new Map<string, string>();
  if (i >= 0)
    for (const o of value.slice(i + 1).split(',')) {
      const eq = o.indexOf('=');
      options.set((eq < 0 ? o : o.slice(0, eq)).trim(), eq < 0 ? '' : o.slice(eq + 1).trim());
    }
  return { target, options };
}

/**
 * Everything mounted over the image in the service's containers. Undefined when a mount we
 * cannot place exists (`volumes_from`, a VOLUME of an unknown base image, a target written with
 * a variable).
 */
export function mountPoints(svc: ServiceModel): MountPoint[] | undefined {
  if (mapGet(svc.node, 'volumes_from')) return undefined;
  const vols = imageVolumes(svc);
  if (!vols) return undefined;
  // Docker's own: /dev (tmpfs with the devices: /dev/stdout, /dev/null), /dev/shm (a 1777 tmpfs), /proc, /sys
  const out: MountPoint[] = [
    { target: '/dev', kind: 'runtime', writable: true },
    { target: '/dev/shm', kind: 'runtime', writable: true },
    { target: '/proc', kind: 'runtime', writable: true },
    { target: '/sys', kind: 'runtime', writable: true },
  ];
  for (const v of vols) out.push({ target: v, kind: 'image-volume', writable: true });
  for (const m of svc.mounts) {
    if (!m.target || /[$`]/.test(m.target) || !m.target.startsWith('/')) return undefined;
    const kind = m.type === 'volume' ? 'volume' : m.type === 'bind' ? 'bind' : m.type === 'tmpfs' ? 'tmpfs' : 'other';
    out.push({ target: canonical(m.target), kind, writable: m.type === 'image' ? false : !m.readOnly, loc: m.loc });
  }
  for (const t of svc.tmpfs) {
    const e = tmpfsEntry(t.value);
    if (/[$`]/.test(e.target)) return undefined;
    out.push({ target: canonical(e.target), kind: 'tmpfs', writable: !e.options.has('ro'), loc: t.loc });
  }
  return out.map((m) => ({ ...m, target: canonical(m.target) }));
}

/** The mount that decides `path` (the deepest one containing it), if any. */
export function mountFor(path: string, mounts: readonly MountPoint[]): MountPoint | undefined {
  const p = canonical(path);
  let best: MountPoint | undefined;
  for (const m of mounts) if (isUnder(p, m.target) && (!best || m.target.length > best.target.length)) best = m;
  return best;
}

/** A mount point below `path` exists at runtime even when the image lacks it (Docker creates mount points). */
export const mountBelow = (path: string, mounts: readonly MountPoint[]): boolean => mounts.some((m) => isUnder(m.target, canonical(path)) && m.kind !== 'runtime');

/** The path or one of its parents is a symlink in the image: the write lands somewhere else (`/var/log/app.log -> /dev/stdout`). */
export function throughSymlink(image: ImageModel, path: string): boolean {
  for (let p = norm(path); ; p = posix.dirname(p)) {
    if (image.finalPath(p).kind === 'symlink') return true;
    if (p === '/') return false;
  }
}

// ---------------------------------------------------------------------------------------------
// what the start path writes

export interface StartWrite {
  kind: 'heartbeat' | 'log' | 'pid' | 'schedule' | 'statedb' | 'mkdir' | 'touch' | 'sqlite' | 'nginx-pid' | 'collectstatic';
  /** the path the write needs: a directory it creates entries in, or the file it opens */
  path: string;
  /** `dir`: the process creates files (or a directory) there; `file`: it opens this file, creating it when missing */
  need: 'dir' | 'file' | 'create';
  /** tempfile's search: the write fails only when no candidate is writable */
  candidates?: string[];
  /** who writes, for messages: `gunicorn`, `` `mkdir -p logs` in docker/entrypoint.sh `` */
  actor: string;
  /** what it writes: `its worker heartbeat file`, `the directory /app/logs` */
  object: string;
  /** what the user sees when it fails; the rule puts the error text at `%E`, else at the end */
  symptom: string;
  /** the symptom already names the error (tempfile's own message) */
  ownError?: boolean;
  /** how to point the writer somewhere writable, when there is a better way than a mount */
  remedy?: string;
  step: StartStep;
  /** where the writer is on the start path */
  loc: Location;
  /** the failure stops the container (false: a script goes on after it) */
  fatal: boolean;
}

const opt = (args: string[], long: string[], short: string[] = []): { value?: string; present: boolean } => {
  let value: string | undefined;
  let present = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') break;
    for (const l of long) {
      if (a === l) {
        value = args[i + 1];
        present = true;
      } else if (a.startsWith(`${l}=`)) {
        value = a.slice(l.length + 1);
        present = true;
      }
    }
    for (const s of short) {
      if (a === s) {
        value = args[i + 1];
        present = true;
      } else if (a.startsWith(s) && !a.startsWith('--') && a.length > s.length) {
        value = a.slice(s.length).replace(/^=/, '');
        present = true;
      }
    }
  }
  return value === undefined ? { present } : { value, present };
};

/** A word we can use as a path: no expansion left in it. */
const literal = (w: string | undefined): w is string => w !== undefined && w !== '' && !/[$`*?[\]{}~]/.test(w);

/** Text of a repository file the model read, when it did. */
const textOf = (model: ProjectModel, repoPath: string | undefined): string | undefined => (repoPath === undefined ? undefined : model.sources.get(repoPath)?.text);

export interface WriteContext {
  model: ProjectModel;
  env: EnvironmentModel;
  svc: ServiceModel;
  plan: StartPlan;
  image: ImageModel;
  stage: StageModel;
}

/** A variable the service's processes see (compose environment over Dockerfile ENV): its value, null when unknown, undefined when unset. */
function envValue(c: WriteContext, name: string): string | null | undefined {
  const v = c.svc.env.get(name);
  // a missing env_file may set it
  if (!v && c.svc.envFiles.some((r) => !c.model.tree.files.has(r.path))) return null;
  if (v) return v.value === null || /\$/.test(v.value) ? null : v.value;
  const s = c.stage.env.get(name);
  if (s) return /\$/.test(s.value) ? null : s.value;
  return undefined;
}

/** The start scripts mention a name (an `export TMPDIR=...` we do not follow): its value is unknown. */
function scriptsMention(c: WriteContext, re: RegExp): boolean | undefined {
  for (const s of c.plan.scripts) {
    const t = textOf(c.model, s.repoPath);
    if (t === undefined) return undefined;
    if (re.test(t)) return true;
  }
  return false;
}

/** gunicorn's config file text, '' when there is none, undefined when it exists but we cannot read it. */
function gunicornConfig(c: WriteContext, f: ServerFact): string | undefined {
  if (!f.configFile) return '';
  if (f.configFile.startsWith('python:')) return undefined;
  if (f.configFileExists === false) return f.configFileExplicit ? undefined : '';
  if (f.configFileExists !== true) return undefined;
  const bind = c.svc.mounts.find((m) => m.type === 'bind' && m.hostPath && norm(m.target) === f.configFile);
  if (bind) return textOf(c.model, bind.hostPath);
  return textOf(c.model, c.image.finalPath(f.configFile).contextSource);
}

/** `name = "value"` at the top of a Python config file; null when the name is set some other way. */
function pyAssignment(text: string, name: string): string | null | undefined {
  if (/\bimport\s+\*|\bexec\s*\(|\b(?:locals|globals)\s*\(|\bsetattr\s*\(/.test(text)) return null;
  const re = new RegExp(`^${name}\\s*=\\s*(?:(["'])([^"'\\n]*)\\1)?\\s*(?:#.*)?$`, 'gm');
  const hits = [...text.matchAll(re)];
  if (!new RegExp(`\\b${name}\\b`).test(text)) return undefined;
  if (hits.length !== 1 || hits[0]![2] === undefined) return null;
  return hits[0]![2];
}

function gunicornWrites(c: WriteContext, f: ServerFact, step: StartStep, out: StartWrite[]): void {
  const inv = invocationOf(step);
  const cmdArgs = envValue(c, 'GUNICORN_CMD_ARGS');
  const scripted = scriptsMention(c, /GUNICORN_CMD_ARGS/);
  const envArgs = typeof cmdArgs === 'string' ? cmdArgs.split(/\s+/).filter(Boolean) : [];
  const envUnknown = cmdArgs === null || scripted !== false;
  const cwd = f.chdir ?? step.cwd;
  const at = (p: string): string => norm(posix.resolve(cwd, p));
  const config = gunicornConfig(c, f);
  // precedence: command line > GUNICORN_CMD_ARGS > config file (gunicorn/app/base.py load_config)
  const pick = (long: string[], short: string[], setting: string): string | null | undefined => {
    const cli = opt(inv.args, long, short);
    if (cli.present) return literal(cli.value) ? cli.value : null;
    if (envUnknown) return null;
    const e = opt(envArgs, long, short);
    if (e.present) return literal(e.value) ? e.value : null;
    if (config === undefined) return null;
    const v = pyAssignment(config, setting);
    return v === undefined ? undefined : v === null || !literal(v) ? null : v;
  };

  const tmp = pick(['--worker-tmp-dir'], [], 'worker_tmp_dir');
  if (typeof tmp === 'string') {
    out.push({
      kind: 'heartbeat', path: at(tmp), need: 'dir', actor: 'gunicorn', object: `its worker heartbeat files (--worker-tmp-dir ${tmp})`,
      symptom: 'the master cannot spawn workers and exits ("Unhandled exception in main loop")', remedy: 'use `--worker-tmp-dir /dev/shm` (always a writable tmpfs)', step, loc: step.loc, fatal: true,
    });
  } else if (tmp === undefined) {
    // tempfile.gettempdir(): $TMPDIR, $TEMP, $TMP, then /tmp, /var/tmp, /usr/tmp, then the working directory
    const candidates: string[] = [];
    for (const v of ['TMPDIR', 'TEMP', 'TMP']) {
      const val = envValue(c, v);
      if (val === null) return;
      if (val !== undefined && val !== '') candidates.push(at(val));
    }
    if (scriptsMention(c, /\b(?:TMPDIR|TEMP|TMP)\b/) !== false) return;
    candidates.push('/tmp', '/var/tmp', '/usr/tmp', cwd);
    out.push({
      kind: 'heartbeat', path: candidates[0]!, need: 'dir', candidates,
      actor: 'gunicorn', object: "its worker heartbeat files (no --worker-tmp-dir, so Python's tempfile looks for a writable temporary directory)",
      symptom: `the master exits with "FileNotFoundError: No usable temporary directory found in [${candidates.map((x) => `'${x}'`).join(', ')}]"`, ownError: true,
      remedy: 'mount a tmpfs on /tmp (`tmpfs: [/tmp]`) or start gunicorn with `--worker-tmp-dir /dev/shm`',
      step, loc: step.loc, fatal: true,
    });
  }
  for (const [long, short, setting, kind] of [
    ['--error-logfile', '--log-file'], ['--access-logfile'],
  ].map((l, i) => [l, [], i === 0 ? 'errorlog' : 'accesslog', 'log'] as const)) {
    const v = pick([...long], [...short], setting);
    if (typeof v !== 'string' || v === '-') continue;
    out.push({ kind, path: at(v), need: 'file', actor: 'gunicorn', object: `its ${setting === 'errorlog' ? 'error' : 'access'} log ${v}`, symptom: 'gunicorn cannot open the log file and exits at startup', remedy: 'log to stdout (`-`)', step, loc: step.loc, fatal: true });
  }
  const pid = pick(['--pid'], ['-p'], 'pidfile');
  if (typeof pid === 'string')
    out.push({ kind: 'pid', path: posix.dirname(at(pid)), need: 'dir', actor: 'gunicorn', object: `its pid file ${pid} (through a temporary file in the same directory)`, symptom: 'gunicorn cannot write the pid file and exits at startup', step, loc: step.loc, fatal: true });
}

const BEAT_CONFIG = /\b(?:beat_schedule_filename|BEAT_SCHEDULE_FILENAME|beat_scheduler|BEAT_SCHEDULER|CELERYBEAT_SCHEDULE_FILENAME|CELERYBEAT_SCHEDULER)\b/;
/** Distributions whose schedulers keep the schedule elsewhere (a database, Redis). */
const BEAT_SCHEDULER_DISTS = new Set(['django-celery-beat', 'celery-redbeat', 'celery-sqlalchemy-scheduler', 'rdbbeat', 'celerybeat-mongo', 'django-celery']);

/** The service's build context ('' = the root), when it is a local folder. */
const contextOf = (c: WriteContext): string | undefined => c.svc.build?.context;

/** Python sources the model read under the build context. */
function contextPython(c: WriteContext): string[] {
  const ctx = contextOf(c);
  if (ctx === undefined) return [];
  const prefix = ctx ? `${ctx}/` : '';
  return [...c.model.sources].filter(([p]) => p.endsWith('.py') && p.startsWith(prefix)).map(([, s]) => s.text);
}

/** Distributions the service's image declares, when the installs could all be read. */
function declaredDists(c: WriteContext): string[] | undefined {
  const b = c.model.deps?.builds.find((x) => x.environment === c.env.name && x.service === c.svc.name);
  return b?.pythonComplete ? b.declared.map((d) => d.key) : undefined;
}

/** The module files a dotted name may be (`a.b` → a/b.py, a/b/__init__.py; a package's `celery.py` for `-A proj`). */
function moduleFiles(c: WriteContext, dotted: string, celeryPkg: boolean): string[] | undefined {
  const ctx = contextOf(c);
  if (ctx === undefined || !/^[A-Za-z_][\w.]*$/.test(dotted)) return undefined;
  const base = dotted.replace(/\./g, '/');
  const cands = [`${base}.py`, `${base}/__init__.py`, ...(celeryPkg ? [`${base}/celery.py`] : [])].map((f) => (ctx ? `${ctx}/${f}` : f));
  return cands.filter((f) => c.model.tree.files.has(f));
}

/**
 * Celery's configuration is all in sources we have read, and none of it chooses another beat
 * scheduler or schedule file: the `-A` module (and a `config_from_object` module), with Django
 * settings read by the app model, and no scheduler distribution installed.
 */
function beatDefaults(c: WriteContext, appArg: string | undefined): boolean {
  if (!appArg) return false;
  const dists = declaredDists(c);
  if (!dists || dists.some((d) => BEAT_SCHEDULER_DISTS.has(d))) return false;
  const files = moduleFiles(c, appArg.split(':')[0]!, true);
  if (!files?.length) return false;
  for (const f of files) {
    const t = textOf(c.model, f);
    if (t === undefined || /config_from_envvar/.test(t)) return false;
    for (const m of t.matchAll(/config_from_object\(\s*(?:(["'])([^"']+)\1|([^)\s,]+))/g)) {
      if (m[2] === undefined) return false; // an object, not a module name
      if (m[2].startsWith('django.conf')) {
        if (!c.model.app?.modules.length) return false;
        continue;
      }
      const cfg = moduleFiles(c, m[2], false);
      if (!cfg?.length || cfg.some((x) => textOf(c.model, x) === undefined)) return false;
    }
  }
  return !contextPython(c).some((t) => BEAT_CONFIG.test(t));
}

function celeryWrites(c: WriteContext, step: StartStep, out: StartWrite[]): void {
  const inv = invocationOf(step);
  const args = inv.args;
  if (opt(args, ['--workdir']).present || opt(args, ['--detach']).present) return;
  const sub = args.find((a, i) => !a.startsWith('-') && !['-A', '--app', '-b', '--broker', '--result-backend', '--loader', '--config'].includes(args[i - 1] ?? ''));
  const beat = sub === 'beat' || (sub === 'worker' && (args.includes('-B') || args.includes('--beat')));
  const at = (p: string): string => norm(posix.resolve(step.cwd, p));
  const scheduler = sub === 'beat' ? opt(args, ['--scheduler'], ['-S']) : opt(args, ['--scheduler']);
  if (beat && !scheduler.present) {
    const appArg = opt(args, ['--app'], ['-A']);
    if (beatDefaults(c, appArg.present && literal(appArg.value) ? appArg.value : undefined)) {
      const s = opt(args, ['--schedule', '--schedule-filename'], ['-s']);
      const file = s.present ? (literal(s.value) ? s.value : undefined) : 'celerybeat-schedule';
      if (file !== undefined)
        out.push({
          kind: 'schedule', path: posix.dirname(at(file)), need: 'dir', actor: 'celery beat', object: `its schedule database ${file}${s.present ? '' : ' (the default, in the working directory)'}`,
          symptom: 'beat exits at startup when it opens the schedule file', remedy: 'point it at a writable place (`--schedule /tmp/celerybeat-schedule` with a tmpfs on /tmp, or a volume to keep it)', step, loc: step.loc, fatal: true,
        });
    }
  }
  if (sub !== 'beat' && sub !== 'worker') return;
  const log = opt(args, ['--logfile'], ['-f']);
  if (log.present && literal(log.value) && log.value !== '-')
    out.push({ kind: 'log', path: at(log.value), need: 'file', actor: `celery ${sub}`, object: `its log file ${log.value}`, symptom: 'celery cannot open the log file and exits at startup', remedy: 'log to stderr (drop `--logfile`)', step, loc: step.loc, fatal: true });
  const pid = opt(args, ['--pidfile']);
  if (pid.present && literal(pid.value))
    out.push({ kind: 'pid', path: posix.dirname(at(pid.value)), need: 'dir', actor: `celery ${sub}`, object: `its pid file ${pid.value}`, symptom: 'celery cannot create the pid file and exits at startup', step, loc: step.loc, fatal: true });
  const state = opt(args, ['--statedb'], ['-S']);
  if (sub === 'worker' && state.present && literal(state.value))
    out.push({ kind: 'statedb', path: posix.dirname(at(state.value)), need: 'dir', actor: 'celery worker', object: `its state database ${state.value}`, symptom: 'the worker fails at startup opening the state database', step, loc: step.loc, fatal: true });
}

function fsWrites(c: WriteContext, step: StartStep, out: StartWrite[]): void {
  const args = step.argv.slice(1);
  const script = c.plan.scripts.find((s) => s.path === step.scriptPath);
  const fatal = script ? script.errexit : step.depth === 0;
  const flags = args.filter((a) => a.startsWith('-'));
  const ops: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-m' || a === '--mode' || a === '-r' || a === '-d' || a === '-t' || a === '--reference' || a === '--date') {
      i++;
      continue;
    }
    if (!a.startsWith('-')) ops.push(a);
  }
  if (ops.some((o) => !literal(o))) return;
  if (step.name === 'mkdir') {
    const parents = flags.some((f) => f === '--parents' || (/^-[a-zA-Z]+$/.test(f) && f.includes('p')));
    for (const o of ops) {
      const path = norm(posix.resolve(step.cwd, o));
      const info = c.image.finalPath(path);
      if (info.exists !== false) continue; // exists (mkdir -p does nothing; mkdir fails with EEXIST) or unknown
      if (!parents && c.image.finalPath(posix.dirname(path)).exists !== true) continue;
      out.push({ kind: 'mkdir', path, need: 'create', actor: `\`${step.argv.join(' ')}\`${script ? ` in ${script.repoPath}` : ''}`, object: `the directory ${path}`, symptom: `mkdir fails%E${fatal ? ' and the script stops (set -e)' : ''}, and whatever writes to ${path} later fails too`, step, loc: step.loc, fatal });
    }
  } else if (step.name === 'touch') {
    if (flags.some((f) => f === '--no-create' || (/^-[a-zA-Z]+$/.test(f) && f.includes('c')))) return;
    for (const o of ops) {
      const path = norm(posix.resolve(step.cwd, o));
      const info = c.image.finalPath(path);
      if (info.exists === undefined || (info.exists === false && c.image.finalPath(posix.dirname(path)).exists !== true)) continue;
      out.push({ kind: 'touch', path, need: 'file', actor: `\`${step.argv.join(' ')}\`${script ? ` in ${script.repoPath}` : ''}`, object: info.exists ? `the file ${path}` : `a new file ${path}`, symptom: `touch fails%E${fatal ? ' and the script stops (set -e)' : ''}`, step, loc: step.loc, fatal });
    }
  }
}

/** `sqlite:///rel.db`, `sqlite:////abs.db`, `sqlite+pysqlite:///x`: the database file, relative paths against cwd. */
export function sqlitePath(url: string, cwd: string): string | undefined {
  const m = /^sqlite(?:\+\w+)?:\/\/\/(.*)$/.exec(url.trim());
  if (!m) return undefined;
  const p = m[1]!;
  if (!p || p === ':memory:' || p.includes('?') || p.startsWith('file:') || /[$`]/.test(p)) return undefined;
  return norm(posix.resolve(cwd, p));
}

/** Variables whose sqlite URL the app reads: named in its settings, env reads or code (DATABASE_URL also through dj-database-url / django-environ). */
function appReads(c: WriteContext, name: string): boolean {
  const app = c.svc.app;
  if (app?.envReads.some((r) => r.name === name)) return true;
  if (app?.settings.some((s) => s.fields.some((f) => f.envNames.includes(name)))) return true;
  if (name === 'DATABASE_URL') {
    const b = c.model.deps?.builds.find((x) => x.environment === c.env.name && x.service === c.svc.name);
    if (b?.app?.imports.some((i) => i.top === 'dj_database_url' || i.top === 'environ')) return true;
  }
  // the name as a string literal in the application's code (`os.environ["DATABASE_URL"]`)
  const quoted = new RegExp(`["']${name}["']`);
  return contextPython(c).some((t) => quoted.test(t));
}

function migrationWrites(c: WriteContext, out: StartWrite[]): void {
  for (const m of c.plan.migrationSteps) {
    const step = c.plan.steps[m.step];
    if (!step || !certain(step)) continue;
    const vars = new Map<string, string | null>();
    for (const [name, v] of c.stage.env) vars.set(name, v.value);
    for (const [name, v] of c.svc.env) vars.set(name, v.value);
    for (const [name, value] of vars) {
      if (value === null || !/^sqlite/.test(value) || !appReads(c, name)) continue;
      const db = sqlitePath(value, m.cwd);
      if (!db) continue;
      out.push({
        kind: 'sqlite', path: posix.dirname(db), need: 'dir', actor: `\`${m.argv.join(' ')}\``, object: `the SQLite database ${db} (from ${name}) and its journal next to it`,
        symptom: 'the migration fails with "sqlite3.OperationalError: unable to open database file" (or "attempt to write a readonly database")', ownError: true, remedy: 'keep the database on a volume owned by the user (`sqlite:////data/app.db` with a volume at /data)', step, loc: m.loc, fatal: true,
      });
      break;
    }
  }
}

const NGINX_BASES = new Set(['nginx', 'nginx-alpine', 'nginx-alpine-slim']);

function nginxWrites(c: WriteContext, f: ServerFact, step: StartStep, out: StartWrite[]): void {
  if (!c.image.base || !NGINX_BASES.has(c.image.base.id) || c.image.unknownBase || f.configFileExplicit || c.image.opaque.length) return;
  const g = opt(invocationOf(step).args, [], ['-g']);
  if (g.present && /\bpid\b/.test(g.value ?? 'pid')) return;
  // the image's own nginx.conf (`pid /var/run/nginx.pid;`), untouched by COPY/ADD or a bind mount
  const conf = c.image.finalPath('/etc/nginx/nginx.conf');
  if (conf.createdBy || conf.changedBy || c.svc.mounts.some((m) => isUnder('/etc/nginx/nginx.conf', norm(m.target)))) return;
  out.push({
    kind: 'nginx-pid', path: '/run', need: 'dir', actor: 'nginx', object: "its pid file (the official image's nginx.conf sets `pid /var/run/nginx.pid;`, `/run/nginx.pid` in newer packages; /var/run is /run)",
    symptom: 'nginx exits at startup with `open() "…/nginx.pid" failed (30: Read-only file system)`', ownError: true, remedy: 'mount tmpfs on /var/run and /var/cache/nginx (`tmpfs: [/var/run, /var/cache/nginx]`)', step, loc: step.loc, fatal: true,
  });
}

/** Remote static storages: collectstatic uploads instead of writing STATIC_ROOT. */
const REMOTE_STORAGE_DISTS = new Set(['django-storages', 'django-s3-storage', 'django-cloudinary-storage', 'django-gcloud-storage']);

function collectstaticWrites(c: WriteContext, step: StartStep, out: StartWrite[]): void {
  const inv = invocationOf(step);
  if (inv.tool !== 'manage.py' || inv.args[0] !== 'collectstatic') return;
  if (inv.args.some((a) => a === '-n' || a === '--dry-run' || a === '--help' || a === '-h')) return;
  // STATIC_ROOT is not in the model: only the case where no place at all is writable is certain,
  // and only when the build did not already collect (unchanged files are skipped, not rewritten)
  const mounts = mountPoints(c.svc);
  if (!mounts || mounts.some((m) => m.writable && m.kind !== 'runtime')) return;
  let stage: StageModel | undefined = c.stage;
  const seen = new Set<number>();
  while (stage && !seen.has(stage.index)) {
    seen.add(stage.index);
    if (stage.instructions.some((i) => i.keyword === 'RUN' && /collectstatic/.test(i.argsText))) return;
    stage = stage.baseStage !== undefined ? c.svc.runtime.dockerfile?.stages[stage.baseStage] : undefined;
  }
  const dists = declaredDists(c);
  if (!dists || dists.some((d) => REMOTE_STORAGE_DISTS.has(d)) || !c.model.app?.modules.length) return;
  if (contextPython(c).some((t) => /storages\.backends|S3Boto3Storage|GoogleCloudStorage|AzureStorage|STATICFILES_STORAGE|STORAGES/.test(t))) return;
  out.push({
    kind: 'collectstatic', path: step.cwd, need: 'dir', actor: '`manage.py collectstatic`', object: 'the collected files into STATIC_ROOT', symptom: 'collectstatic fails and the start path stops', remedy: 'run collectstatic in the Dockerfile instead, or mount a volume on STATIC_ROOT', step, loc: step.loc, fatal: true,
  });
}

/** What the service's start path writes, for the steps that certainly run. */
export function startWrites(c: WriteContext): StartWrite[] {
  const out: StartWrite[] = [];
  const byStep = new Map<number, ServerFact>();
  for (const f of c.plan.servers) byStep.set(f.step, f);
  c.plan.steps.forEach((step, i) => {
    if (step.expands || !certain(step)) return;
    const f = byStep.get(i);
    if (f?.kind === 'gunicorn') gunicornWrites(c, f, step, out);
    else if (f?.kind === 'nginx') nginxWrites(c, f, step, out);
    else if (invocationOf(step).tool === 'celery') celeryWrites(c, step, out);
    else if (step.name === 'mkdir' || step.name === 'touch') fsWrites(c, step, out);
    else collectstaticWrites(c, step, out);
  });
  migrationWrites(c, out);
  return out;
}

