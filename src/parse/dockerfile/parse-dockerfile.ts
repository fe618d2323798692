/**
 * Dockerfile adapter: dockerfile-ast finds instructions, keywords, flags and heredocs with their
 * positions; everything it gets wrong (see docs/DEPENDENCIES.md §1) we redo here from the source
 * text: continuation joining (it keeps comment lines), exec-form JSON (it drops spaces), heredoc
 * bodies (ranges only) and `<< 'EOF'` (not a heredoc for BuildKit either).
 */
import { DockerfileParser, type Flag, type Heredoc, type Instruction } from 'dockerfile-ast';
import { fileLocation, type Location } from '../../core/location.js';
import type { SourceFile } from '../../core/source-file.js';
import type { DockerArg, DockerfileAst, DockerFlag, DockerHeredoc, DockerInstruction } from './types.js';

const KNOWN = new Set([
  'FROM', 'RUN', 'CMD', 'LABEL', 'MAINTAINER', 'EXPOSE', 'ENV', 'ADD', 'COPY', 'ENTRYPOINT',
  'VOLUME', 'USER', 'WORKDIR', 'ARG', 'ONBUILD', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL',
]);
const EXEC_KEYWORDS = new Set(['RUN', 'CMD', 'ENTRYPOINT', 'SHELL', 'COPY', 'ADD', 'VOLUME']);
const HEREDOC_KEYWORDS = new Set(['RUN', 'COPY', 'ADD', 'ONBUILD']);

interface LspPos { line: number; character: number }
interface LspRange { start: LspPos; end: LspPos }
type Errors = DockerfileAst['errors'];

