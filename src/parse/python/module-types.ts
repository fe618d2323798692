/**
 * What `parsePython` extracts from one Python module: a small, typed view of the parts drydock
 * reads (settings classes, environment reads, `if ...: raise` guards), not a full Python AST.
 * Every node keeps its source text and a 1-based location.
 */
import type { Location } from '../../core/location.js';

interface PyNodeBase {
  /** the expression exactly as written */
  text: string;
  loc: Location;
}

export type PyExpr = PyNodeBase &
  (
    | { kind: 'str'; value: string }
    /** an f-string: its value is unknown */
    | { kind: 'fstr' }
    | { kind: 'num'; value: number }
    | { kind: 'bool'; value: boolean }
    | { kind: 'none' }
    | { kind: 'ellipsis' }
    | { kind: 'name'; name: string }
    | { kind: 'attr'; object: PyExpr; attr: string }
    | { kind: 'call'; func: PyExpr; args: PyExpr[]; kwargs: PyKeyword[] }
    | { kind: 'seq'; type: 'tuple' | 'list' | 'set'; items: PyExpr[] }
    | { kind: 'dict'; entries: { key: PyExpr; value: PyExpr }[] }
    /** `a == b`, `a in (..)`, `a is not None`, chained: operands.length === ops.length + 1 */
    | { kind: 'compare'; operands: PyExpr[]; ops: PyCompareOp[] }
    | { kind: 'boolop'; op: 'and' | 'or'; left: PyExpr; right: PyExpr }
    | { kind: 'not'; operand: PyExpr }
    | { kind: 'subscript'; value: PyExpr; index: PyExpr[] }
    /** anything else (lambda, comprehension, arithmetic, ...): only its text is kept */
    | { kind: 'other'; type: string }
  );

export type PyCompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not in' | 'is' | 'is not';

export interface PyKeyword {
  name: string;
  value: PyExpr;
  loc: Location;
}

/** `name: annotation = value` or `name = value` in a class body. */
export interface PyClassField {
  name: string;
  /** the annotation as written, e.g. `Optional[int]`; undefined for a plain assignment */
  annotation?: string;
  /** the values of a `Literal[...]` annotation (also inside Optional/Annotated/`| None`) */
  literals?: (string | number | boolean)[];
  value?: PyExpr;
  /** the whole statement */
  loc: Location;
  nameLoc: Location;
}

export interface PyMethod {
  name: string;
  /** decorators as written, without the `@` (e.g. `model_validator(mode="after")`) */
  decorators: string[];
  loc: Location;
}

export interface PyClass {
  name: string;
  /** base classes as written (`BaseSettings`, `pydantic.BaseModel`, `str`, `Enum`) */
  bases: string[];
  /** class keyword arguments: `class S(BaseSettings, env_prefix="APP_")` */
  keywords: PyKeyword[];
  fields: PyClassField[];
  /** `model_config = SettingsConfigDict(...)` / `ConfigDict(...)` / `{...}` keyword arguments */
  modelConfig?: PyKeyword[];
  /** the nested v1 `class Config:` assignments */
  legacyConfig?: PyKeyword[];
  methods: PyMethod[];
  /** name of the enclosing class for a nested class */
  outer?: string;
  loc: Location;
  nameLoc: Location;
}

/** A module-level `name = value` / `name: T = value`. */
export interface PyAssignment {
  name: string;
  annotation?: string;
  value?: PyExpr;
  loc: Location;
}

/** `from module import name as alias` / `import module as alias`. */
export interface PyImport {
  /** the module as written, with leading dots for relative imports (`.settings`) */
  module: string;
  /** the imported name; undefined for `import module` */
  name?: string;
  /** the local name it is bound to */
  local: string;
  loc: Location;
}

export type PyEnvReadVia =
  | 'os.environ[]'
  | 'os.environ.get'
  | 'os.getenv'
  | 'environ.Env'
  | 'env()'
  /** django-environ typed getters: env.str, env.bool, env.int, env.list, env.db, ... */
  | 'env.method';

export interface PyEnvRead {
  name: string;
  via: PyEnvReadVia;
  /** the django-environ method (`bool`, `int`, `db`, ...) or a wrapping `int(...)`/`float(...)`/`bool(...)` */
  cast?: string;
  /** raises when the variable is unset: `os.environ["X"]`, `env("X")` without a default */
  required: boolean;
  default?: PyExpr;
  loc: Location;
  /** where the read runs: at import (module or class body) or when a function is called */
  scope: 'module' | 'class' | 'function';
  functionName?: string;
  /** inside a `try:` body (a KeyError may be handled) */
  inTry: boolean;
}

/** `if <condition>: ... raise ...` (or `sys.exit(...)`) at any depth. */
export interface PyIfRaise {
  condition: PyExpr;
  /** the raised exception's class as written (`ValueError`, `RuntimeError`, `SystemExit`) */
  exception?: string;
  /** the first argument of the raise when it is a string (f-strings as written) */
  message?: string;
  /** the `if` line up to its colon */
  loc: Location;
  raiseLoc: Location;
  className?: string;
  functionName?: string;
  /** decorators of the enclosing function, as written */
  decorators: string[];
}

/** A call of a plain or dotted name (`Settings()`, `config.Settings(_env_file=None)`). */
export interface PyCall {
  /** the callee as written */
  callee: string;
  /** keyword argument names */
  kwargs: string[];
  positional: number;
  loc: Location;
  /** enclosing function when not at module level */
  functionName?: string;
  /** the call is a `return` value (`def get_settings(): return Settings()`) */
  returned: boolean;
}

export interface PyFunction {
  name: string;
  decorators: string[];
  /** the class it is a method of */
  className?: string;
  loc: Location;
}

export interface PyModule {
  path: string;
  classes: PyClass[];
  assignments: PyAssignment[];
  imports: PyImport[];
  functions: PyFunction[];
  calls: PyCall[];
  envReads: PyEnvRead[];
  ifRaises: PyIfRaise[];
  /** tree-sitter found syntax errors (the extraction is best effort) */
  hasErrors: boolean;
}
