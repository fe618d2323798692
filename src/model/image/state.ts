/**
 * The mutable state of one stage's image while its instructions are replayed, with a history so
 * that any earlier step can be queried. Paths are kept as an append-only log of versions and
 * markers (absent subtree, unknown zone), each stamped with the instruction index (`step`) and a
 * global sequence number, so "the state after step N" is the latest event at or before N.
 */
import { posix } from 'node:path';
import { baseHasTool, type BaseImageFacts } from '../../knowledge/base-images.js';
import { OS_TOOL_NAMES } from '../../knowledge/os-packages.js';
import type { DockerInstruction } from '../../parse/dockerfile/types.js';
import type { ImagePathInfo, PathKind, PythonPackageInstall } from './types.js';

export interface Entry {
  kind?: PathKind;
  owner?: string;
  ownerUid?: number;
  group?: string;
  mode?: number;
  exec?: boolean;
  target?: string;
  createdBy?: DockerInstruction;
  changedBy?: DockerInstruction;
  contextSource?: string;
  origin: 'base' | 'instruction';
}

/**
 * What may exist under an unknown zone:
 * - `any`: anything, executables included (an uninterpretable RUN, an extracted archive);
 * - `files`: new files but no new executables on PATH (build output such as collectstatic);
 * - `python-scripts`: console scripts of Python distributions we cannot list (not OS tool names);
 * - `context`: only paths through a folder the repository walk skips (node_modules, .venv, ...).
 */
export type ZoneKind = 'any' | 'files' | 'python-scripts' | 'context';

interface Event {
  step: number;
  seq: number;
}
interface Version extends Event {
  entry: Entry | null;
}
interface Marker extends Event {
  path: string;
  type: 'absent' | 'absent-children' | 'zone';
  zone?: ZoneKind;
}

/**
 * Tools that many OS packages pull in as dependencies (Debian: python3 for supervisor, python3-pip,
 * awscli; procps, perl, make/gcc through build-essential; nodejs for npm). Installing any package
 * makes their absence from the base image no longer decide anything.
 */
const DEPENDENCY_TOOLS: ReadonlySet<string> = new Set(['python3', 'python', 'perl', 'ps', 'pgrep', 'pkill', 'gcc', 'g++', 'cc', 'make', 'bash', 'node', 'nodejs', 'git', 'ssh', 'gpg', 'hostname']);
/**
 * Tools a package we cannot list is not expected to bring in as a dependency: they come from their
 * own packages (curl, netcat, gosu, tini, su-exec, dumb-init). Not wget (google-chrome-stable depends
 * on it), nor the postgres and redis clients (any postgresql-* or redis package pulls them in).
 */
const OWN_PACKAGE_TOOLS: ReadonlySet<string> = new Set(['curl', 'nc', 'netcat', 'gosu', 'tini', 'su-exec', 'dumb-init']);

/** Folder names the repository walk skips (src/discover/walk.ts SKIP_DIRS): their files are unknown to us. */
const WALK_SKIPPED = new Set(['.git', 'node_modules', '.venv', 'venv', '__pycache__', '.tox', '.nox', '.mypy_cache', '.pytest_cache', '.ruff_cache', 'site-packages', '.terraform', 'bower_components', '.next', '.cache', 'vendor', 'third_party']);

