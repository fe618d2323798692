/**
 * The simple commands of a Dockerfile RUN, in order, with the working directory each runs in:
 * shell form through the shell parser (continuations, `&&`, `sh -c`), heredoc bodies
 * (`RUN <<EOF`), and exec form as written. `cd DIR` changes the directory for the commands after
 * it in the same RUN (subshells are not tracked: good enough for `cd /app && pip install .`).
 */
import { posix } from 'node:path';
import type { Location } from '../../core/location.js';
import type { SourceFile } from '../../core/source-file.js';
import type { DockerInstruction } from '../../parse/dockerfile/types.js';
import { parseShell } from '../../parse/shell/parse-shell.js';

export interface RunCommand {
  /** program and arguments, quotes removed; `$VAR` left as written */
  words: string[];
  wordLocs: Location[];
  /** the whole simple command */
  loc: Location;
  /** working directory when it runs */
  cwd: string;
  /** `FOO=bar cmd` prefix assignments */
  assignments: Map<string, string>;
}

export async function runCommands(source: SourceFile, ins: DockerInstruction, workdir: string, expand: (w: string) => string): Promise<RunCommand[]> {
  if (ins.exec) {
    const locs = ins.execLocs ?? ins.exec.map(() => ins.argsLoc);
    return [{ words: ins.exec.map(expand), wordLocs: locs, loc: ins.loc, cwd: workdir, assignments: new Map() }];
  }
  const bodies: { text: string; offset: number }[] = [];
  const text = source.text;
  // `RUN <<EOF` (only a heredoc, no program): the body is the script; `RUN python3 <<EOF` is not shell
  const onlyHeredoc = /^<<-?\s*["']?[A-Za-z_][\w-]*["']?\s*$/.test(ins.argsText.trim());
  if (onlyHeredoc) {
    for (const h of ins.heredocs) if (h.bodyRange) bodies.push({ text: text.slice(h.bodyRange[0], h.bodyRange[1]), offset: h.bodyRange[0] });
  } else {
    bodies.push({ text: text.slice(ins.argsRange[0], ins.argsRange[1]), offset: ins.argsRange[0] });
  }
  const out: RunCommand[] = [];
  let cwd = workdir;
  for (const b of bodies) {
    let script;
    try {
      script = await parseShell(b.text, { file: source.path, source, baseOffset: b.offset });
    } catch {
      continue;
    }
    for (const c of script.commands) {
      if (!c.name) continue;
      const words = [c.name, ...c.args.map((a) => a.text)].map(expand);
      const wordLocs = [c.nameWord?.loc ?? c.loc, ...c.args.map((a) => a.loc)];
      if (words[0] === 'cd' && !c.context.subshell) {
        const dir = words[1];
        if (dir && !dir.includes('$')) cwd = posix.resolve(cwd, dir);
        continue;
      }
      out.push({ words, wordLocs, loc: c.loc, cwd, assignments: new Map(c.assignments.map((a) => [a.name, a.value])) });
    }
  }
  return out;
}
