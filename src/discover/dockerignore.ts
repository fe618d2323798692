/**
 * `.dockerignore`, matched the way Docker matches it: a port of moby/patternmatcher
 * (ignorefile.ReadAll + New + MatchesOrParentMatches), which both the classic builder and
 * BuildKit use. Not the `ignore` package: .gitignore rules differ (`foo` there matches `a/foo`
 * at any depth; here every pattern is anchored at the context root).
 *
 * - ReadAll: a line starting with `#` is a comment (checked *before* trimming, so ` # x` is a
 *   pattern); lines are trimmed; `!` negates; the rest is cleaned like Go's filepath.Clean and a
 *   leading `/` dropped.
 * - Matching: `*` and `?` stay inside one path segment, `**` spans any number of segments,
 *   `[...]` is a class, `\` escapes. Patterns apply in order and the last one that matches
 *   decides; a path also counts as matched when one of its parent directories matches, which is
 *   how `node_modules` drops `node_modules/x/y` and `!node_modules/keep` brings a subtree back.
 * - A malformed pattern (`[`, `!` alone) makes Docker refuse the build; we report it in `errors`
 *   and leave the pattern out.
 */

export interface Dockerignore {
  /** `relPath` is relative to the build context, with forward slashes (`./` and `/` tolerated) */
  ignores(relPath: string): boolean;
  /** the patterns as Docker keeps them after reading: cleaned, `!` kept in front */
  patterns: string[];
  /** patterns Docker rejects (the build fails with a syntax error) */
  errors: string[];
}

type MatchType = 'exact' | 'prefix' | 'suffix' | 'regexp';

interface Pattern {
  exclusion: boolean;
  cleaned: string;
  type: MatchType;
  regexp?: RegExp;
}

export function createDockerignore(text: string): Dockerignore {
  const patterns = readPatterns(text);
  const errors: string[] = [];
  const compiled: Pattern[] = [];
  for (const raw of patterns) {
    // patternmatcher.New trims and cleans again, then takes the `!` off
    let p = cleanPath(raw.trim());
    let exclusion = false;
    if (p[0] === '!') {
      if (p.length === 1) {
        errors.push('illegal exclusion pattern: "!"');
        continue;
      }
      exclusion = true;
      p = p.slice(1);
    }
    const bad = patternSyntaxError(p);
    if (bad) {
      errors.push(`syntax error in pattern ${JSON.stringify(p)}: ${bad}`);
      continue;
    }
    try {
      compiled.push({ exclusion, cleaned: p, ...compile(p) });
    } catch (e) {
      errors.push(`syntax error in pattern ${JSON.stringify(p)}: ${(e as Error).message}`);
    }
  }

  const ignores = (relPath: string): boolean => {
    const file = cleanPath(relPath.replace(/^\/+/, ''));
    // patternmatcher.MatchesOrParentMatches refuses to exclude the context itself
    if (file === '.') return false;
    const slash = file.lastIndexOf('/');
    const parentDirs = slash < 0 ? [] : file.slice(0, slash).split('/');
    let matched = false;
    for (const pattern of compiled) {
      // an inclusion cannot change a match, an exclusion cannot change a non-match
      if (pattern.exclusion !== matched) continue;
      let match = matches(pattern, file);
      for (let i = 0; !match && i < parentDirs.length; i++) match = matches(pattern, parentDirs.slice(0, i + 1).join('/'));
      if (match) matched = !pattern.exclusion;
    }
    return matched;
  };

  return { ignores, patterns, errors };
}

