/**
 * A deliberately small, synchronous reader for the one-line shell texts rules look at (a
 * `CMD-SHELL` healthcheck, a `RUN` line): simple commands joined by `&&`, `||`, `|` and `;`.
 * Anything richer (command substitution, subshells, groups, `if`/`for`/`while`/`case`, heredocs,
 * background jobs) makes it return undefined, and the caller stays silent.
 */

export interface ShellWordLite {
  /** the word after quote removal */
  text: string;
  /** as written */
  raw: string;
  /** no expansion, glob or tilde: `text` is exactly what the program gets */
  literal: boolean;
}

export interface SimpleCommandLite {
  /** the connector before this command (`start` for the first) */
  op: 'start' | '&&' | '||' | '|' | ';';
  /** program and arguments, without leading `VAR=value` assignments and redirections */
  words: ShellWordLite[];
  assignments: string[];
  /** redirection targets (`> file`, `2>/dev/null`); `&1`-style duplications left out */
  redirects: string[];
}

const KEYWORDS = new Set(['if', 'then', 'else', 'elif', 'fi', 'for', 'while', 'until', 'do', 'done', 'case', 'esac', 'function', 'select', '{', '}', '!', 'in', 'coproc']);

export function splitSimpleCommands(text: string): SimpleCommandLite[] | undefined {
  const out: SimpleCommandLite[] = [];
  let cur: SimpleCommandLite = { op: 'start', words: [], assignments: [], redirects: [] };
  let pendingRedirect = false;
  let i = 0;
  const n = text.length;

  const finish = (op: SimpleCommandLite['op']): boolean => {
    if (pendingRedirect) return false;
    if (cur.words.length || cur.assignments.length) out.push(cur);
    else if (op !== ';' || out.length === 0) {
      // `&& &&`, a leading operator: not a text we read
      if (op !== ';') return false;
    }
    cur = { op, words: [], assignments: [], redirects: [] };
    return true;
  };

  while (i < n) {
    const c = text[i]!;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '\\' && text[i + 1] === '\n') {
      i += 2;
      continue;
    }
    if (c === '\n' || c === ';') {
      if (c === ';' && text[i + 1] === ';') return undefined;
      if (!finish(';')) return undefined;
      i++;
      continue;
    }
    if (c === '&') {
      if (text[i + 1] === '&') {
        if (!finish('&&')) return undefined;
        i += 2;
        continue;
      }
      if (text[i + 1] === '>') {
        // `&> file`
        i += text[i + 2] === '>' ? 3 : 2;
        pendingRedirect = true;
        continue;
      }
      return undefined; // background job
    }
    if (c === '|') {
      if (text[i + 1] === '|') {
        if (!finish('||')) return undefined;
        i += 2;
        continue;
      }
      if (text[i + 1] === '&') return undefined;
      if (!finish('|')) return undefined;
      i++;
      continue;
    }
    if (c === '(' || c === ')' || c === '`') return undefined;
    if (c === '#') {
      // a comment runs to the end of the line
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (c === '>' || c === '<') {
      if (text[i + 1] === '<') return undefined; // heredoc / here-string
      i++;
      if (text[i] === '>' || text[i] === '|' || text[i] === '&') {
        if (text[i] === '&') {
          // `>&2`, `<&0`: duplication, no file
          i++;
          while (i < n && /[0-9-]/.test(text[i]!)) i++;
          continue;
        }
        i++;
      }
      pendingRedirect = true;
      continue;
    }
    // a word
    const start = i;
    let word = '';
    let literal = true;
    let quoted = false;
    while (i < n) {
      const ch = text[i]!;
      if (ch === "'") {
        const end = text.indexOf("'", i + 1);
        if (end < 0) return undefined;
        word += text.slice(i + 1, end);
        quoted = true;
        i = end + 1;
        continue;
      }
      if (ch === '"') {
        quoted = true;
        i++;
        while (i < n && text[i] !== '"') {
          const d = text[i]!;
          if (d === '`' || (d === '$' && text[i + 1] === '(')) return undefined;
          if (d === '$') literal = false;
          if (d === '\\' && i + 1 < n && '"\\$`\n'.includes(text[i + 1]!)) {
            if (text[i + 1] !== '\n') word += text[i + 1];
            i += 2;
            continue;
          }
          word += d;
          i++;
        }
        if (i >= n) return undefined;
        i++;
        continue;
      }
      if (ch === '\\') {
        if (i + 1 < n && text[i + 1] !== '\n') word += text[i + 1];
        i += 2;
        continue;
      }
      if (ch === '`' || (ch === '$' && text[i + 1] === '(')) return undefined;
      if (' \t\n;&|()<>'.includes(ch)) break;
      if (ch === '$' || ch === '*' || ch === '?' || ch === '[' || (ch === '~' && i === start) || ch === '{') literal = false;
      word += ch;
      i++;
    }
    // `2>file`, `2>&1`: a word of digits right before a redirection is its file descriptor
    if ((text[i] === '>' || text[i] === '<') && /^\d+$/.test(text.slice(start, i))) continue;
    const raw = text.slice(start, i);
    if (pendingRedirect) {
      pendingRedirect = false;
      cur.redirects.push(word);
      continue;
    }
    if (!cur.words.length && !quoted && /^[A-Za-z_][A-Za-z0-9_]*=/.test(raw)) {
      cur.assignments.push(raw);
      continue;
    }
    if (!cur.words.length && !quoted && KEYWORDS.has(raw)) return undefined;
    cur.words.push({ text: word, raw, literal });
  }
  if (pendingRedirect) return undefined;
  if (cur.words.length || cur.assignments.length) out.push(cur);
  else if (cur.op !== ';' && cur.op !== 'start') return undefined;
  return out;
}
