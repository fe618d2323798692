/**
 * Shell texts the model exposes as parsed commands (Dockerfile RUN, healthchecks): parsing a text
 * that sits in a file, verbatim or inside a JSON/YAML string, with locations in that file; and an
 * exec-form argv (no shell) as one ShellCommand, followed by the commands of the `sh -c` string
 * it runs, numbered as parseShell numbers the strings of a shell-form `sh -c`.
 */
import type { Location } from '../core/location.js';
import type { SourceFile } from '../core/source-file.js';
import { parseShell, shellStringArg, type ShellCommand, type ShellScript, type ShellWord } from '../parse/shell/parse-shell.js';

/** One element of an exec-form argv. */
export interface ArgvItem {
  /** the value the program receives */
  text: string;
  /** where it is written (the JSON or YAML string, quotes included) */
  loc: Location;
  /** offsets of loc in the file, end exclusive, when known */
  range?: [number, number];
}

export interface ArgvCommands {
  /** the argv as one command, then the commands of its `sh -c` string (inShellString, shellString 1, 2, …) */
  commands: ShellCommand[];
  /** the `sh -c` string the argv runs, parsed */
  string?: { text: string; index: number; script: ShellScript };
}

/** Characters a JSON/YAML string may add around or inside a value: quotes, escapes, `$$`, folding. */
const WRAPPING = new Set(['"', "'", '\\', '$', ' ', '\t', '\r', '\n']);

/**
 * Where each character of `value` is in `text[start, end)`, the string it was read from (a JSON
 * string, a YAML scalar with its quotes, escapes, `$$` and line folding): `at(i)` is the offset
 * of value[i], `at(value.length)` the end. Undefined when the value is not the string's
 * characters in order with only quoting, escaping and whitespace between them (an escape such as
 * `\n` or `\u00e9`, an interpolated variable).
 */
export function offsetsIn(value: string, text: string, start: number, end: number): ((i: number) => number) | undefined {
  if (text[start] === '|' || text[start] === '>') {
    // a YAML block scalar: the value starts on the line after the header
    const nl = text.indexOf('\n', start);
    if (nl < 0 || nl >= end) return undefined;
    start = nl + 1;
  }
  const map: number[] = [];
  let p = start;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    while (p < end && text[p] !== ch && WRAPPING.has(text[p]!)) p++;
    if (p >= end || text[p] !== ch) return undefined;
    map.push(p++);
  }
  for (let q = p; q < end; q++) if (!WRAPPING.has(text[q]!)) return undefined;
  map.push(p);
  return (i) => map[Math.max(0, Math.min(i, value.length))]!;
}

/**
 * Parse `text`, the value of a string written at `where` in `source`. Locations are exact when
 * offsetsIn maps the value back to the file; otherwise every location is the whole string's.
 */
export async function parseWritten(text: string, where: { file: string; loc: Location; source?: SourceFile; range?: [number, number] }): Promise<ShellScript> {
  const { source, range } = where;
  const at = source && range ? offsetsIn(text, source.text, range[0], range[1]) : undefined;
  if (source && at) return parseShell(text, { file: where.file, source, at });
  const script = await parseShell(text, { file: where.file });
  relocate(script.commands, where.loc, range ?? [0, 0]);
  return script;
}

/** Put every location of `cmds` at `loc` (the text could not be mapped into its file). */
function relocate(cmds: ShellCommand[], loc: Location, range: [number, number]): void {
  const word = (w: ShellWord): void => {
    w.loc = loc;
  };
  for (const c of cmds) {
    c.loc = loc;
    c.range = range;
    if (c.nameWord) word(c.nameWord);
    c.args.forEach(word);
    for (const r of c.redirects ?? []) {
      r.loc = loc;
      if (r.target) word(r.target);
    }
  }
}

/**
 * An exec-form argv (Dockerfile JSON array, compose `CMD` list): one command whose words are
 * literal (no shell expands them), then, when it runs `sh -c STRING` (also behind wrappers such
 * as `gosu app sh -c`), the commands of STRING marked inShellString.
 */
export async function argvCommands(items: ArgvItem[], file: string, source?: SourceFile): Promise<ArgvCommands> {
  if (items.length === 0) return { commands: [] };
  const words: ShellWord[] = items.map((it) => ({
    text: it.text,
    raw: source && it.range ? source.text.slice(it.range[0], it.range[1]) : JSON.stringify(it.text),
    loc: it.loc,
    literal: true,
  }));
  const first = items[0]!;
  const last = items[items.length - 1]!;
  const loc: Location =
    first.loc.startLine !== undefined && last.loc.endLine !== undefined && first.loc.file === last.loc.file
      ? { file: first.loc.file, startLine: first.loc.startLine, startColumn: first.loc.startColumn ?? 1, endLine: last.loc.endLine, endColumn: last.loc.endColumn ?? 1 }
      : first.loc;
  const cmd: ShellCommand = {
    name: words[0]!.text,
    nameWord: words[0]!,
    args: words.slice(1),
    exec: false,
    assignments: [],
    loc,
    range: first.range && last.range ? [first.range[0], last.range[1]] : [0, 0],
    context: { inCondition: false, background: false, negated: false, subshell: false, joinedBy: ';' },
  };
  const out: ArgvCommands = { commands: [cmd] };
  const k = shellStringArg(items.map((it) => it.text));
  if (k < 0) return out;
  const item = items[k]!;
  const script = await parseWritten(item.text, { file, loc: item.loc, ...(source ? { source } : {}), ...(item.range ? { range: item.range } : {}) });
  for (const c of script.commands) {
    c.context.inShellString = true;
    c.context.shellString = (c.context.shellString ?? 0) + 1;
  }
  out.commands.push(...script.commands);
  out.string = { text: item.text, index: k, script };
  return out;
}

/** Append the commands of another text of the same instruction, keeping `sh -c` string numbers distinct. */
export function appendCommands(out: ShellCommand[], more: ShellCommand[]): void {
  const shift = out.reduce((m, c) => Math.max(m, c.context.shellString ?? 0), 0);
  for (const c of more) {
    if (shift && c.context.shellString !== undefined) c.context.shellString += shift;
    out.push(c);
  }
}

/**
 * The raw arguments of a shell-form instruction (continuations kept, so offsets hold) as the
 * shell sees them: BuildKit drops comment lines inside a continuation, line break included, so
 * they become spaces of the same length (`a \⏎# note⏎&& b` stays one command).
 */
export function withoutContinuationComments(raw: string): string {
  return raw.replace(/(?<=\n)[ \t]*#[^\n]*\n?/g, (c) => ' '.repeat(c.length));
}

/** Offsets of a location in its file (an exec-form element). */
export function rangeOf(source: SourceFile, loc: Location): [number, number] | undefined {
  if (loc.startLine === undefined || loc.endLine === undefined) return undefined;
  return [source.offsetOf(loc.startLine, loc.startColumn ?? 1), source.offsetOf(loc.endLine, loc.endColumn ?? 1)];
}
