/**
 * Pydantic settings classes → the environment variables they read, as pydantic-settings resolves
 * them (https://docs.pydantic.dev/latest/concepts/pydantic_settings/):
 *
 * - v2 (`pydantic_settings.BaseSettings`, `model_config = SettingsConfigDict(...)`): a field is
 *   read from `env_prefix + field name`; `Field(validation_alias=...)` or `Field(alias=...)`
 *   replaces that name and the prefix is NOT applied to it (AliasChoices: every choice, first
 *   found wins); names are case-insensitive unless `case_sensitive=True`.
 * - nested models: `env_nested_delimiter` explodes `PREFIX` + `FIELD` + delim + `SUBFIELD`; the
 *   whole model can also be given as one JSON variable `PREFIX` + `FIELD` (the nested variables
 *   win over the JSON one).
 * - v1 (`pydantic.BaseSettings`, `class Config: env_prefix = ...`): `Field(env=...)` replaces the
 *   name (no prefix); aliases do not name variables.
 * - `model_config` and v1 `Config` are inherited and merged from settings base classes; class
 *   keywords (`class S(BaseSettings, env_prefix="X_")`) count too.
 */
import { dottedName, kwarg, literalValue, type PyLiteral } from '../../parse/python/expr.js';
import type { PyClass, PyClassField, PyExpr, PyKeyword, PyModule } from '../../parse/python/module-types.js';
import { looksSecretName } from '../secrets.js';
import type { SettingKind, SettingsClass, SettingsField, SettingValue } from './types.js';

export interface ClassRef {
  cls: PyClass;
  module: PyModule;
}

/** Every class of the parsed modules by name (several modules may define the same name). */
export class ClassIndex {
  private readonly byName = new Map<string, ClassRef[]>();

  constructor(readonly modules: readonly PyModule[]) {
    for (const module of modules)
      for (const cls of module.classes) {
        if (cls.name === 'Config' && cls.outer) continue;
        const list = this.byName.get(cls.name) ?? [];
        list.push({ cls, module });
        this.byName.set(cls.name, list);
      }
  }

  /** The class a name refers to from `from`: the same module first, then an imported one, then any. */
  find(written: string, from?: PyModule): ClassRef | undefined {
    const name = lastSegment(written);
    const list = this.byName.get(name);
    if (!list?.length) return undefined;
    if (from) {
      const same = list.find((r) => r.module === from);
      if (same) return same;
      const imp = from.imports.find((i) => i.local === name || i.local === written.split('.')[0]);
      if (imp) {
        const modTail = imp.module.replace(/^\.+/, '').split('.').pop() ?? '';
        const hit = list.find((r) => modTail && r.module.path.replace(/\.py$/, '').replace(/\/__init__$/, '').endsWith(modTail));
        if (hit) return hit;
      }
    }
    return list[0];
  }

  all(): ClassRef[] {
    return [...this.byName.values()].flat();
  }
}

