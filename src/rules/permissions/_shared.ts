/**
 * Helpers the permissions/* rules share (not a rule: the leading `_` keeps it out of the
 * registry): message wording and the Dockerfile fixes. The facts themselves (who a step runs
 * as, mounts, what the start path writes) are model queries in src/model/start/writes.ts.
 */
import { posix } from 'node:path';
import type { Fix } from '../../core/finding.js';
import type { Location } from '../../core/location.js';
import type { DockerInstruction } from '../../parse/dockerfile/types.js';
import type { ImageModel, ImagePathInfo, ServiceModel, StageModel } from '../../model/types.js';
import { octal, where, type RunAs, type StartWrite } from '../../model/start/writes.js';

export * from '../../model/start/writes.js';

// ---------------------------------------------------------------------------------------------
// Dockerfile fixes

/** The last USER instruction of the stage itself. */
export function lastUser(stage: StageModel): { ins: DockerInstruction; index: number } | undefined {
  for (let i = stage.instructions.length - 1; i >= 0; i--) if (stage.instructions[i]!.keyword === 'USER') return { ins: stage.instructions[i]!, index: i };
  return undefined;
}

/** The account name to write in a RUN before the USER line (or the uid when the account is created later). */
export function chownName(image: ImageModel, stage: StageModel, user: RunAs, beforeIndex: number): string | undefined {
  if (user.name !== undefined) {
    const acc = image.user(user.name);
    const created = acc.createdBy ? stage.instructions.indexOf(acc.createdBy) : -1;
    if (acc.exists === true && (acc.createdBy === undefined ? true : created >= 0 && created < beforeIndex)) return user.name;
  }
  return user.uid !== undefined ? String(user.uid) : undefined;
}

/** Insert `RUN <command>` on its own line before the stage's last USER instruction. */
export function runBeforeUser(svc: ServiceModel, stage: StageModel, command: string, description: string): Fix | undefined {
  const df = svc.runtime.dockerfile;
  const u = lastUser(stage);
  if (!df || !u) return undefined;
  const text = df.source.text;
  const lineStart = text.lastIndexOf('\n', u.ins.range[0] - 1) + 1;
  if (text.slice(lineStart, u.ins.range[0]).trim() !== '') return undefined;
  return { description, safety: 'unsafe', edits: [{ file: df.path, start: lineStart, end: lineStart, text: `RUN ${command}\n` }] };
}

/** The index of an instruction in the stage, -1 when it belongs elsewhere. */
export const indexIn = (stage: StageModel, ins: DockerInstruction | undefined): number => (ins ? stage.instructions.indexOf(ins) : -1);

/** A mapping key's location in the merged service node (the file that set it last). */
export function keyLoc(svc: ServiceModel, key: string): Location | undefined {
  return svc.node.entries.get(key)?.keyLoc;
}

/** The info of the nearest existing ancestor of `path` (what a new entry needs to be writable). */
export function nearestExisting(image: ImageModel, path: string): ImagePathInfo {
  let info = image.finalPath(path);
  while (info.exists === false && info.path !== '/') info = image.finalPath(posix.dirname(info.path));
  return info;
}

export const describeDir = (info: ImagePathInfo): string => {
  const owner = info.owner === undefined ? 'an unknown owner' : info.owner === 'root' || info.ownerUid === 0 ? 'root' : info.owner;
  const mode = info.mode === undefined ? '' : ` mode ${octal(info.mode)}`;
  const by = info.createdBy ? ` (${info.createdBy.keyword} at ${where(info.createdBy.loc)})` : info.origin === 'base' ? ' (from the base image)' : '';
  return `${info.path}, owned by ${owner}${mode}${by}`;
};

/** The write's symptom with the error text (`"Permission denied"`) in place. */
export function symptom(w: StartWrite, error: string): string {
  const e = ` ("${error}")`;
  return w.symptom.includes('%E') ? w.symptom.replace('%E', e) : w.ownError ? w.symptom : `${w.symptom}${e}`;
}

/** Upper-case the first letter of a message. */
export const sentence = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
