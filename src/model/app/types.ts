/**
 * The application as its settings code describes it: Pydantic settings classes resolved to the
 * environment variable names pydantic-settings reads, direct environment reads (`os.environ`,
 * django-environ; Node's `process.env`, envalid and zod schemas), and production guards (`if production and not X: raise`). Re-exported by
 * model/types.ts; built by `build-app.ts`.
 */
import type { Location } from '../../core/location.js';

/** A Python literal as drydock understands it (JSON-like). */
export type SettingValue = string | number | boolean | null | SettingValue[] | { [k: string]: SettingValue };

/** How a value from the environment is parsed (pydantic's lax mode). */
export type SettingKind = 'str' | 'int' | 'float' | 'bool' | 'enum' | 'complex' | 'model' | 'other';

export interface SettingsField {
  /** dotted path from the settings class: `secret_key`, `database.database` */
  path: string;
  /**
   * Variables that set this field, in order of precedence. Upper-cased when the class is
   * case-insensitive (the default); as written when `case_sensitive=True`.
   */
  envNames: string[];
  /** the annotation as written (`int`, `Optional[SecretStr]`, `list[str]`) */
  type: string;
  kind: SettingKind;
  /** allowed values of a `Literal[...]` or an Enum annotation */
  choices?: string[];
  /** the Enum class of an enum field (comparisons with plain strings depend on its base) */
  enumClass?: { name: string; strMixin: boolean };
  /** no default: pydantic raises `Field required` when nothing sets it */
  required: boolean;
  /** the default as written, when it is a simple literal (or an Enum member) */
  default?: string;
  /** the default's value (an Enum member's value; `[]`/`{}` for empty containers and factories) */
  defaultValue?: SettingValue;
  /** looks like a password, token or key (by name or a Secret* type) */
  secret: boolean;
  /** `Field(validation_alias=...)`/`alias=`/v1 `env=`: the names replace prefix + field name */
  aliased: boolean;
  /** a nested model: its `envNames` set the whole model as JSON; its fields have `parent` = this path */
  nested?: boolean;
  parent?: string;
  loc: Location;
}

export interface SettingsClass {
  name: string;
  /** module path relative to the scanned root */
  module: string;
  loc: Location;
  /** 2: pydantic-settings (`model_config`); 1: pydantic v1 `BaseSettings` (`class Config`) */
  version: 1 | 2;
  envPrefix: string;
  nestedDelimiter?: string;
  caseSensitive: boolean;
  /** what pydantic does with unknown keys in its dotenv file (`forbid` by default) */
  extra: 'ignore' | 'forbid' | 'allow';
  /** `model_config` env_file(s), as written (read from the working directory at runtime) */
  envFiles: string[];
  envIgnoreEmpty: boolean;
  /**
   * Set when values may come from somewhere drydock cannot see (secrets_dir, custom sources,
   * constructor arguments): completeness rules stay silent for this class.
   */
  opaque?: string;
  fields: SettingsField[];
  /** where the app instantiates or imports the class */
  usedAt: Location[];
}

export interface EnvRead {
  name: string;
  /** `os.environ[]`, `os.environ.get`, `os.getenv`, `env()`, `env.bool`, ... */
  via: string;
  /** raises at startup when unset (`os.environ["X"]` at import time, `env("X")` without default) */
  required: boolean;
  default?: string;
  /** `int`, `bool`, ... when the read is parsed */
  cast?: string;
  module: string;
  loc: Location;
  /** runs at import (module or class body); false inside functions */
  atImport: boolean;
  /** a Django settings variant (`settings/production.py`) applies only when DJANGO_SETTINGS_MODULE selects it */
  djangoModule?: string;
  /**
   * `node`: JavaScript/TypeScript (`process.env.X`, destructuring, envalid `cleanEnv`, zod `.parse(process.env)`;
   * `via` is `process.env`, `process.env[]`, `process.env destructuring`, `envalid.<validator>` or `zod`);
   * absent: Python
   */
  language?: 'node';
}

/** A condition over settings, small enough to evaluate against an environment. */
export type GuardExpr =
  | { kind: 'setting'; path: string; text: string }
  | { kind: 'literal'; value: SettingValue; text: string }
  | { kind: 'compare'; op: '==' | '!=' | 'in' | 'not in' | 'is' | 'is not'; left: GuardExpr; right: GuardExpr; text: string }
  | { kind: 'and' | 'or'; operands: GuardExpr[]; text: string }
  | { kind: 'not'; operand: GuardExpr; text: string }
  | { kind: 'list'; items: GuardExpr[]; text: string }
  | { kind: 'unknown'; text: string };

export interface ProductionGuard {
  condition: GuardExpr;
  /** the condition as written */
  text: string;
  /** the raised message, when it is a string */
  message?: string;
  exception?: string;
  /** the `if` statement */
  loc: Location;
  module: string;
  /** the settings class whose values the condition reads */
  settingsClass: string;
  /** the production values the condition compares with (`production`, `prod`) */
  productionValues: string[];
}

export interface AppModel {
  /** settings classes the app instantiates or references */
  settings: SettingsClass[];
  envReads: EnvRead[];
  guards: ProductionGuard[];
  /** Python modules parsed (relative paths) */
  modules: string[];
  /**
   * Names that app code mentions as string literals (`"LOG_LEVEL"`) outside the settings
   * schema, per module directory: such variables are read somehow, so they are not unknown.
   */
  mentioned: ReadonlyMap<string, Location[]>;
}

/** The part of the app a service runs: what its build context contains. */
export interface ServiceApp {
  settings: SettingsClass[];
  envReads: EnvRead[];
  guards: ProductionGuard[];
  modules: string[];
}
