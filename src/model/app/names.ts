/**
 * Which variables belong to the app, and "did you mean": a variable is judged only when it sits
 * in the app's own namespace — it starts with a class's `env_prefix`, it has the nested-delimiter
 * shape of a known nested model (`DATABASE__NAME` when `database` is a nested field), or it is
 * within two edits of (or a token subset of) a known variable. Well-known third-party variables,
 * variables the app reads directly (`os.environ`) and names the code or scripts mention are
 * never judged.
 */
import { thirdPartyEnv } from '../../knowledge/third-party-env.js';
import type { AppModel, ServiceApp, SettingsClass, SettingsField } from './types.js';

export interface KnownName {
  cls: SettingsClass;
  field: SettingsField;
  name: string;
}

const norm = (cls: SettingsClass, n: string): string => (cls.caseSensitive ? n : n.toUpperCase());

/** The settings field a variable sets in this app, if any. */
export function fieldForVariable(app: ServiceApp, name: string): KnownName | undefined {
  for (const cls of app.settings) {
    const n = norm(cls, name);
    for (const field of cls.fields) if (field.envNames.includes(n)) return { cls, field, name: n };
  }
  return undefined;
}

export interface UnknownVerdict {
  /** why the variable counts as the app's: `prefix`, `nested` (delimiter shape) or `near` */
  reason: 'prefix' | 'nested' | 'near';
  cls: SettingsClass;
  suggestion?: KnownName;
  /** for the nested shape: the nested field whose sub-field is missing */
  nestedField?: SettingsField;
}

/**
 * Judge a variable nothing reads. Undefined when it is not the app's business (or it is known):
 * only variables in the app's namespace get a verdict.
 */
export function judgeVariable(app: ServiceApp, name: string, mentioned?: AppModel['mentioned']): UnknownVerdict | undefined {
  if (fieldForVariable(app, name)) return undefined;
  if (app.envReads.some((r) => r.name === name)) return undefined;
  if (thirdPartyEnv(name)) return undefined;
  if (mentioned?.has(name)) return undefined;
  for (const cls of app.settings) {
    if (cls.opaque && /customises|computed/.test(cls.opaque)) continue;
    const n = norm(cls, name);
    const known = cls.fields.flatMap((field) => field.envNames.map((en) => ({ cls, field, name: en })));
    if (!known.length) continue;
    const prefix = norm(cls, cls.envPrefix);
    const rest = prefix && n.startsWith(prefix) ? n.slice(prefix.length) : n;
    const d = cls.nestedDelimiter;
    if (d && rest.includes(d)) {
      const head = prefix && n.startsWith(prefix) ? prefix + rest.slice(0, rest.indexOf(d)) : n.slice(0, n.indexOf(d));
      const nestedField = cls.fields.find((f) => f.nested && f.envNames.includes(head));
      if (nestedField) {
        const subs = known.filter((k) => k.field.parent === nestedField.path && k.name.startsWith(head + d));
        const tail = n.slice(head.length + d.length);
        const suggestion = bestNested(tail, subs, head + d);
        return { reason: 'nested', cls, nestedField, ...(suggestion ? { suggestion } : {}) };
      }
    }
    const near = nearest(n, known);
    if (prefix && n.startsWith(prefix) && n !== prefix) return { reason: 'prefix', cls, ...(near ? { suggestion: near } : {}) };
    if (near) return { reason: 'near', cls, suggestion: near };
  }
  return undefined;
}

// ------------------------------------------------------------------ similarity

const SYNONYMS: readonly (readonly string[])[] = [
  ['NAME', 'DATABASE', 'DB', 'DBNAME', 'DB_NAME', 'DATABASE_NAME', 'SCHEMA'],
  ['USER', 'USERNAME', 'LOGIN', 'USR', 'USER_NAME'],
  ['PASSWORD', 'PASS', 'PASSWD', 'PWD', 'SECRET'],
  ['HOST', 'HOSTNAME', 'SERVER', 'ADDR', 'ADDRESS', 'HOST_NAME'],
  ['URL', 'URI', 'DSN', 'ENDPOINT'],
  ['ENABLED', 'ENABLE', 'ACTIVE', 'ON'],
  ['KEY', 'SECRET_KEY', 'TOKEN', 'API_KEY'],
  ['TIMEOUT', 'TTL', 'EXPIRY', 'EXPIRES'],
];

function synonyms(a: string, b: string): boolean {
  const A = a.toUpperCase();
  const B = b.toUpperCase();
  return SYNONYMS.some((g) => g.includes(A) && g.includes(B));
}

function bestNested(tail: string, subs: KnownName[], head: string): KnownName | undefined {
  const leaf = (k: KnownName): string => k.name.slice(head.length);
  const syn = subs.find((k) => synonyms(tail, leaf(k)));
  if (syn) return syn;
  let best: KnownName | undefined;
  let bestD = Infinity;
  for (const k of subs) {
    const dist = editDistance(tail.toUpperCase(), leaf(k).toUpperCase());
    if (dist < bestD) {
      bestD = dist;
      best = k;
    }
  }
  return best && bestD <= Math.max(2, Math.floor(tail.length / 3)) ? best : undefined;
}

/** A known name within 2 edits, or whose `_`-separated words include all of the variable's (2+ words). */
function nearest(name: string, known: KnownName[]): KnownName | undefined {
  const N = name.toUpperCase();
  let best: KnownName | undefined;
  let bestD = 3;
  if (N.length >= 5)
    for (const k of known) {
      const K = k.name.toUpperCase();
      if (K.length < 5) continue;
      const dist = editDistance(N, K, bestD);
      if (dist < bestD) {
        bestD = dist;
        best = k;
      }
    }
  if (best) return best;
  const words = N.split(/_+/).filter(Boolean);
  if (words.length < 2) return undefined;
  for (const k of known) {
    const kw = k.name.toUpperCase().split(/_+/).filter(Boolean);
    if (kw.length > words.length && kw.length - words.length <= 2 && words.every((w) => kw.includes(w))) return k;
  }
  return undefined;
}

/** Optimal-string-alignment distance (adjacent transpositions count as one), cut off at `max`. */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (Math.abs(a.length - b.length) >= max) return max;
  const prev2 = new Array<number>(b.length + 1).fill(0);
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = new Array<number>(b.length + 1).fill(0);
    cur[0] = i;
    let rowMin = cur[0];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin >= max) return max;
    for (let j = 0; j <= b.length; j++) prev2[j] = prev[j]!;
    prev = cur;
  }
  return prev[b.length]!;
}
