/**
 * One glob matcher for the patterns drydock meets: COPY/ADD sources and .dockerignore-free
 * path globs (Go's filepath.Match: `*` and `?` stay inside one path segment) and shell `case`
 * patterns (`*` matches anything, `/` included). `[...]` classes accept `!` or `^` to negate; a
 * `[` with no closing `]` is a literal bracket; a backslash escapes the next character.
 */
export function hasGlob(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

export function globToRegExp(pattern: string, options: { crossSlash?: boolean } = {}): RegExp {
  const any = options.crossSlash ? '[\\s\\S]' : '[^/]';
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += `${any}*`;
    else if (c === '?') re += any;
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        let body = pattern.slice(i + 1, end);
        const negate = body.startsWith('!') || body.startsWith('^');
        if (negate) body = body.slice(1);
        re += `[${negate ? '^' : ''}${body.replace(/[\\\]]/g, '\\$&')}]`;
        i = end;
      }
    } else if (c === '\\' && i + 1 < pattern.length) re += escapeRegExp(pattern[++i]!);
    else re += escapeRegExp(c);
  }
  try {
    return new RegExp(`^${re}$`);
  } catch {
    return /(?!)/; // a class the RegExp engine rejects matches nothing, as Go's ErrBadPattern
  }
}

export function globMatch(pattern: string, text: string, options: { crossSlash?: boolean } = {}): boolean {
  return globToRegExp(pattern, options).test(text);
}

function escapeRegExp(c: string): string {
  return /[.+^${}()|[\]\\/*?]/.test(c) ? `\\${c}` : c;
}
