/**
 * What the interpreters of one instruction need: the image state, where the instruction runs
 * (cwd, USER, variables), and a way to read build-context files (requirements files).
 */
import { posix } from 'node:path';
import type { DockerInstruction } from '../../parse/dockerfile/types.js';
import type { ImageState, Entry } from './state.js';
import { normPath } from './state.js';
import type { ProjectInstall, OsPackageChange } from './types.js';

export interface StageCtx {
  state: ImageState;
  stageIndex: number;
  ins: DockerInstruction;
  cwd: string;
  /** USER at this point: the user part as written (name or uid), 'root' when unset */
  user: string;
  /** the group part of USER, when written */
  group?: string;
  /** ENV and ARG in scope; a value of undefined means declared but unknown */
  vars: Map<string, string | undefined>;
  /** read a repository file (path relative to the scanned root) */
  readText(repoPath: string): string | undefined;
  projectInstalls: ProjectInstall[];
  osPackages: OsPackageChange[];
  /** record that this instruction could not be (fully) interpreted */
  opaque(reason: string): void;
  /** `poetry config virtualenvs.create false` seen earlier in the stage */
  poetryNoVenv: boolean;
}

export function resolveIn(cwd: string, p: string): string {
  return normPath(p.startsWith('/') ? p : posix.join(cwd, p));
}

/** PATH dirs at this point of the build. */
export function currentPath(ctx: StageCtx): string[] | undefined {
  const v = ctx.vars.get('PATH');
  return v === undefined ? undefined : v.split(':').filter(Boolean);
}

/** uid of a user spec (name or number) from the accounts we know. */
export function uidOf(ctx: { state: ImageState }, spec: string): number | undefined {
  if (/^\d+$/.test(spec)) return Number(spec);
  return ctx.state.accounts.find((a) => a.name === spec)?.uid;
}

/** A new path owned by the current USER (what RUN, and BuildKit's WORKDIR, create). */
export function ownedEntry(ctx: StageCtx, e: Omit<Entry, 'origin' | 'owner' | 'ownerUid'>, owner = ctx.user, group = ctx.group): Entry {
  const entry: Entry = { ...e, origin: 'instruction', owner, createdBy: ctx.ins, changedBy: ctx.ins };
  if (owner.startsWith('\u0000')) {
    delete entry.owner; // USER through a variable we could not expand
    return entry;
  }
  const uid = uidOf(ctx, owner);
  if (uid !== undefined) entry.ownerUid = uid;
  if (group !== undefined) entry.group = group;
  return entry;
}

/**
 * Create directory `dir` and missing parents like `mkdir -p`: an existing directory is left as it
 * is; one whose existence we cannot tell is recorded as existing with unknown owner and mode.
 */
export function mkdirs(ctx: StageCtx, dir: string, mode = 0o755, owner = ctx.user, group = ctx.group, parentMode = 0o755): void {
  const target = normPath(dir);
  if (target === '/') return;
  const parts = target.split('/').filter(Boolean);
  let p = '';
  for (let i = 0; i < parts.length; i++) {
    p += `/${parts[i]}`;
    const r = ctx.state.lookup(p);
    if (r.exists === true) continue;
    if (r.exists === undefined) {
      ctx.state.set(p, { kind: 'dir', origin: 'instruction', changedBy: ctx.ins });
      continue;
    }
    ctx.state.set(p, ownedEntry(ctx, { kind: 'dir', mode: i === parts.length - 1 ? mode : parentMode }, owner, group));
  }
}