const lastSegment = (s: string): string => s.replace(/\[.*$/s, '').split('.').pop()!.trim();

const SETTINGS_BASES = new Set(['BaseSettings']);
const MODEL_BASES = new Set(['BaseModel', 'BaseSettings', 'RootModel']);
const ENUM_BASES = new Set(['Enum', 'StrEnum', 'IntEnum', 'Flag', 'IntFlag']);

function derivesFrom(ref: ClassRef, roots: ReadonlySet<string>, index: ClassIndex, depth = 0): boolean {
  if (depth > 20) return false;
  for (const b of ref.cls.bases) {
    if (roots.has(lastSegment(b))) return true;
    const base = index.find(b, ref.module);
    if (base && base.cls !== ref.cls && derivesFrom(base, roots, index, depth + 1)) return true;
  }
  return false;
}

export const isSettingsClass = (ref: ClassRef, index: ClassIndex): boolean => derivesFrom(ref, SETTINGS_BASES, index);
export const isModelClass = (ref: ClassRef, index: ClassIndex): boolean => derivesFrom(ref, MODEL_BASES, index);
export const isEnumClass = (ref: ClassRef, index: ClassIndex): boolean => derivesFrom(ref, ENUM_BASES, index);

/** An Enum's members: name → value (string/number literals only). */
export function enumMembers(ref: ClassRef): Map<string, string | number> {
  const out = new Map<string, string | number>();
  for (const f of ref.cls.fields) {
    if (f.annotation || f.name.startsWith('_')) continue;
    const v = literalValue(f.value);
    if (typeof v === 'string' || typeof v === 'number') out.set(f.name, v);
    // `auto()` values: StrEnum gives the lower-cased member name
    else if (f.value?.kind === 'call' && dottedName(f.value.func)?.endsWith('auto') && ref.cls.bases.some((b) => lastSegment(b) === 'StrEnum')) out.set(f.name, f.name.toLowerCase());
  }
  return out;
}

export function enumHasStrMixin(ref: ClassRef, index: ClassIndex, depth = 0): boolean {
  if (depth > 10) return false;
  for (const b of ref.cls.bases) {
    const n = lastSegment(b);
    if (n === 'str' || n === 'StrEnum') return true;
    const base = index.find(b, ref.module);
    if (base && base.cls !== ref.cls && enumHasStrMixin(base, index, depth + 1)) return true;
  }
  return false;
}

// ------------------------------------------------------------------ config

interface ResolvedConfig {
  version: 1 | 2;
  envPrefix: string;
  nestedDelimiter?: string;
  caseSensitive: boolean;
  extra: SettingsClass['extra'];
  envFiles: string[];
  envIgnoreEmpty: boolean;
  enableDecoding: boolean;
  opaque?: string;
}

/** The version of pydantic a settings class uses: which `BaseSettings` it derives from. */
function settingsVersion(ref: ClassRef, index: ClassIndex, depth = 0): 1 | 2 {
  if (depth > 20) return 2;
  for (const b of ref.cls.bases) {
    if (lastSegment(b) === 'BaseSettings') {
      if (/^pydantic(?:\.v1)?\.BaseSettings$/.test(b)) return 1;
      if (/^pydantic_settings\./.test(b)) return 2;
      const imp = ref.module.imports.find((i) => i.local === 'BaseSettings');
      if (imp) return imp.module === 'pydantic' || imp.module === 'pydantic.v1' ? 1 : 2;
      return ref.cls.legacyConfig && !ref.cls.modelConfig ? 1 : 2;
    }
    const base = index.find(b, ref.module);
    if (base && base.cls !== ref.cls && isSettingsClass(base, index)) return settingsVersion(base, index, depth + 1);
  }
  return 2;
}

/** A config value as a literal: written inline, or a module-level constant. */
function constant(e: PyExpr | undefined, module: PyModule): PyLiteral | undefined {
  if (!e) return undefined;
  const v = literalValue(e);
  if (v !== undefined) return v;
  if (e.kind === 'name') return literalValue(module.assignments.find((a) => a.name === e.name)?.value);
  return undefined;
}

function configEntries(ref: ClassRef, version: 1 | 2): PyKeyword[] {
  const own = version === 1 ? (ref.cls.legacyConfig ?? ref.cls.modelConfig ?? []) : (ref.cls.modelConfig ?? ref.cls.legacyConfig ?? []);
  return [...own, ...ref.cls.keywords];
}

function resolveConfig(ref: ClassRef, index: ClassIndex): ResolvedConfig {
  const version = settingsVersion(ref, index);
  const cfg: ResolvedConfig = { version, envPrefix: '', caseSensitive: false, extra: 'forbid', envFiles: [], envIgnoreEmpty: false, enableDecoding: true };
  // parents first, so the subclass's keys win (pydantic merges model_config along the MRO)
  const chain: ClassRef[] = [];
  const visit = (r: ClassRef, depth: number): void => {
    if (depth > 20 || chain.includes(r)) return;
    for (const b of [...r.cls.bases].reverse()) {
      const base = index.find(b, r.module);
      if (base && base.cls !== r.cls && isSettingsClass(base, index)) visit(base, depth + 1);
    }
    chain.push(r);
  };
  visit(ref, 0);
  for (const r of chain)
    for (const k of configEntries(r, version)) {
      const v = constant(k.value, r.module);
      const known = v !== undefined;
      switch (k.name) {
        case 'env_prefix':
          if (typeof v === 'string') cfg.envPrefix = v;
          else cfg.opaque = `env_prefix is computed (${k.value.text})`;
          break;
        case 'env_nested_delimiter':
          if (typeof v === 'string' && v) cfg.nestedDelimiter = v;
          else if (v === null || v === '') delete cfg.nestedDelimiter;
          else if (!known) cfg.opaque = `env_nested_delimiter is computed (${k.value.text})`;
          break;
        case 'case_sensitive':
          if (typeof v === 'boolean') cfg.caseSensitive = v;
          break;
        case 'extra':
          if (v === 'ignore' || v === 'forbid' || v === 'allow') cfg.extra = v;
          else if (k.value.kind === 'attr' && /^(ignore|forbid|allow)$/i.test(k.value.attr)) cfg.extra = k.value.attr.toLowerCase() as ResolvedConfig['extra'];
          break;
        case 'env_file':
          cfg.envFiles = typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
          break;
        case 'env_ignore_empty':
          if (typeof v === 'boolean') cfg.envIgnoreEmpty = v;
          break;
        case 'enable_decoding':
          if (typeof v === 'boolean') cfg.enableDecoding = v;
          break;
        case 'secrets_dir':
          if (v !== null) cfg.opaque = `values may come from secrets_dir ${k.value.text}`;
          break;
        case 'cli_parse_args':
          if (v !== false) cfg.opaque = 'values may come from command-line arguments (cli_parse_args)';
          break;
        case 'yaml_file':
        case 'toml_file':
        case 'json_file':
        case 'pyproject_toml_table_header':
          cfg.opaque = `values may come from ${k.name} ${k.value.text}`;
          break;
      }
    }
  for (const r of chain) if (r.cls.methods.some((m) => m.name === 'settings_customise_sources' || m.name === 'customise_sources')) cfg.opaque = `${r.cls.name} customises its settings sources`;
  return cfg;
}

// ------------------------------------------------------------------ fields

interface FieldSpec {
  field: PyClassField;
  owner: ClassRef;
}

/** Fields in MRO order: bases first, a subclass's field replaces the base's one of the same name. */
function collectFields(ref: ClassRef, index: ClassIndex, version: 1 | 2, depth = 0, seen = new Set<PyClass>()): FieldSpec[] {
  if (depth > 20 || seen.has(ref.cls)) return [];
  seen.add(ref.cls);
  const out = new Map<string, FieldSpec>();
  for (const b of ref.cls.bases) {
    const base = index.find(b, ref.module);
    if (base && base.cls !== ref.cls && isModelClass(base, index)) for (const f of collectFields(base, index, version, depth + 1, seen)) out.set(f.field.name, f);
  }
  for (const f of ref.cls.fields) {
    if (f.name.startsWith('_') || f.name === 'model_config' || f.name === 'Config') continue;
    if (f.annotation !== undefined && /^(?:typing\.)?ClassVar\b/.test(f.annotation)) continue;
    // pydantic v2 rejects un-annotated fields; v1 infers their type from the default
    if (f.annotation === undefined && version === 2) continue;
    if (f.annotation === undefined && f.value?.kind === 'call' && !isFieldCall(f.value)) continue;
    out.delete(f.name);
    out.set(f.name, { field: f, owner: ref });
  }
  return [...out.values()];
}

const isFieldCall = (e: PyExpr): e is PyExpr & { kind: 'call' } => e.kind === 'call' && /(?:^|\.)Field$/.test(dottedName(e.func) ?? '');

/** `Optional[X]`, `X | None`, `Annotated[X, ...]`, `Union[X, None]` → X and whether None is allowed. */
export function unwrapAnnotation(ann: string): { inner: string; nullable: boolean; union: boolean } {
  let t = ann.trim();
  let nullable = false;
  for (let i = 0; i < 5; i++) {
    const m = /^(?:typing\.)?(Optional|Annotated|Union)\[([\s\S]*)\]$/.exec(t);
    if (m) {
      const parts = splitTopLevel(m[2]!);
      if (m[1] === 'Optional') {
        nullable = true;
        t = parts[0] ?? t;
      } else if (m[1] === 'Annotated') t = parts[0] ?? t;
      else {
        const rest = parts.filter((p) => p !== 'None' && p !== 'NoneType');
        if (rest.length < parts.length) nullable = true;
        if (rest.length !== 1) return { inner: rest.join(' | '), nullable, union: true };
        t = rest[0]!;
      }
      continue;
    }
    const pipe = splitTopLevel(t, '|');
    if (pipe.length > 1) {
      const rest = pipe.filter((p) => p !== 'None');
      if (rest.length < pipe.length) nullable = true;
      if (rest.length !== 1) return { inner: rest.join(' | '), nullable, union: true };
      t = rest[0]!;
      continue;
    }
    break;
  }
  return { inner: t, nullable, union: false };
}

function splitTopLevel(s: string, sep = ','): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  let quote = '';
  for (const ch of s) {
    if (quote) {
      cur += ch;
      if (ch === quote) quote = '';
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    if (ch === '[' || ch === '(') depth++;
    if (ch === ']' || ch === ')') depth--;
    if (ch === sep && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

const INT_TYPES = /^(?:int|StrictInt|PositiveInt|NegativeInt|NonNegativeInt|NonPositiveInt|conint\(.*\))$/s;
const FLOAT_TYPES = /^(?:float|StrictFloat|PositiveFloat|NegativeFloat|NonNegativeFloat|NonPositiveFloat|FiniteFloat|confloat\(.*\))$/s;
const BOOL_TYPES = /^(?:bool|StrictBool)$/;
const STR_TYPES = /^(?:str|StrictStr|SecretStr|SecretBytes|bytes|constr\(.*\))$/s;
const COMPLEX_TYPES = /^(?:list|List|set|Set|frozenset|FrozenSet|dict|Dict|tuple|Tuple|Sequence|Mapping|MutableMapping|Iterable)\b/;

interface TypeInfo {
  kind: SettingKind;
  choices?: string[];
  enumClass?: { name: string; strMixin: boolean; ref: ClassRef };
  model?: ClassRef;
  nullable: boolean;
}

function typeInfo(f: PyClassField, owner: ClassRef, index: ClassIndex, decoding: boolean): TypeInfo {
  if (f.literals) return { kind: 'enum', choices: f.literals.map(String), nullable: /None|Optional/.test(f.annotation ?? '') };
  if (f.annotation === undefined) {
    const v = literalValue(f.value);
    const kind: SettingKind = typeof v === 'boolean' ? 'bool' : typeof v === 'number' ? (Number.isInteger(v) && !/[.eE]/.test(f.value?.text ?? '') ? 'int' : 'float') : typeof v === 'string' ? 'str' : 'other';
    return { kind, nullable: v === null };
  }
  const { inner, nullable, union } = unwrapAnnotation(f.annotation);
  if (union) return { kind: 'other', nullable };
  const noDecode = /\bNoDecode\b/.test(f.annotation) || !decoding;
  const name = inner.replace(/^(?:typing|pydantic|pydantic\.types)\./, '');
  if (INT_TYPES.test(name)) return { kind: 'int', nullable };
  if (FLOAT_TYPES.test(name)) return { kind: 'float', nullable };
  if (BOOL_TYPES.test(name)) return { kind: 'bool', nullable };
  if (STR_TYPES.test(name)) return { kind: 'str', nullable };
  if (COMPLEX_TYPES.test(name)) return { kind: noDecode ? 'other' : 'complex', nullable };
  const ref = index.find(name, owner.module);
  if (ref && isEnumClass(ref, index)) {
    // `_missing_` accepts values that are not members (e.g. case-insensitive lookups)
    if (ref.cls.methods.some((m) => m.name === '_missing_')) return { kind: 'other', nullable };
    const members = enumMembers(ref);
    return { kind: 'enum', choices: [...members.values()].map(String), enumClass: { name: ref.cls.name, strMixin: enumHasStrMixin(ref, index), ref }, nullable };
  }
  if (ref && isModelClass(ref, index)) return { kind: 'model', model: ref, nullable };
  return { kind: 'other', nullable };
}

interface FieldCallInfo {
  default?: PyExpr;
  factory?: PyExpr;
  required: boolean;
  aliases: string[];
  v1Env: string[];
}

function fieldCall(f: PyClassField): FieldCallInfo {
  const v = f.value;
  if (!v) return { required: true, aliases: [], v1Env: [] };
  if (!isFieldCall(v)) return { default: v, required: false, aliases: [], v1Env: [] };
  const def = v.args[0] ?? kwarg(v, 'default');
  const factory = kwarg(v, 'default_factory');
  const out: FieldCallInfo = { required: !factory && (!def || def.kind === 'ellipsis'), aliases: [], v1Env: [] };
  if (def && def.kind !== 'ellipsis') out.default = def;
  if (factory) out.factory = factory;
  const va = kwarg(v, 'validation_alias');
  const al = kwarg(v, 'alias');
  const aliasNames = (e: PyExpr | undefined): string[] => {
    if (!e) return [];
    if (e.kind === 'str') return [e.value];
    if (e.kind === 'call') {
      const fn = dottedName(e.func) ?? '';
      if (/AliasChoices$/.test(fn)) return e.args.flatMap(aliasNames);
      // AliasPath('a', 0): pydantic-settings reads the variable named by the first element
      if (/AliasPath$/.test(fn)) return e.args[0]?.kind === 'str' ? [e.args[0].value] : [];
    }
    return [];
  };
  out.aliases = va ? aliasNames(va) : aliasNames(al);
  const env = kwarg(v, 'env');
  if (env?.kind === 'str') out.v1Env = [env.value];
  else if (env?.kind === 'seq') out.v1Env = env.items.flatMap((i) => (i.kind === 'str' ? [i.value] : []));
  return out;
}

/** The default's value and text when it is simple: literals, Enum members, empty containers. */
function defaultOf(info: FieldCallInfo, owner: ClassRef, index: ClassIndex): { text?: string; value?: SettingValue } {
  if (info.factory) {
    const fn = dottedName(info.factory) ?? info.factory.text;
    if (fn === 'list' || fn === 'set' || fn === 'tuple' || fn === 'frozenset') return { text: `${fn}()`, value: [] };
    if (fn === 'dict') return { text: 'dict()', value: {} };
    return {};
  }
  const d = info.default;
  if (!d) return {};
  const lit = literalValue(d);
  if (lit !== undefined) return { text: d.text, value: lit };
  if (d.kind === 'dict' && d.entries.length === 0) return { text: d.text, value: {} };
  if (d.kind === 'attr' && d.object.kind === 'name') {
    const ref = index.find(d.object.name, owner.module);
    if (ref && isEnumClass(ref, index)) {
      const v = enumMembers(ref).get(d.attr);
      if (v !== undefined) return { text: d.text, value: v };
    }
  }
  return {};
}

const SECRET_TYPE = /\bSecret(?:Str|Bytes)\b/;

/** Resolve one settings class: its config and every field (nested models flattened to dotted paths). */
export function resolveSettings(ref: ClassRef, index: ClassIndex): SettingsClass {
  const cfg = resolveConfig(ref, index);
  const norm = (n: string): string => (cfg.caseSensitive ? n : n.toUpperCase());
  const fields: SettingsField[] = [];
  const addFields = (owner: ClassRef, prefixPath: string, parentNames: string[] | null, parentRequired: boolean, overrides: Map<string, PyExpr>, depth: number, stack: PyClass[]): void => {
    for (const { field: f, owner: declaredIn } of collectFields(owner, index, cfg.version)) {
      const call = fieldCall(f);
      const ti = typeInfo(f, declaredIn, index, cfg.enableDecoding);
      const path = prefixPath ? `${prefixPath}.${f.name}` : f.name;
      const override = overrides.get(f.name);
      if (override) {
        call.default = override;
        call.required = false;
        delete call.factory;
      }
      // v1: Optional[X] without a default defaults to None; v2 keeps it required
      if (cfg.version === 1 && call.required && !f.value && ti.nullable) {
        call.required = false;
        call.default = { kind: 'none', text: 'None', loc: f.nameLoc };
      }
      let envNames: string[];
      let aliased = false;
      if (parentNames === null) {
        if (cfg.version === 2 && call.aliases.length) {
          envNames = call.aliases;
          aliased = true;
        } else if (cfg.version === 1 && call.v1Env.length) {
          envNames = call.v1Env;
          aliased = true;
        } else envNames = [cfg.envPrefix + f.name];
      } else if (cfg.nestedDelimiter) {
        // nested keys are matched against the sub-model's field names (or its alias when it has one)
        const key = cfg.version === 2 && call.aliases[0] ? call.aliases[0] : f.name;
        envNames = parentNames.map((p) => `${p}${cfg.nestedDelimiter}${key}`);
      } else envNames = [];
      envNames = [...new Set(envNames.map(norm))];
      const def = defaultOf(call, declaredIn, index);
      const required = call.required && (parentNames === null || parentRequired);
      const out: SettingsField = {
        path,
        envNames,
        type: f.annotation ?? '',
        kind: ti.kind,
        required,
        secret: SECRET_TYPE.test(f.annotation ?? '') || looksSecretName(path.replace(/\./g, '_')) || envNames.some(looksSecretName),
        aliased,
        loc: f.nameLoc,
      };
      if (ti.choices) out.choices = ti.choices;
      if (ti.enumClass) out.enumClass = { name: ti.enumClass.name, strMixin: ti.enumClass.strMixin };
      if (def.text !== undefined) out.default = def.text;
      if (def.value !== undefined) out.defaultValue = def.value;
      if (prefixPath) out.parent = prefixPath;
      if (ti.kind === 'model' && ti.model && depth < 5 && !stack.includes(ti.model.cls)) {
        out.nested = true;
        fields.push(out);
        // `database: DatabaseSettings = DatabaseSettings(host="db")` changes the sub-defaults
        const subOverrides = new Map<string, PyExpr>();
        const d = call.default;
        if (d?.kind === 'call' && lastSegment(dottedName(d.func) ?? '') === ti.model.cls.name) for (const k of d.kwargs) subOverrides.set(k.name, k.value);
        addFields(ti.model, path, envNames, required, subOverrides, depth + 1, [...stack, ti.model.cls]);
      } else fields.push(out);
    }
  };
  addFields(ref, '', null, true, new Map(), 0, [ref.cls]);
  const out: SettingsClass = {
    name: ref.cls.name,
    module: ref.module.path,
    loc: ref.cls.nameLoc,
    version: cfg.version,
    envPrefix: cfg.envPrefix,
    caseSensitive: cfg.caseSensitive,
    extra: cfg.extra,
    envFiles: cfg.envFiles,
    envIgnoreEmpty: cfg.envIgnoreEmpty,
    fields,
    usedAt: [],
  };
  if (cfg.nestedDelimiter) out.nestedDelimiter = cfg.nestedDelimiter;
  if (cfg.opaque) out.opaque = cfg.opaque;
  return out;
}

/** Every env name a class reads (for "is this variable known"), in the class's case rule. */
export function knownEnvNames(cls: SettingsClass): string[] {
  return cls.fields.flatMap((f) => f.envNames);
}
