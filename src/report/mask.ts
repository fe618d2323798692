/**
 * Mask secrets in rendered output. Applied to every format's final string, so no reporter can
 * leak a value by quoting a source line, a message or an environment table.
 *
 * Two passes: every known secret value of 8+ characters is replaced wherever it appears; and on
 * any line that assigns a secret-looking name (`DB_PASSWORD=...`, `API_TOKEN: ...`), the value
 * is replaced whatever its length. Short values are not replaced globally because a 4-letter
 * dev password like `shop` would also erase every path and name that contains the word.
 */
import { looksSecretName } from '../model/secrets.js';

const MASK = '******';
/** `scheme://user:password@host`: the password part, whatever its length */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/[^:/@\s"']+:)([^@\s"'/]+)(@)/gi;
// a quoted value, or a bare one that stops at quotes and backslashes (so an embedded JSON or
// HTML string delimiter is never swallowed)
const ASSIGNMENT = /(\b[A-Za-z_][A-Za-z0-9_.-]*)(\s*[:=]\s*)("[^"\n]*"|'[^'\n]*'|&quot;(?:(?!&quot;)[^\n])*&quot;|[^\s#,}\]"'\\<&]+)/g;

export function maskSecrets(text: string, secrets: ReadonlySet<string>): string {
  return maskerFor(secrets)(text);
}

/** One compiled masker per set of secrets: JSON formats call it once per string. */
const maskers = new WeakMap<ReadonlySet<string>, (text: string) => string>();

function maskerFor(secrets: ReadonlySet<string>): (text: string) => string {
  const cached = maskers.get(secrets);
  if (cached) return cached;
  // every written form of each long secret (raw, JSON-escaped, HTML-escaped), longest first so
  // a secret that contains another is masked whole
  const forms = [...new Set([...secrets].filter((x) => x.length >= 8).flatMap((x) => [x, JSON.stringify(x).slice(1, -1), escapeHtml(x)]))]
    .filter((f) => f.length >= 3)
    .sort((a, b) => b.length - a.length);
  const long = forms.length ? new RegExp(forms.map(escapeRegExp).join('|'), 'g') : null;
  const short = new Set([...secrets].filter((x) => x.length < 8));
  const masker = (text: string): string => {
    let out = long ? text.replace(long, MASK) : text;
    if (out.includes('://')) out = out.replace(URL_CREDENTIALS, (m, head: string, pw: string, at: string) => (pw === MASK || /^\$\{?[A-Za-z_]/.test(pw) ? m : `${head}${MASK}${at}`));
    return out.replace(ASSIGNMENT, (m, name: string, sep: string, value: string, offset: number, whole: string) => {
      // `${PASSWORD:?message}` is an interpolation, not an assignment
      if (whole.slice(Math.max(0, offset - 2), offset) === '${') return m;
      const bare = value.replace(/^(["'])(.*)\1$/, '$2').replace(/^&quot;(.*)&quot;$/, '$1');
      if (!bare || bare === MASK || /^\$\{?[A-Za-z_]/.test(bare)) return m;
      if (!short.has(bare) && !looksSecretName(name)) return m;
      if (value.startsWith('&quot;')) return `${name}${sep}&quot;${MASK}&quot;`;
      return `${name}${sep}${value.startsWith('"') || value.startsWith("'") ? value[0] + MASK + value[0] : MASK}`;
    });
  };
  maskers.set(secrets, masker);
  return masker;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
