/**
 * Compose variable interpolation, as compose-go's template/template.go does it (KNOWLEDGE.md C12,
 * C13). One function serves compose values and `.env` values (the dotenv parser calls it too).
 *
 * Behaviour copied from compose-go, including its less obvious parts:
 * - the operator is the one written right after the name: `${V:-d}`, `${V-d}`, `${V:?e}`,
 *   `${V?e}`, `${V:+a}`, `${V+a}`; anything else inside the braces (`${V/x/y}`, `${ V}`,
 *   `${V!}`, `${}`) is an invalid template;
 * - the end of `${...}` is found by counting `${` openers against `}` (getFirstBraceClosingIndex),
 *   so `${A:-${B}}` nests but a bare `{` does not count: `${A:-{x}}` ends at the first `}`;
 * - the text after the operator is itself interpolated, and compose-go does that *eagerly*,
 *   before it looks at the variable: `${A:-${B:?no B}}` fails even when A is set. Uses inside it
 *   are therefore always reported;
 * - `$$` is a literal `$`; a `$` followed by anything other than `$`, `{` or a name (or at the
 *   end of the text) does not match the template pattern's named groups, so compose-go reports
 *   "Invalid template". We keep that `$` in the value, as written, and report the error.
 */

export type VariableForm =
  | 'plain'
  | 'default-unset-or-empty'
  | 'default-unset'
  | 'required'
  | 'required-unset'
  | 'alt'
  | 'alt-unset';

export interface VariableUse {
  name: string;
  form: VariableForm;
  /** offset of the `$` in the text given to `interpolate` */
  start: number;
  /** offset just past the closing `}` or the last name character */
  end: number;
  /** the lookup returned a value (possibly empty) */
  defined: boolean;
}

export interface InterpolationResult {
  value: string;
  uses: VariableUse[];
  errors: string[];
}

type Lookup = (name: string) => string | undefined;

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;
/** The braced body compose-go accepts: a name, then optionally an operator and free text. */
const BRACED_BODY = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+?])([\s\S]*))?$/;

const FORMS: Record<string, VariableForm> = {
  '': 'plain',
  ':-': 'default-unset-or-empty',
  '-': 'default-unset',
  ':?': 'required',
  '?': 'required-unset',
  ':+': 'alt',
  '+': 'alt-unset',
};

export function interpolate(text: string, lookup: Lookup): InterpolationResult {
  const uses: VariableUse[] = [];
  const errors: string[] = [];
  const value = expand(text, 0, lookup, uses, errors);
  return { value, uses, errors };
}

/** Expand `s`, which sits at offset `base` of the caller's original text. */
function expand(s: string, base: number, lookup: Lookup, uses: VariableUse[], errors: string[]): string {
  let out = '';
  let i = 0;
  while (i < s.length) {
    const dollar = s.indexOf('$', i);
    if (dollar < 0) {
      out += s.slice(i);
      break;
    }
    out += s.slice(i, dollar);
    const next = s[dollar + 1];

    if (next === '$') {
      out += '$';
      i = dollar + 2;
      continue;
    }

    if (next !== undefined && NAME_START.test(next)) {
      let end = dollar + 2;
      while (end < s.length && NAME_CHAR.test(s[end]!)) end++;
      const name = s.slice(dollar + 1, end);
      const v = lookup(name);
      uses.push({ name, form: 'plain', start: base + dollar, end: base + end, defined: v !== undefined });
      // compose-go only warns here ("The X variable is not set. Defaulting to a blank string.")
      out += v ?? '';
      i = end;
      continue;
    }

    if (next === '{') {
      const close = closingBrace(s, dollar);
      if (close < 0) {
        errors.push(`invalid interpolation format: "${s.slice(dollar)}" has no closing "}"`);
        out += s.slice(dollar);
        break;
      }
      out += braced(s, dollar, close, base, lookup, uses, errors);
      i = close + 1;
      continue;
    }

    errors.push(
      `invalid interpolation format near "${s.slice(dollar, dollar + 12)}": "$" must be followed by a variable name, "{" or "$" (write "$$" for a literal "$")`,
    );
    out += '$';
    i = dollar + 1;
  }
  return out;
}

/**
 * compose-go's getFirstBraceClosingIndex: each `${` opens, each `}` closes, and the `}` that
 * brings the count back to zero ends the template. Returns -1 when it never closes.
 */
function closingBrace(s: string, from: number): number {
  let open = 0;
  for (let i = from; i < s.length; i++) {
    if (s[i] === '}') {
      open--;
      if (open === 0) return i;
    }
    if (s[i] === '$' && s[i + 1] === '{') {
      open++;
      i++;
    }
  }
  return -1;
}

/** Evaluate `${...}` spanning s[dollar..close]. */
function braced(
  s: string,
  dollar: number,
  close: number,
  base: number,
  lookup: Lookup,
  uses: VariableUse[],
  errors: string[],
): string {
  const whole = s.slice(dollar, close + 1);
  const m = BRACED_BODY.exec(s.slice(dollar + 2, close));
  if (!m) {
    errors.push(`invalid interpolation format: "${whole}" (supported: \${VAR}, \${VAR:-default}, \${VAR-default}, \${VAR:?error}, \${VAR?error}, \${VAR:+alt}, \${VAR+alt})`);
    return whole;
  }
  const name = m[1]!;
  const op = m[2] ?? '';
  const form = FORMS[op]!;
  const v = lookup(name);
  uses.push({ name, form, start: base + dollar, end: base + close + 1, defined: v !== undefined });
  if (form === 'plain') return v ?? '';

  // The argument is interpolated before the variable is looked at (compose-go does the same).
  const argStart = dollar + 2 + name.length + op.length;
  const arg = expand(m[3] ?? '', base + argStart, lookup, uses, errors);
  const empty = v === undefined || v === '';
  switch (form) {
    case 'default-unset-or-empty':
      return empty ? arg : v;
    case 'default-unset':
      return v === undefined ? arg : v;
    case 'required':
    case 'required-unset': {
      const failed = form === 'required' ? empty : v === undefined;
      if (!failed) return v ?? '';
      errors.push(`required variable ${name} is missing a value${arg ? `: ${arg}` : ''}`);
      return '';
    }
    case 'alt':
      return empty ? (v ?? '') : arg;
    case 'alt-unset':
      return v === undefined ? '' : arg;
  }
}
