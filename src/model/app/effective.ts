/**
 * What a service's process sees: the image's ENV (the Dockerfile stage it runs), overridden by
 * compose `env_file` values, overridden by compose `environment` (Compose's precedence), and
 * what each settings field ends up as once pydantic parses those strings.
 *
 * Coercion follows pydantic's lax mode for strings (https://docs.pydantic.dev/latest/concepts/conversion_table/):
 * bool accepts 0/off/f/false/n/no and 1/on/t/true/y/yes in any case; int accepts an optional sign,
 * digits with `_` separators and a zero fraction (`"3.0"`); complex fields (list, dict, nested
 * models) are decoded as JSON by pydantic-settings before validation.
 */
import type { Location } from '../../core/location.js';
import type { EnvironmentModel, ServiceModel, Sourced } from '../types.js';
import type { SettingKind, SettingsClass, SettingsField, SettingValue } from './types.js';

export interface EffectiveVar {
  name: string;
  /** null: `environment: [NAME]` / `NAME:` with no value, taken from the deploying shell */
  value: string | null;
  from: 'environment' | 'env_file' | 'dockerfile';
  loc: Location;
  /** earlier definitions this one replaced (Dockerfile ENV, earlier env_files, base compose files) */
  overrode: Sourced<string | null>[];
  /** `${VAR}` uses in the value that nothing defines: Compose substitutes an empty string */
  unset: string[];
}

/** The environment a service's container starts with (not including what the entrypoint exports). */
export function effectiveEnv(env: EnvironmentModel, svc: ServiceModel): Map<string, EffectiveVar> {
  const out = new Map<string, EffectiveVar>();
  for (const [name, s] of svc.runtime.stage?.env ?? []) out.set(name, { name, value: s.value, from: 'dockerfile', loc: s.loc, overrode: [], unset: [] });
  for (const v of svc.env.values()) {
    const image = out.get(v.name);
    const overrode = image ? [{ value: image.value, loc: image.loc }, ...v.overrode] : [...v.overrode];
    out.set(v.name, { name: v.name, value: v.value, from: v.from, loc: v.loc, overrode, unset: v.from === 'environment' ? unsetUses(env, v.loc) : [] });
  }
  return out;
}

function unsetUses(env: EnvironmentModel, loc: Location): string[] {
  if (loc.startLine === undefined) return [];
  return env.interpolations
    .filter((u) => !u.resolvedFrom && (u.form === 'plain' || u.form === 'alt' || u.form === 'alt-unset') && u.loc.file === loc.file && within(u.loc, loc))
    .map((u) => u.name);
}

function within(inner: Location, outer: Location): boolean {
  const a = inner.startLine ?? 0;
  return a >= (outer.startLine ?? 0) && a <= (outer.endLine ?? outer.startLine ?? 0);
}

// ------------------------------------------------------------------ coercion

export type Coerced = { ok: true; value: SettingValue | undefined } | { ok: false; error: string };

const TRUE = new Set(['1', 'on', 't', 'true', 'y', 'yes']);
const FALSE = new Set(['0', 'off', 'f', 'false', 'n', 'no']);

/** Parse a string from the environment as pydantic would for a field of this kind. */
export function coerce(field: Pick<SettingsField, 'kind' | 'choices' | 'type'>, raw: string): Coerced {
  const t = raw.trim();
  switch (field.kind as SettingKind) {
    case 'str':
      return { ok: true, value: raw };
    case 'bool': {
      const l = t.toLowerCase();
      if (TRUE.has(l)) return { ok: true, value: true };
      if (FALSE.has(l)) return { ok: true, value: false };
      return { ok: false, error: 'is not a boolean (pydantic accepts true/false, 1/0, yes/no, on/off, t/f, y/n)' };
    }
    case 'int': {
      const m = /^([+-]?\d+(?:_\d+)*)(?:\.0*)?$/.exec(t);
      if (m) return { ok: true, value: Number(m[1]!.replace(/_/g, '')) };
      return { ok: false, error: 'is not an integer' };
    }
    case 'float': {
      if (/^[+-]?(?:inf|infinity|nan)$/i.test(t)) return { ok: true, value: undefined };
      if (/^[+-]?(?:\d+(?:_\d+)*(?:\.(?:\d+(?:_\d+)*)?)?|\.\d+(?:_\d+)*)(?:[eE][+-]?\d+)?$/.test(t)) return { ok: true, value: Number(t.replace(/_/g, '')) };
      return { ok: false, error: 'is not a number' };
    }
    case 'enum': {
      const choices = field.choices ?? [];
      if (!choices.length || choices.includes(raw)) return { ok: true, value: raw };
      // Literal[1, 2] and int enums accept "1" in lax mode; only all-string choices are judged
      if (choices.some((c) => /^-?\d+$/.test(c) || c === 'true' || c === 'false')) return { ok: true, value: undefined };
      return { ok: false, error: `is not one of ${choices.map((c) => JSON.stringify(c)).join(', ')}` };
    }
    case 'complex':
    case 'model': {
      if (t === '') return { ok: true, value: undefined };
      try {
        const v = JSON.parse(t) as SettingValue;
        if (field.kind === 'model' && (v === null || typeof v !== 'object' || Array.isArray(v))) return { ok: false, error: 'is not a JSON object' };
        return { ok: true, value: v };
      } catch {
        return { ok: false, error: field.kind === 'model' ? 'is not a JSON object' : 'is not valid JSON (pydantic-settings decodes list/dict/set fields as JSON)' };
      }
    }
    default:
      return { ok: true, value: undefined };
  }
}

