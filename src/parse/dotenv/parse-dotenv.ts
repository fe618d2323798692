/**
 * The `.env` dialect of Docker Compose, read the way compose-go's dotenv/parser.go reads it
 * (DEPENDENCIES.md §6). Not the `dotenv` npm package: that one does no interpolation, cuts
 * `a#b` at the hash and drops bare `KEY` lines.
 *
 * Differences from compose-go, all deliberate:
 * - compose-go stops at the first bad line; we report it (with its location) and go on with the
 *   next line, so one typo does not hide the rest of the file;
 * - text after a closing quote (`K="a" b`) is silently read by compose-go as the start of the
 *   next statement (here: a bare key `b`); we report it instead and keep `K`;
 * - an empty key (`=value`) is accepted by compose-go; we report it and skip the entry.
 */
import type { SourceFile } from '../../core/source-file.js';
import { interpolate } from '../interpolate.js';
import type { DotenvEntry, DotenvFile } from './types.js';

export interface ParseDotenvOptions {
  /**
   * Which wins when a value refers to a name both defined earlier in this file and known to
   * `lookup`. Default `'file'`: earlier keys of this file first. compose-go's own order is
   * `'lookup'` (dotenv.ExpandVariables asks lookupFn, i.e. the process environment, first).
   */
  precedence?: 'file' | 'lookup';
}

/** compose-go's isSpace: blanks that are not a line break. */
const isBlank = (c: string | undefined): boolean =>
  c === ' ' || c === '\t' || c === '\v' || c === '\f' || c === '\r' || c === '\u0085' || c === '\u00a0';

/** `export ` before a key, matched at a given offset */
const EXPORT = /export[ \t]+/y;

/** Key characters: compose-go takes unicode letters and digits plus `_ . - [ ]`. */
const KEY_CHAR = /^[\p{L}\p{N}_.\-[\]]$/u;

