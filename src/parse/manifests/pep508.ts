/**
 * PEP 508 requirement strings (`name[extras] (spec) ; marker`, `name @ url ; marker`) and PEP 503
 * name normalisation. Shared by requirements.txt, pyproject.toml and lock parsing. Hand-written:
 * @renovatebot/pep440 checks version specifiers but has no requirement parser (DEPENDENCIES.md §6).
 */

/** PEP 503: lowercase, runs of `-`, `_`, `.` become one `-`. https://peps.python.org/pep-0503/#normalized-names */
export function normalizeDistName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

export interface Pep508 {
  /** the distribution name as written */
  name: string;
  extras: string[];
  /** PEP 440 specifier set, spaces removed (`>=1.0,<2`); '' when absent */
  specifier: string;
  /** `name @ url` */
  url?: string;
  marker?: string;
  /** offsets of the name inside the parsed string */
  nameStart: number;
  nameEnd: number;
}

// PEP 508 identifier: letters/digits, inner `-_.`
const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?/;
const SPEC_CLAUSE = /^\s*(~=|===|==|!=|<=|>=|<|>)\s*[A-Za-z0-9_.*+!-]+\s*$/;

/**
 * Parse one requirement string; undefined when it is not a PEP 508 requirement (a path, a URL
 * without a name, an option). Whitespace around the string is allowed.
 */
export function parsePep508(text: string): Pep508 | undefined {
  const lead = text.length - text.trimStart().length;
  let rest = text.slice(lead);
  const m = NAME.exec(rest);
  if (!m) return undefined;
  const name = m[0];
  const nameStart = lead;
  const nameEnd = lead + name.length;
  rest = rest.slice(name.length);
  // a name followed by `/`, `:` or `.`-path means this is a path or URL, not a requirement
  if (/^[/\\:]/.test(rest)) return undefined;
  let extras: string[] = [];
  const ex = /^\s*\[([^\]]*)\]/.exec(rest);
  if (ex) {
    extras = ex[1]!.split(',').map((s) => s.trim()).filter(Boolean);
    rest = rest.slice(ex[0].length);
  }
  let marker: string | undefined;
  let url: string | undefined;
  let specifier = '';
  const at = /^\s*@\s*/.exec(rest);
  if (at) {
    // `name @ url ; marker`: the marker must be separated from the URL by whitespace
    const body = rest.slice(at[0].length);
    const semi = /\s;/.exec(body);
    url = (semi ? body.slice(0, semi.index) : body).trim();
    if (semi) marker = body.slice(semi.index + 2).trim();
    if (!url) return undefined;
  } else {
    const semi = rest.indexOf(';');
    let spec = semi >= 0 ? rest.slice(0, semi) : rest;
    if (semi >= 0) marker = rest.slice(semi + 1).trim();
    spec = spec.trim();
    if (spec.startsWith('(') && spec.endsWith(')')) spec = spec.slice(1, -1).trim();
    if (spec) {
      const clauses = spec.split(',');
      if (!clauses.every((c) => SPEC_CLAUSE.test(c))) return undefined;
      specifier = clauses.map((c) => c.replace(/\s+/g, '')).join(',');
    }
  }
  const out: Pep508 = { name, extras, specifier, nameStart, nameEnd };
  if (url !== undefined) out.url = url;
  if (marker) out.marker = marker;
  return out;
}

/**
 * Poetry's version constraints to a PEP 440 specifier set. `^1.2.3` → `>=1.2.3,<2.0.0`,
 * `~1.2.3` → `>=1.2.3,<1.3.0`, `1.2.3` → `==1.2.3`, `*` → ''. Returns undefined for what has no
 * single PEP 440 equivalent (`||` alternatives) or does not parse.
 * https://python-poetry.org/docs/dependency-specification/#version-constraints
 */
export function poetryToPep440(constraint: string): string | undefined {
  const c = constraint.trim();
  if (c === '' || c === '*') return '';
  if (c.includes('||') || c.includes('|')) return undefined;
  const parts = c.split(/\s*,\s*|\s+(?=[<>=!~^])/).filter(Boolean);
  const out: string[] = [];
  for (const p of parts) {
    const t = p.replace(/\s+/g, '');
    let m: RegExpExecArray | null;
    if ((m = /^\^(\d+(?:\.\d+)*)$/.exec(t))) {
      const v = m[1]!.split('.').map(Number);
      const idx = v.findIndex((x) => x !== 0);
      // the first non-zero component is the one that may not change; `^0.0` keeps the last given
      const bump = idx < 0 ? v.length - 1 : idx;
      out.push(`>=${m[1]}`, `<${upper(v, bump)}`);
    } else if ((m = /^~(\d+(?:\.\d+)*)$/.exec(t))) {
      const v = m[1]!.split('.').map(Number);
      out.push(`>=${m[1]}`, `<${upper(v, v.length === 1 ? 0 : 1)}`);
    } else if ((m = /^(\d+(?:\.\d+)*(?:\.\*)?(?:[a-z]+\d*)?(?:\.post\d+)?(?:\.dev\d+)?)$/i.exec(t))) {
      out.push(`==${m[1]}`);
    } else if (/^(~=|===|==|!=|<=|>=|<|>)[A-Za-z0-9_.*+!-]+$/.test(t)) {
      out.push(t);
    } else if ((m = /^=(\d[A-Za-z0-9_.*+!-]*)$/.exec(t))) {
      out.push(`==${m[1]}`);
    } else return undefined;
  }
  return out.join(',');
}

function upper(v: number[], bump: number): string {
  const u = v.slice(0, bump + 1);
  u[bump] = (u[bump] ?? 0) + 1;
  while (u.length < v.length) u.push(0);
  return u.join('.');
}
