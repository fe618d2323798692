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
  let out = text;
  const list = [...secrets].filter((s) => s.length >= 8).sort((a, b) => b.length - a.length);
  for (const s of list) for (const form of new Set([s, JSON.stringify(s).slice(1, -1), escapeHtml(s)])) out = out.split(form).join(MASK);
  out = out.replace(URL_CREDENTIALS, (m, head: string, pw: string, at: string) => (pw === MASK || /^\$\{?[A-Za-z_]/.test(pw) ? m : `${head}${MASK}${at}`));
  const short = new Set([...secrets].filter((s) => s.length < 8));
  return out.replace(ASSIGNMENT, (m, name: string, sep: string, value: string, offset: number, whole: string) => {
    // `${PASSWORD:?message}` is an interpolation, not an assignment
    if (whole.slice(Math.max(0, offset - 2), offset) === '${') return m;
    const bare = value.replace(/^(["'])(.*)\1$/, '$2').replace(/^&quot;(.*)&quot;$/, '$1');
    if (!bare || bare === MASK || /^\$\{?[A-Za-z_]/.test(bare)) return m;
    if (!looksSecretName(name) && !short.has(bare)) return m;
    if (value.startsWith('&quot;')) return `${name}${sep}&quot;${MASK}&quot;`;
    return `${name}${sep}${value.startsWith('"') || value.startsWith("'") ? value[0] + MASK + value[0] : MASK}`;
  });
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