/** Escapes expanded in double quotes (compose-go expandEscapes: the XSI `echo` set, plus `\$`). */
const ESCAPE = /\\([abfnrtv"\\$]|0[0-3][0-7]{2})/g;
const ESCAPED: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '"': '"', '\\': '\\' };

export function parseDotenv(
  source: SourceFile,
  lookup: (name: string) => string | undefined,
  options: ParseDotenvOptions = {},
): DotenvFile {
  const text = source.text;
  const entries: DotenvEntry[] = [];
  const values = new Map<string, DotenvEntry>();
  const errors: DotenvFile['errors'] = [];
  // what later lines see when they interpolate `${KEY}`
  const scope = new Map<string, string>();
  const resolve =
    options.precedence === 'lookup'
      ? (n: string) => lookup(n) ?? scope.get(n)
      : (n: string) => (scope.has(n) ? scope.get(n) : lookup(n));

  const lineEnd = (from: number): number => {
    const nl = text.indexOf('\n', from);
    return nl < 0 ? text.length : nl;
  };
  /** end of the physical line's content, without `\r\n` */
  const contentEnd = (from: number): number => {
    const e = lineEnd(from);
    return e > from && text[e - 1] === '\r' ? e - 1 : e;
  };
  const error = (message: string, start: number, end: number) =>
    errors.push({ message, loc: source.location(start, end) });

  // compose-go strips a UTF-8 BOM before parsing (editors on Windows add it)
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (;;) {
    // getStatementStart: skip blank space (line breaks included), then comment lines
    while (pos < text.length && /\s/.test(text[pos]!)) pos++;
    if (pos >= text.length) break;
    if (text[pos] === '#') {
      pos = lineEnd(pos);
      continue;
    }
    const stmtStart = pos;
    const lineStart = text.lastIndexOf('\n', stmtStart - 1) + 1;

    // `export KEY=...` (compose-go: ^export\s+; `exportFOO=1` is the key `exportFOO`)
    EXPORT.lastIndex = pos;
    if (EXPORT.test(text)) pos = EXPORT.lastIndex;

    // --- the key: up to `=`, `:` or the end of the line; blanks are skipped while scanning
    const keyStart = pos;
    let i = pos;
    let bad: string | undefined;
    while (i < text.length) {
      const c = String.fromCodePoint(text.codePointAt(i)!);
      if (c === '=' || c === ':' || c === '\n') break;
      if (!isBlank(c) && !KEY_CHAR.test(c)) {
        bad = c;
        break;
      }
      i += c.length;
    }
    if (bad !== undefined) {
      error(`unexpected character ${JSON.stringify(bad)} in variable name ${JSON.stringify(text.slice(keyStart, contentEnd(keyStart)))}`, stmtStart, contentEnd(stmtStart));
      pos = lineEnd(stmtStart);
      continue;
    }
    let keyEnd = i;
    while (keyEnd > keyStart && isBlank(text[keyEnd - 1])) keyEnd--;
    const key = text.slice(keyStart, keyEnd);
    if ([...key].some(isBlank)) {
      error('key cannot contain a space', stmtStart, contentEnd(stmtStart));
      pos = lineEnd(stmtStart);
      continue;
    }

    // --- a bare `KEY` line: compose-go takes the value from the environment, if it is there
    if (i >= text.length || text[i] === '\n') {
      const end = contentEnd(stmtStart);
      if (!key) {
        pos = lineEnd(stmtStart);
        continue;
      }
      const entry: DotenvEntry = {
        key,
        value: null,
        raw: '',
        quote: 'none',
        loc: source.location(stmtStart, end),
        valueLoc: source.location(keyEnd, keyEnd),
        range: [lineStart, end],
      };
      const inherited = lookup(key);
      if (inherited !== undefined) scope.set(key, inherited);
      add(entry);
      pos = lineEnd(stmtStart);
      continue;
    }

    // --- the value starts after the separator and any blanks
    let valueStart = i + 1;
    while (valueStart < text.length && isBlank(text[valueStart])) valueStart++;
    const q = text[valueStart];
    let raw: string;
    let value: string;
    let quote: DotenvEntry['quote'];
    let valueEnd: number;
    let next: number;
    let interpolated: ReturnType<typeof interpolate> | undefined;

    if (q === '"' || q === "'") {
      // compose-go's loop: a backslash escapes the quote character in *both* quote styles
      // (`'it\'s'` is `it's`); any other backslash is kept for expandEscapes to look at.
      let chars = '';
      let escaped = false;
      let close = -1;
      for (let j = valueStart + 1; j < text.length; j++) {
        const c = text[j]!;
        if (c !== q) {
          if (!escaped && c === '\\') {
            escaped = true;
            continue;
          }
          if (escaped) chars += '\\';
          escaped = false;
          chars += c;
          continue;
        }
        if (escaped) {
          escaped = false;
          chars += c;
          continue;
        }
        close = j;
        break;
      }
      if (close < 0) {
        const end = contentEnd(valueStart);
        error(`unterminated quoted value ${text.slice(valueStart, end)}`, stmtStart, end);
        pos = lineEnd(stmtStart);
        continue;
      }
      quote = q === '"' ? 'double' : 'single';
      valueEnd = close + 1;
      raw = text.slice(valueStart, valueEnd);
      if (quote === 'double') {
        interpolated = interpolate(expandEscapes(chars), resolve);
        value = interpolated.value;
      } else {
        value = chars; // single quotes: literal, no interpolation
      }
      // after the closing quote only blanks and a `#` comment may follow on that line
      let k = valueEnd;
      while (k < text.length && isBlank(text[k])) k++;
      if (k < text.length && text[k] !== '\n' && text[k] !== '#') {
        error('unexpected text after the closing quote', k, contentEnd(k));
      }
      next = lineEnd(valueEnd);
    } else {
      // unquoted: to the end of the line, cut at ` #` (a `#` right after a non-blank is kept:
      // `a#b`), right-trimmed, then interpolated. compose-go cuts at a space followed by `#`
      // only, and blanks after the separator are skipped first, so `K= #x` gives "#x".
      const end = lineEnd(valueStart);
      let seg = text.slice(valueStart, end);
      const cut = seg.indexOf(' #');
      if (cut >= 0) seg = seg.slice(0, cut);
      raw = seg.replace(/[\s\u0085]+$/u, '');
      quote = 'none';
      valueEnd = valueStart + raw.length;
      interpolated = interpolate(raw, resolve);
      value = interpolated.value;
      next = end;
    }

    const valueLoc = source.location(valueStart, valueEnd);
    for (const message of interpolated?.errors ?? []) errors.push({ message, loc: valueLoc });
    const end = contentEnd(valueEnd);
    if (!key) {
      error('missing variable name before the separator', stmtStart, end);
    } else {
      scope.set(key, value);
      add({ key, value, raw, quote, loc: source.location(stmtStart, end), valueLoc, range: [lineStart, end] });
    }
    pos = next;
  }

  function add(entry: DotenvEntry): void {
    entries.push(entry);
    values.set(entry.key, entry);
  }

  return { path: source.path, entries, values, errors };
}

/**
 * compose-go expandEscapes: `\a \b \f \n \r \t \v \\ \"` and XSI octal `\0ooo` become the
 * character; `\$` becomes `$$` so interpolation leaves a literal `$`; any other backslash
 * sequence (`\x41`, `\ `) stays as written.
 */
function expandEscapes(s: string): string {
  return s.replace(ESCAPE, (m, e: string) => {
    if (e === '$') return '$$';
    if (e[0] === '0') return String.fromCharCode(parseInt(e.slice(1), 8));
    return ESCAPED[e] ?? m;
  });
}
