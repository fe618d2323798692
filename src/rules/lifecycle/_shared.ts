/**
 * What the lifecycle rules share: the text around a start step in its script, and which steps of
 * a script's own level lead to a server.
 */
import type { Location } from '../../core/location.js';
import type { SourceFile } from '../../core/source-file.js';
import type { ScriptLevel } from '../../model/start/queries.js';
import type { ProjectModel, StartPlan } from '../../model/types.js';

export interface Span {
  src: SourceFile;
  start: number;
  end: number;
}

/** Offsets of a located command in its file; undefined without line/column information. */
export function spanOf(model: ProjectModel, loc: Location): Span | undefined {
  const src = model.sources.get(loc.file);
  if (!src || loc.startLine === undefined || loc.startColumn === undefined) return undefined;
  const start = src.offsetOf(loc.startLine, loc.startColumn);
  const end = loc.endLine !== undefined && loc.endColumn !== undefined ? src.offsetOf(loc.endLine, loc.endColumn) : start;
  return { src, start, end: Math.max(start, end) };
}

/** The text of the line before `offset` (from the line start). */
export function linePrefix(s: Span): string {
  const t = s.src.text;
  return t.slice(t.lastIndexOf('\n', s.start - 1) + 1, s.start);
}

/** Index one past the subtree of step `i` (the steps it runs, at deeper levels). */
export function subtreeEnd(plan: StartPlan, i: number): number {
  const d = plan.steps[i]!.depth;
  let j = i + 1;
  while (j < plan.steps.length && plan.steps[j]!.depth > d) j++;
  return j;
}

/** The step of the script's own level whose subtree starts the server, for each server under the script. */
export function serverSteps(plan: StartPlan, level: ScriptLevel): { levelStep: number; server: StartPlan['servers'][number] }[] {
  const out: { levelStep: number; server: StartPlan['servers'][number] }[] = [];
  for (const f of plan.servers)
    for (const i of level.steps)
      if (f.step >= i && f.step < subtreeEnd(plan, i)) {
        out.push({ levelStep: i, server: f });
        break;
      }
  return out;
}

/** Init processes that signal the whole process group, so a shell left in between does not matter. */
export function groupSignallingInit(plan: StartPlan): boolean {
  const argv = plan.argv.map((a) => a.split('/').pop() ?? a);
  const i = argv.findIndex((a) => a === 'dumb-init' || a === 'tini' || a === 'tini-static');
  if (i < 0) return false;
  const flags: string[] = [];
  for (const a of plan.argv.slice(i + 1)) {
    if (a === '--' || !a.startsWith('-')) break;
    flags.push(a);
  }
  if (argv[i] === 'dumb-init') return !flags.some((a) => a === '--single-child' || a === '-c');
  return flags.some((a) => /^-[a-zA-Z]*g/.test(a));
}