/** A JSON value (from a nested model's JSON variable) as the field's type. */
function coerceJson(field: SettingsField, v: SettingValue): Coerced {
  if (typeof v === 'string') return coerce(field, v);
  if (field.kind === 'bool') return typeof v === 'boolean' || v === 0 || v === 1 ? { ok: true, value: Boolean(v) } : { ok: false, error: 'is not a boolean' };
  if (field.kind === 'int' || field.kind === 'float') return typeof v === 'number' ? { ok: true, value: v } : { ok: false, error: 'is not a number' };
  return { ok: true, value: v };
}

// ------------------------------------------------------------------ settings values

export interface ResolvedSetting {
  field: SettingsField;
  /** the variable that sets it: the first of its env names present */
  variable?: EffectiveVar;
  /** set through an enclosing model's JSON variable */
  viaJson?: EffectiveVar;
  /** the value pydantic validates; undefined when unknown (shell value, computed default) */
  value?: SettingValue;
  source: 'env' | 'json' | 'default' | 'unset' | 'unknown';
  /** the string cannot be parsed as the field's type */
  error?: string;
}

/** Find a variable the way the class matches names (case-insensitive by default). */
export function findVar(cls: Pick<SettingsClass, 'caseSensitive'>, vars: ReadonlyMap<string, EffectiveVar>, name: string): EffectiveVar | undefined {
  const exact = vars.get(name);
  if (exact || cls.caseSensitive) return exact;
  const lower = name.toLowerCase();
  for (const v of vars.values()) if (v.name.toLowerCase() === lower) return v;
  return undefined;
}

/** Every field of a class resolved against an environment, by path. */
export function resolveSettingValues(cls: SettingsClass, vars: ReadonlyMap<string, EffectiveVar>): Map<string, ResolvedSetting> {
  const out = new Map<string, ResolvedSetting>();
  for (const f of cls.fields) {
    let variable: EffectiveVar | undefined;
    for (const n of f.envNames) {
      const v = findVar(cls, vars, n);
      if (v && !(cls.envIgnoreEmpty && v.value === '')) {
        variable = v;
        break;
      }
    }
    if (variable) {
      if (variable.value === null) {
        out.set(f.path, { field: f, variable, source: 'unknown' });
        continue;
      }
      const c = coerce(f, variable.value);
      out.set(f.path, c.ok ? { field: f, variable, value: c.value, source: 'env' } : { field: f, variable, source: 'env', error: c.error });
      continue;
    }
    const parent = f.parent ? out.get(f.parent) : undefined;
    if (parent && (parent.source === 'env' || parent.source === 'json') && parent.value && typeof parent.value === 'object' && !Array.isArray(parent.value)) {
      const key = f.path.slice(f.parent!.length + 1);
      const obj = parent.value as Record<string, SettingValue>;
      const hit = Object.keys(obj).find((k) => (cls.caseSensitive ? k === key : k.toLowerCase() === key.toLowerCase()));
      if (hit !== undefined) {
        const c = coerceJson(f, obj[hit]!);
        const via = parent.viaJson ?? parent.variable;
        out.set(f.path, c.ok ? { field: f, viaJson: via, value: c.value, source: 'json' } : { field: f, viaJson: via, source: 'json', error: c.error });
        continue;
      }
    }
    if (f.defaultValue !== undefined) out.set(f.path, { field: f, value: f.defaultValue, source: 'default' });
    else if (f.required) out.set(f.path, { field: f, source: 'unset' });
    else out.set(f.path, { field: f, source: f.default === undefined && !f.nested ? 'unknown' : 'default' });
  }
  return out;
}

/** Whether a variable (or a nested model's JSON variable) gives this field a value. */
export function isProvided(r: ResolvedSetting | undefined): boolean {
  return !!r && (r.source === 'env' || r.source === 'json' || (r.source === 'unknown' && (r.variable !== undefined || r.viaJson !== undefined)));
}
