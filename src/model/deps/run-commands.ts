/**
 * The simple commands of a Dockerfile RUN as the install readers take them: the commands the
 * image model parsed (ImageModel.runCommands: shell form, `RUN <<EOF` bodies, exec form and its
 * `sh -c` string), with `$VAR` expanded where the build knows it and the working directory each
 * runs in. `cd DIR` changes the directory for the commands after it in the same RUN (subshells
 * are not tracked: good enough for `cd /app && pip install .`).
 */
import { posix } from 'node:path';
import type { Location } from '../../core/location.js';
import type { ShellCommand } from '../../parse/shell/types.js';

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

export function runCommands(commands: readonly ShellCommand[], workdir: string, expand: (w: string) => string): RunCommand[] {
  const out: RunCommand[] = [];
  let cwd = workdir;
  for (const c of commands) {
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
  return out;
}