export function normPath(p: string): string {
  const n = posix.normalize(p.startsWith('/') ? p : `/${p}`);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

export function isUnder(path: string, dir: string): boolean {
  return dir === '/' ? true : path === dir || path.startsWith(dir + '/');
}

export interface ToolRecord {
  present: boolean;
  path?: string;
  via: 'base' | 'package' | 'pip' | 'file';
  pkg?: string;
  instruction?: DockerInstruction;
  /** apt-mark / opaque steps make package tools uncertain */
  uncertain?: boolean;
}

export interface AccountRecord {
  name?: string;
  uid?: number;
  gid?: number;
  home?: string;
  shell?: string;
  createdBy?: DockerInstruction;
  uidInferred?: boolean;
  /** home directory created with the account (useradd -m, adduser) */
  createsHome?: boolean;
  /** mode of the home it creates, when known */
  homeMode?: number;
}

export class ImageState {
  readonly versions = new Map<string, Version[]>();
  readonly current = new Map<string, Entry>();
  readonly markers: Marker[] = [];
  private seq = 0;
  step = 0;

  /** tools by bare name, as installed/removed by this stage (and the stages it builds FROM) */
  readonly tools = new Map<string, ToolRecord>();
  /** an uninterpretable step happened: tools not recorded above are unknown from then on */
  toolsUnknown = false;
  readonly accounts: AccountRecord[] = [];
  readonly groups: { name?: string; gid?: number }[] = [];
  /** accounts may exist that we do not list (opaque step; packages that add system users) */
  accountsUnknown = false;
  /** system accounts may have been added by packages we cannot list */
  systemAccountsUnknown = false;
  readonly python: PythonPackageInstall[] = [];
  /** virtualenvs created in the image (their bin dirs) */
  readonly venvs = new Set<string>();
  /**
   * OS packages were installed: their dependencies are not modelled, so tools the base image lacks
   * but that packages commonly pull in (python3, perl, ps, gcc, ...) may now exist. With a package
   * we cannot list (`unknownPackages`), any tool may, except those only their own package ships.
   */
  packagesInstalled = false;
  unknownPackages = false;

  constructor(
    readonly base: BaseImageFacts | undefined,
    /** the chain of stages ends in an image we have no facts for */
    readonly unknownBase: boolean,
  ) {}

  // ------------------------------------------------------------ writing

  private stamp(): Event {
    return { step: this.step, seq: this.seq++ };
  }

  set(path: string, entry: Entry): void {
    const p = normPath(path);
    this.current.set(p, entry);
    let list = this.versions.get(p);
    if (!list) this.versions.set(p, (list = []));
    list.push({ ...this.stamp(), entry });
  }

  /** Remove a path and everything below it. */
  remove(path: string): void {
    const p = normPath(path);
    for (const k of [...this.current.keys()]) {
      if (!isUnder(k, p)) continue;
      this.current.delete(k);
      this.versions.get(k)!.push({ ...this.stamp(), entry: null });
    }
    this.markers.push({ ...this.stamp(), path: p, type: 'absent' });
  }

  /** Remove everything below a directory, keeping the directory (`rm -rf dir/*`). */
  empty(dir: string): void {
    const d = normPath(dir);
    for (const k of [...this.current.keys()]) {
      if (k === d || !isUnder(k, d)) continue;
      this.current.delete(k);
      this.versions.get(k)!.push({ ...this.stamp(), entry: null });
    }
    this.markers.push({ ...this.stamp(), path: d, type: 'absent-children' });
  }

  /** Unknown paths may exist below `dir` from now on. */
  zone(dir: string, kind: ZoneKind): void {
    this.markers.push({ ...this.stamp(), path: normPath(dir), type: 'zone', zone: kind });
  }

  /** Replay another state's current filesystem (entries and markers, in their order) as of now. */
  importFrom(p: ImageState): void {
    type Ev = { seq: number; run: () => void };
    const events: Ev[] = p.markers.map((m) => ({
      seq: m.seq,
      run: () => {
        this.markers.push({ ...this.stamp(), path: m.path, type: m.type, ...(m.zone ? { zone: m.zone } : {}) });
      },
    }));
    for (const [k, e] of p.current) {
      const v = p.versions.get(k)!;
      events.push({ seq: v[v.length - 1]!.seq, run: () => this.set(k, e) });
    }
    events.sort((a, b) => a.seq - b.seq);
    for (const ev of events) ev.run();
  }

  /** Owners and modes of everything known so far may have changed (an opaque step). */
  forgetMetadata(under = '/'): void {
    for (const [k, e] of [...this.current]) {
      if (!isUnder(k, under)) continue;
      const f: Entry = { origin: e.origin };
      if (e.kind) f.kind = e.kind;
      if (e.createdBy) f.createdBy = e.createdBy;
      if (e.changedBy) f.changedBy = e.changedBy;
      if (e.contextSource) f.contextSource = e.contextSource;
      this.set(k, f);
    }
  }

  /** Everything is possible from here: an instruction we cannot interpret. */
  opaque(): void {
    this.zone('/', 'any');
    this.forgetMetadata();
    this.toolsUnknown = true;
    for (const t of this.tools.values()) t.uncertain = true;
    this.accountsUnknown = true;
  }

  // ------------------------------------------------------------ reading

  /**
   * exists / entry of `path` at `step` (Infinity: now). A recorded entry wins over zones (an
   * opaque step re-records what it may have changed, without owner and mode); a removal or
   * nothing recorded gives way to a later marker covering the path.
   */
  lookup(path: string, step = Infinity, ignoreZone?: (zonePath: string, kind: ZoneKind) => boolean): { exists: boolean | undefined; entry?: Entry; zone?: ZoneKind } {
    const p = normPath(path);
    let version: Version | undefined;
    const versions = this.versions.get(p);
    if (versions) {
      for (let i = versions.length - 1; i >= 0; i--) {
        if (versions[i]!.step <= step) {
          version = versions[i];
          break;
        }
      }
    }
    if (version?.entry) return { exists: true, entry: version.entry };
    let best: { exists: boolean | undefined; zone?: ZoneKind } | undefined;
    const after = version?.seq ?? -1;
    for (const m of this.markers) {
      if (m.step > step || m.seq < after) continue;
      const covers = m.type === 'absent-children' ? p !== m.path && isUnder(p, m.path) : isUnder(p, m.path);
      if (!covers) continue;
      if (m.type === 'zone') {
        if (m.zone === 'context' && !p.slice(m.path.length).split('/').some((s) => WALK_SKIPPED.has(s))) continue;
        if (ignoreZone?.(m.path, m.zone!)) continue;
        best = { exists: undefined, zone: m.zone! };
      } else best = { exists: false };
    }
    if (best) return best.zone ? { exists: undefined, zone: best.zone } : { exists: best.exists };
    if (version) return { exists: false };
    return { exists: this.baseExists(p) };
  }

  /** Existence of a path the Dockerfile never touched, from base-image facts. */
  baseExists(p: string): boolean | undefined {
    if (p === '/') return true;
    if (this.unknownBase || !this.base) return undefined;
    const top = this.base.topLevel;
    const first = p.split('/')[1]!;
    if (top) {
      if (!top.includes(first)) return false;
      if (p === `/${first}`) return true;
    }
    for (const d of this.base.emptyDirs ?? []) if (p !== d && isUnder(p, d)) return false;
    return undefined;
  }

  info(path: string, step = Infinity): ImagePathInfo {
    const p = normPath(path);
    const r = this.lookup(p, step);
    const out: ImagePathInfo = { path: p, exists: r.exists };
    const e = r.entry;
    if (!e) return out;
    if (e.kind) out.kind = e.kind;
    if (e.owner !== undefined) out.owner = e.owner;
    if (e.ownerUid !== undefined) out.ownerUid = e.ownerUid;
    if (e.group !== undefined) out.group = e.group;
    if (e.mode !== undefined) out.mode = e.mode;
    const exec = e.mode !== undefined ? (e.mode & 0o111) !== 0 : e.exec;
    if (exec !== undefined && e.kind !== 'dir') out.executable = exec;
    if (e.target !== undefined) out.target = e.target;
    if (e.createdBy) out.createdBy = e.createdBy;
    if (e.changedBy) out.changedBy = e.changedBy;
    if (e.contextSource) out.contextSource = e.contextSource;
    out.origin = e.origin;
    return out;
  }

  /** May unknown executables named `name` be in `dir` now? */
  unknownExecutablesIn(dir: string, name: string): boolean {
    const probe = `${normPath(dir)}/${name}`;
    const r = this.lookup(probe);
    if (r.exists !== undefined) return false;
    if (r.zone === 'files') return false;
    if (r.zone === 'python-scripts') return !OS_TOOL_NAMES.has(name);
    return true;
  }

  /** Base-image tool facts, unless this stage's own steps say otherwise. */
  baseTool(name: string): boolean | undefined {
    if (this.unknownBase || !this.base) return undefined;
    const has = baseHasTool(this.base, name);
    if (has === false && ((this.unknownPackages && !OWN_PACKAGE_TOOLS.has(name)) || (this.packagesInstalled && DEPENDENCY_TOOLS.has(name)))) return undefined;
    return has;
  }

  // ------------------------------------------------------------ copying between stages

  /** Everything under `dir` now, as [relative path, entry]. */
  subtree(dir: string): [string, Entry][] {
    const d = normPath(dir);
    const out: [string, Entry][] = [];
    for (const [k, e] of this.current) if (isUnder(k, d)) out.push([k === d ? '' : k.slice(d === '/' ? 1 : d.length + 1), e]);
    return out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /**
   * Where unknown content may be below `dir` now, relative to it ('' = anywhere below it):
   * from zones, or from the base image when the path is not one the facts decide.
   */
  unknownUnder(dir: string): { rel: string; zone: ZoneKind }[] {
    const d = normPath(dir);
    const probe = (p: string): ZoneKind | undefined => {
      const r = this.lookup(`${p === '/' ? '' : p}/\u0000`);
      return r.exists === undefined ? (r.zone ?? 'any') : undefined;
    };
    const out: { rel: string; zone: ZoneKind }[] = [];
    const top = probe(d);
    if (top) out.push({ rel: '', zone: top });
    const seen = new Set<string>();
    for (const m of this.markers) {
      if (m.type !== 'zone' || m.path === d || !isUnder(m.path, d) || seen.has(m.path)) continue;
      seen.add(m.path);
      const z = probe(m.path);
      if (z && z !== top) out.push({ rel: m.path.slice(d === '/' ? 1 : d.length + 1), zone: z });
    }
    return out;
  }

}