/** ignorefile.ReadAll */
function readPatterns(text: string): string[] {
  const out: string[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (const line of lines) {
    if (line.startsWith('#')) continue;
    let pattern = line.trim();
    if (!pattern) continue;
    const invert = pattern[0] === '!';
    if (invert) pattern = pattern.slice(1).trim();
    if (pattern) {
      pattern = cleanPath(pattern);
      // "/foo/bar" means "foo/bar": patterns are relative to the context anyway
      if (pattern.length > 1 && pattern[0] === '/') pattern = pattern.slice(1);
    }
    out.push(invert ? '!' + pattern : pattern);
  }
  return out;
}

/** Go's path/filepath.Clean for slash-separated paths. */
export function cleanPath(p: string): string {
  if (p === '') return '.';
  const rooted = p[0] === '/';
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const s = (rooted ? '/' : '') + out.join('/');
  return s || '.';
}

function matches(p: Pattern, path: string): boolean {
  switch (p.type) {
    case 'exact':
      return path === p.cleaned;
    case 'prefix':
      // `dir/**` (and `dir**`): everything starting with the text before the `**`
      return path.startsWith(p.cleaned.slice(0, -2));
    case 'suffix': {
      // `**/foo` (and `**foo`): everything ending with the text after the `**`; `**/foo`
      // also matches `foo` itself
      const suffix = p.cleaned.slice(2);
      return path.endsWith(suffix) || (suffix[0] === '/' && path === suffix.slice(1));
    }
    case 'regexp':
      return p.regexp!.test(path);
  }
}

/** regexp metacharacters that mean nothing to filepath.Match (patternmatcher shouldEscape) */
const META = new Set(['.', '+', '(', ')', '|', '{', '}', '$']);
/** characters that need a backslash to be literal in a JS regexp, in or out of a class */
const JS_SPECIAL = /[\\^$.*+?()[\]{}|/-]/;

/** patternmatcher (*Pattern).compile, with the same shortcuts for exact/prefix/suffix. */
function compile(pattern: string): { type: MatchType; regexp?: RegExp } {
  let re = '^';
  let type: MatchType = 'exact';
  const chars = [...pattern];
  for (let i = 0, k = 0; k < chars.length; i++) {
    const ch = chars[k++]!;
    if (ch === '*') {
      if (chars[k] === '*') {
        k++;
        if (chars[k] === '/') k++; // `**/` is `**`
        if (k >= chars.length) {
          // trailing `**` accepts everything, as in .gitignore
          if (type === 'exact') type = 'prefix';
          else {
            re += '.*';
            type = 'regexp';
          }
        } else {
          re += '(.*/)?'; // any number of directories, even none
          type = 'regexp';
        }
        if (i === 0) type = 'suffix';
      } else {
        re += '[^/]*';
        type = 'regexp';
      }
    } else if (ch === '?') {
      re += '[^/]';
      type = 'regexp';
    } else if (META.has(ch)) {
      re += '\\' + ch;
    } else if (ch === '\\') {
      // the next character is literal; a trailing `\` was rejected by patternSyntaxError
      const next = chars[k++];
      if (next !== undefined) {
        re += JS_SPECIAL.test(next) ? '\\' + next : next;
        type = 'regexp';
      } else re += '\\\\';
    } else if (ch === '[' || ch === ']') {
      re += ch;
      type = 'regexp';
    } else {
      re += ch;
    }
  }
  return type === 'regexp' ? { type, regexp: new RegExp(re + '$') } : { type };
}

/**
 * The checks Go's filepath.Match makes (patternmatcher.New calls it to validate): classes must
 * close and be non-empty, `-` and `]` need a backslash where they are not a range or the end,
 * and a pattern cannot end in a lone `\`.
 */
function patternSyntaxError(p: string): string | undefined {
  const s = [...p];
  let i = 0;
  // getEsc: one class character, maybe escaped; fails on `-`, `]` or the end
  const classChar = (): boolean => {
    if (i >= s.length || s[i] === '-' || s[i] === ']') return false;
    if (s[i] === '\\') i++;
    if (i >= s.length) return false;
    i++;
    return i < s.length;
  };
  while (i < s.length) {
    const c = s[i++];
    if (c === '\\') {
      if (i >= s.length) return 'trailing backslash';
      i++;
    } else if (c === '[') {
      if (s[i] === '^') i++;
      let ranges = 0;
      for (;;) {
        if (s[i] === ']' && ranges > 0) {
          i++;
          break;
        }
        if (!classChar()) return 'bad character class';
        if (s[i] === '-') {
          i++;
          if (!classChar()) return 'bad character range';
        }
        ranges++;
      }
    }
  }
  return undefined;
}
