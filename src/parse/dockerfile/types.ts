import type { Location } from '../../core/location.js';

export interface DockerFlag {
  name: string;
  /** null for a flag without a value (`--link`) */
  value: string | null;
  loc: Location;
}

export interface DockerArg {
  /** the word as written (quotes kept, no variable expansion) */
  value: string;
  loc: Location;
}

export interface DockerHeredoc {
  name: string;
  /** body text (for `<<-` leading tabs already stripped) */
  body: string;
  loc: Location;
}

export interface DockerInstruction {
  /** upper-cased keyword: FROM, RUN, COPY, ... */
  keyword: string;
  /** the whole instruction, first keyword character to last argument character */
  loc: Location;
  /** offsets of the instruction in the file, for fixes */
  range: [number, number];
  /** arguments with continuations joined and flags removed; heredoc bodies not included */
  argsText: string;
  /** location of the arguments (after the flags) */
  argsLoc: Location;
  argsRange: [number, number];
  /** for RUN/CMD/ENTRYPOINT/SHELL/HEALTHCHECK CMD/COPY/ADD/VOLUME: the JSON array when the arguments are valid exec form */
  exec: string[] | null;
  flags: DockerFlag[];
  /** whitespace-separated words of argsText with locations (shell-form tokens, quotes kept) */
  args: DockerArg[];
  heredocs: DockerHeredoc[];
  /** index of the build stage (FROM) the instruction belongs to; -1 before the first FROM */
  stage: number;
}

export interface DockerfileAst {
  path: string;
  escape: '\\' | '`';
  instructions: DockerInstruction[];
  /** problems the adapter found (e.g. `<< 'EOF'` with a space, an unknown keyword) */
  errors: { message: string; loc: Location }[];
  /** true when the file is not text (NUL bytes) */
  binary: boolean;
}