export function parseDockerfile(source: SourceFile): DockerfileAst {
  const ast: DockerfileAst = { path: source.path, escape: '\\', instructions: [], errors: [], binary: false };
  if (source.text.slice(0, 8000).includes('\0')) {
    ast.binary = true;
    ast.errors.push({ message: 'not a text file', loc: fileLocation(source.path) });
    return ast;
  }
  try {
    const df = DockerfileParser.parse(source.text);
    ast.escape = df.getEscapeCharacter() === '`' ? '`' : '\\';
    const ctx = new Context(source, ast.escape, ast.errors);
    let stage = -1;
    let skipUntil = -1; // end offset of a `<< 'EOF'` body that dockerfile-ast parsed as instructions
    for (const ins of df.getInstructions()) {
      try {
        const start = ctx.offset(ins.getRange().start);
        if (start < skipUntil) continue;
        const keyword = ins.getKeyword();
        if (keyword === 'FROM') stage++;
        const out = ctx.instruction(ins, keyword, stage);
        ast.instructions.push(out.instruction);
        skipUntil = Math.max(skipUntil, out.skipUntil);
        if (!KNOWN.has(keyword)) {
          ast.errors.push({ message: `unknown instruction: ${ins.getInstruction()}`, loc: out.instruction.keywordLoc! });
        }
      } catch (e) {
        ast.errors.push({ message: `could not read instruction: ${errorText(e)}`, loc: ctx.loc(ins.getRange()) });
      }
    }
  } catch (e) {
    ast.errors.push({ message: `could not parse Dockerfile: ${errorText(e)}`, loc: fileLocation(source.path) });
  }
  return ast;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The arguments as one logical line: characters plus the source offset of each one. */
interface Logical { text: string; offs: number[] }

class Context {
  /** line starts the way dockerfile-ast's TextDocument counts lines (\r\n, \r or \n) */
  private readonly starts: number[] = [0];

  constructor(readonly source: SourceFile, readonly escape: string, readonly errors: Errors) {
    const t = source.text;
    for (let i = 0; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (c === 10 || (c === 13 && t.charCodeAt(i + 1) !== 10)) this.starts.push(i + 1);
    }
  }

  offset(p: LspPos): number {
    const base = this.starts[p.line] ?? this.source.text.length;
    return Math.min(base + p.character, this.source.text.length);
  }

  loc(r: LspRange): Location {
    return this.source.location(this.offset(r.start), this.offset(r.end));
  }

  instruction(ins: Instruction, keyword: string, stage: number): { instruction: DockerInstruction; skipUntil: number } {
    const range: [number, number] = [this.offset(ins.getRange().start), this.offset(ins.getRange().end)];
    const anyIns = ins as unknown as { getFlags?: () => Flag[]; getHeredocs?: () => Heredoc[] };
    const flags: DockerFlag[] = (anyIns.getFlags?.() ?? []).map((f) => ({ name: f.getName(), value: f.getValue(), loc: this.loc(f.getRange()) }));
    const firstArg = ins.getArguments()[0];
    // when there are no arguments, point just after the flags (or the keyword)
    const lastFlag = anyIns.getFlags?.().at(-1);
    const fallback = this.offset((lastFlag?.getRange() ?? ins.getInstructionRange()).end);
    const logical = firstArg ? this.join(this.offset(firstArg.getRange().start), range[1]) : { text: '', offs: [] };
    const { text: argsText, offs } = logical;
    const argsRange: [number, number] = argsText ? [offs[0]!, offs[offs.length - 1]! + 1] : [fallback, fallback];
    const span = (a: number, b: number): Location => this.source.location(offs[a]!, offs[b - 1]! + 1);
    const args: DockerArg[] = splitWords(argsText, this.escape).map(([a, b]) => ({ value: argsText.slice(a, b), loc: span(a, b) }));

    let exec: string[] | null = null;
    let execLocs: Location[] | undefined;
    let jsonAt = -1;
    if (EXEC_KEYWORDS.has(keyword)) jsonAt = 0;
    else if (keyword === 'HEALTHCHECK') jsonAt = /^CMD[ \t]+/i.exec(argsText)?.[0].length ?? -1;
    if (jsonAt >= 0) {
      exec = parseExec(argsText.slice(jsonAt));
      if (exec) execLocs = jsonStringSpans(argsText, jsonAt).map(([a, b]) => span(a, b));
    }

    let skipUntil = -1;
    const heredocs: DockerHeredoc[] = [];
    if (HEREDOC_KEYWORDS.has(keyword)) {
      for (const h of anyIns.getHeredocs?.() ?? []) {
        if (h.getName() === '') skipUntil = Math.max(skipUntil, this.brokenHeredoc(h, range[1]));
        else heredocs.push(this.heredoc(h));
      }
    }
    const instruction: DockerInstruction = {
      keyword,
      loc: this.source.location(range[0], range[1]),
      range,
      argsText,
      argsLoc: this.source.location(argsRange[0], argsRange[1]),
      argsRange,
      exec,
      flags,
      args,
      heredocs,
      stage,
      keywordLoc: this.loc(ins.getInstructionRange()),
    };
    if (execLocs) instruction.execLocs = execLocs;
    return { instruction, skipUntil };
  }

  /**
   * Joins the logical line that starts at `from` the way BuildKit does: an escape char followed by
   * optional blanks and a newline continues the line, comment and blank lines inside a continuation
   * are dropped, leading whitespace of continued lines is kept. Stops at the first real newline, so
   * heredoc bodies (which follow that line) are not included.
   */
  private join(from: number, end: number): Logical {
    const t = this.source.text;
    let text = '';
    const offs: number[] = [];
    let i = from;
    while (i < end) {
      const c = t[i]!;
      if (c === '\n' || (c === '\r' && (t[i + 1] === '\n' || t[i + 1] === undefined))) break;
      if (c === this.escape) {
        const next = lineBreakAfterBlanks(t, i + 1);
        if (next >= 0) {
          i = skipIgnoredLines(t, next, end);
          continue;
        }
      }
      text += c;
      offs.push(i);
      i++;
    }
    const trimmed = text.replace(/[ \t\r]+$/, '');
    return { text: trimmed, offs: offs.slice(0, trimmed.length) };
  }

  private heredoc(h: Heredoc): DockerHeredoc {
    const t = this.source.text;
    const marker = this.offset(h.getStartRange().start);
    const chomp = t.startsWith('<<-', marker);
    const nameStart = this.offset(h.getNameRange().start);
    const quoted = t[nameStart - 1] === "'" || t[nameStart - 1] === '"';
    const content = h.getContentRange();
    const delimiter = h.getDelimiterRange();
    const closeLine = delimiter ? this.starts[delimiter.start.line]! : t.length;
    const bodyStart = content ? this.offset(content.start) : closeLine;
    let body = t.slice(bodyStart, closeLine).replace(/\r\n/g, '\n');
    if (body && !body.endsWith('\n')) body += '\n';
    if (chomp) body = body.replace(/^\t+/gm, '');
    if (!delimiter) {
      this.errors.push({ message: `heredoc <<${h.getName()} is never closed: no line reads ${h.getName()}`, loc: this.loc(h.getStartRange()) });
    }
    const bodyEnd = bodyStart + t.slice(bodyStart, closeLine).replace(/\r?\n$/, '').length;
    const loc = content ? this.source.location(bodyStart, bodyEnd) : this.loc(h.getStartRange());
    return { name: h.getName(), body, loc, chomp, quoted, bodyRange: [bodyStart, closeLine] };
  }

  /**
   * `<< 'EOF'` (a blank after `<<`): BuildKit splits it into the words `<<` and `EOF`, so it is no
   * heredoc and the body lines are read as instructions ("unknown instruction"). Report it once and
   * return the end of the intended body so those bogus instructions are skipped. The word check
   * keeps shell arithmetic like `$((1 << 2))` out.
   */
  private brokenHeredoc(h: Heredoc, insEnd: number): number {
    const t = this.source.text;
    const at = this.offset(h.getStartRange().start);
    const m = /^<<(-?)[ \t]+(['"]?)([A-Za-z_][\w.-]*)\2(?=[ \t\r\n]|$)/.exec(t.slice(at, at + 200));
    if (!m) return -1;
    const [, dash, quote, word] = m;
    let pos = t.indexOf('\n', insEnd);
    let bodyEnd = -1;
    while (pos >= 0 && pos < t.length) {
      const next = t.indexOf('\n', pos + 1);
      const lineEnd = next < 0 ? t.length : next;
      let line = t.slice(pos + 1, lineEnd).replace(/\r$/, '');
      if (dash) line = line.replace(/^\t+/, '');
      if (line === word) {
        bodyEnd = lineEnd;
        break;
      }
      pos = next;
    }
    if (bodyEnd < 0 && !quote) return -1;
    this.errors.push({
      message: `"${m[0]}" is not a heredoc: with a space after "<<" BuildKit reads the lines below as Dockerfile instructions (write "<<${dash}${quote}${word}${quote}")`,
      loc: this.source.location(at, at + m[0].length),
    });
    return bodyEnd;
  }
}

/** Index just past the line break when `t[i..]` is blanks then a line break (or the end of text), else -1. */
function lineBreakAfterBlanks(t: string, i: number): number {
  while (t[i] === ' ' || t[i] === '\t') i++;
  if (i >= t.length) return i;
  if (t[i] === '\n') return i + 1;
  if (t[i] === '\r') return t[i + 1] === '\n' ? i + 2 : i + 1;
  return -1;
}

/** Skips blank and comment lines that follow a continuation; returns the start of the next real line. */
function skipIgnoredLines(t: string, pos: number, end: number): number {
  while (pos < end) {
    let i = pos;
    while (t[i] === ' ' || t[i] === '\t') i++;
    if (t[i] === '#') {
      const nl = t.indexOf('\n', i);
      pos = nl < 0 ? t.length : nl + 1;
    } else if (t[i] === '\n' || t[i] === '\r') {
      pos = t[i] === '\r' && t[i + 1] === '\n' ? i + 2 : i + 1;
    } else break;
  }
  return pos;
}

/** Word spans [start, end) of shell-form text: blanks separate words, quotes and escapes group. */
export function splitWords(s: string, escape: string): [number, number][] {
  const out: [number, number][] = [];
  let i = 0;
  while (i < s.length) {
    while (s[i] === ' ' || s[i] === '\t') i++;
    if (i >= s.length) break;
    const start = i;
    while (i < s.length && s[i] !== ' ' && s[i] !== '\t') {
      const c = s[i];
      if (c === escape) i += 2;
      else if (c === "'") i = closing(s, i + 1, "'", null);
      else if (c === '"') i = closing(s, i + 1, '"', escape);
      else i++;
    }
    out.push([start, Math.min(i, s.length)]);
  }
  return out;
}

/** Index just past the closing quote (or the end of text when the quote is never closed). */
function closing(s: string, i: number, quote: string, escape: string | null): number {
  while (i < s.length && s[i] !== quote) i += s[i] === escape ? 2 : 1;
  return Math.min(i + 1, s.length);
}

/** BuildKit's exec form: the whole text is a JSON array of strings, else it is shell form. */
function parseExec(text: string): string[] | null {
  if (!text.startsWith('[')) return null;
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) && v.every((s) => typeof s === 'string') ? (v as string[]) : null;
  } catch {
    return null;
  }
}

/** Spans of the JSON string literals in `s` from `from` on (only called once the JSON parsed). */
function jsonStringSpans(s: string, from: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = from; i < s.length; i++) {
    if (s[i] !== '"') continue;
    const end = closing(s, i + 1, '"', '\\');
    out.push([i, end]);
    i = end - 1;
  }
  return out;
}
