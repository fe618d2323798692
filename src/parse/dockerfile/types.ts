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
  /** `<<-`: leading tabs are stripped from the body and the closing line */
  chomp?: boolean;
  /** `<<'EOF'` / `<<"EOF"`: the body is taken literally (no variable expansion) */
  quoted?: boolean;
  /** offsets of the body lines in the file (empty range at the closing line when the body is empty) */
  bodyRange?: [number, number];
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
  /** location of each `exec` element (the JSON string literal, quotes included) */
  execLocs?: Location[];
  /** location of the keyword itself */
  keywordLoc?: Location;
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
