/**
 * Production guards: code that refuses to start in production unless a condition holds, e.g.
 *
 *     if settings.environment == "production" and not settings.vault.enabled:
 *         raise RuntimeError("Vault must be enabled in production")
 *
 * at module level, in a function, or in a settings class's `@model_validator(mode="after")`
 * (`self.environment`) / v1 `@root_validator` (`values["environment"]`). The condition becomes a
 * small expression tree over setting paths and literals (`Environment.PRODUCTION` becomes its
 * value), which `evaluateGuard` runs against a service's resolved settings with Python's
 * truthiness. Anything drydock cannot model is `unknown`, and an unknown result stays silent.
 */
import { dottedName } from '../../parse/python/expr.js';
import type { PyExpr, PyIfRaise, PyModule } from '../../parse/python/module-types.js';
import { enumMembers, isEnumClass, type ClassIndex } from './settings.js';
import type { GuardExpr, ProductionGuard, SettingsClass, SettingValue } from './types.js';

export const PRODUCTION_VALUE = /^(?:prod|production|live)$/i;

/** How names in a module refer to settings: `settings.x`, `get_settings().x`, `self.x` in a validator. */
export interface SettingsRoots {
  /** local variable/import name → settings class name */
  names: Map<string, string>;
  /** function name whose call returns a settings instance → class name */
  factories: Map<string, string>;
}

/** Convert an `if ...: raise` into a production guard, when its condition compares a setting with a production value. */
export function toGuard(ir: PyIfRaise, module: PyModule, roots: SettingsRoots, classes: ReadonlyMap<string, SettingsClass>, index: ClassIndex): ProductionGuard | undefined {
  // inside a settings class's validator, `self` (v2) or `values` (v1) is the instance being built
  let selfClass: string | undefined;
  if (ir.className && classes.has(ir.className) && ir.functionName && ir.decorators.some((d) => /(?:model_validator|root_validator|validator)\b/.test(d))) selfClass = ir.className;
  const used = new Set<string>();
  const ctx: ConvertContext = { module, roots, selfClass, classes, index, used, depth: 0 };
  const condition = convert(ir.condition, ctx);
  if (used.size !== 1) return undefined;
  const settingsClass = [...used][0]!;
  const productionValues = [...new Set(productionLiterals(condition))];
  if (!productionValues.length) return undefined;
  const g: ProductionGuard = { condition, text: ir.condition.text, loc: ir.loc, module: module.path, settingsClass, productionValues };
  if (ir.message !== undefined) g.message = ir.message;
  if (ir.exception !== undefined) g.exception = ir.exception;
  return g;
}

interface ConvertContext {
  module: PyModule;
  roots: SettingsRoots;
  selfClass?: string;
  classes: ReadonlyMap<string, SettingsClass>;
  index: ClassIndex;
  used: Set<string>;
  depth: number;
}

const unknown = (e: PyExpr): GuardExpr => ({ kind: 'unknown', text: e.text });

function convert(e: PyExpr, ctx: ConvertContext): GuardExpr {
  if (ctx.depth > 50) return unknown(e);
  const sub = (x: PyExpr): GuardExpr => convert(x, { ...ctx, depth: ctx.depth + 1 });
  switch (e.kind) {
    case 'str':
    case 'num':
    case 'bool':
      return { kind: 'literal', value: e.value, text: e.text };
    case 'none':
      return { kind: 'literal', value: null, text: e.text };
    case 'seq':
      return { kind: 'list', items: e.items.map(sub), text: e.text };
    case 'not':
      return { kind: 'not', operand: sub(e.operand), text: e.text };
    case 'boolop': {
      const flat: PyExpr[] = [];
      const collect = (x: PyExpr): void => {
        if (x.kind === 'boolop' && x.op === e.op) {
          collect(x.left);
          collect(x.right);
        } else flat.push(x);
      };
      collect(e);
      return { kind: e.op, operands: flat.map(sub), text: e.text };
    }
    case 'compare': {
      const parts: GuardExpr[] = [];
      for (let i = 0; i < e.ops.length; i++) {
        const op = e.ops[i]!;
        if (op !== '==' && op !== '!=' && op !== 'in' && op !== 'not in' && op !== 'is' && op !== 'is not') return unknown(e);
        const left = sub(e.operands[i]!);
        const right = sub(e.operands[i + 1]!);
        parts.push(enumSafe({ kind: 'compare', op, left, right, text: e.text }, ctx));
      }
      return parts.length === 1 ? parts[0]! : { kind: 'and', operands: parts, text: e.text };
    }
    case 'attr':
    case 'name':
    case 'subscript':
    case 'call': {
      const s = settingPath(e, ctx);
      if (s) return s;
      const member = enumMemberValue(e, ctx);
      if (member !== undefined) return { kind: 'literal', value: member, text: e.text };
      return unknown(e);
    }
    default:
      return unknown(e);
  }
}

/** `settings.a.b`, `get_settings().a`, `self.a` (validator), `values["a"]` / `values.get("a")` (v1). */
function settingPath(e: PyExpr, ctx: ConvertContext): GuardExpr | undefined {
  const attrs: string[] = [];
  let cur = e;
  // `settings.environment.value` on an Enum field: the member's value
  while (cur.kind === 'attr') {
    attrs.unshift(cur.attr);
    cur = cur.object;
  }
  let cls: string | undefined;
  if (cur.kind === 'name') {
    if (ctx.selfClass && (cur.name === 'self' || cur.name === 'cls')) cls = ctx.selfClass;
    else cls = ctx.roots.names.get(cur.name);
  } else if (cur.kind === 'call' && cur.args.length === 0) {
    const fn = dottedName(cur.func);
    if (fn) cls = ctx.roots.factories.get(fn) ?? ctx.roots.factories.get(fn.split('.').pop()!);
  }
  // v1 root validators: values["environment"] / values.get("environment")
  if (!cls && ctx.selfClass && attrs.length === 0) {
    if (e.kind === 'subscript' && e.value.kind === 'name' && e.value.name === 'values' && e.index[0]?.kind === 'str') return setting(ctx.selfClass, e.index[0].value, e, ctx);
    if (e.kind === 'call' && e.func.kind === 'attr' && e.func.attr === 'get' && e.func.object.kind === 'name' && e.func.object.name === 'values' && e.args[0]?.kind === 'str') return setting(ctx.selfClass, e.args[0].value, e, ctx);
  }
  if (!cls || !attrs.length) return undefined;
  const fields = ctx.classes.get(cls)?.fields ?? [];
  let path = attrs.join('.');
  if (attrs[attrs.length - 1] === 'value' && !fields.some((f) => f.path === path)) path = attrs.slice(0, -1).join('.');
  if (!fields.some((f) => f.path === path)) return undefined;
  return setting(cls, path, e, ctx);
}

function setting(cls: string, path: string, e: PyExpr, ctx: ConvertContext): GuardExpr | undefined {
  if (!ctx.classes.get(cls)?.fields.some((f) => f.path === path)) return undefined;
  ctx.used.add(cls);
  return { kind: 'setting', path, text: e.text };
}

function enumMemberValue(e: PyExpr, ctx: ConvertContext): string | number | undefined {
  let x = e;
  if (x.kind === 'attr' && x.attr === 'value') x = x.object;
  if (x.kind !== 'attr' || x.object.kind !== 'name') return undefined;
  const ref = ctx.index.find(x.object.name, ctx.module);
  if (!ref || !isEnumClass(ref, ctx.index)) return undefined;
  return enumMembers(ref).get(x.attr);
}

/** A plain Enum member never equals a string (`Env.PROD == "prod"` is False); drydock does not guess. */
function enumSafe(c: GuardExpr & { kind: 'compare' }, ctx: ConvertContext): GuardExpr {
  const side = (g: GuardExpr, other: GuardExpr): boolean => {
    if (g.kind !== 'setting') return false;
    for (const cls of ctx.used) {
      const f = ctx.classes.get(cls)?.fields.find((x) => x.path === g.path);
      if (f?.enumClass && !f.enumClass.strMixin && other.kind === 'literal' && typeof other.value === 'string' && !/\.value$/.test(g.text) && !isMemberText(other.text)) return true;
    }
    return false;
  };
  if (side(c.left, c.right) || side(c.right, c.left)) return { kind: 'unknown', text: c.text };
  return c;
}

const isMemberText = (t: string): boolean => /^[A-Za-z_][\w.]*\.[A-Za-z_]\w*$/.test(t);

function productionLiterals(g: GuardExpr): string[] {
  switch (g.kind) {
    case 'compare': {
      const out: string[] = [];
      const lit = (x: GuardExpr): string[] => (x.kind === 'literal' && typeof x.value === 'string' ? [x.value] : x.kind === 'list' ? x.items.flatMap(lit) : []);
      if (g.left.kind === 'setting' || g.right.kind === 'setting') for (const v of [...lit(g.left), ...lit(g.right)]) if (PRODUCTION_VALUE.test(v)) out.push(v);
      return out;
    }
    case 'and':
    case 'or':
      return g.operands.flatMap((o) => productionLiterals(o));
    case 'not':
      return productionLiterals(g.operand);
    default:
      return [];
  }
}

// ------------------------------------------------------------------ evaluation

/** undefined: unknown */
type Val = { v: SettingValue } | undefined;

/**
 * Evaluate a guard: true when the condition holds (the app raises), false when it does not,
 * undefined when a value it needs is unknown.
 */
export function evaluateGuard(g: GuardExpr, lookup: (path: string) => SettingValue | undefined): boolean | undefined {
  return truth(g, lookup, 0);
}

function truth(g: GuardExpr, lookup: (path: string) => SettingValue | undefined, depth: number): boolean | undefined {
  if (depth > 60) return undefined;
  switch (g.kind) {
    case 'and': {
      let all = true;
      for (const o of g.operands) {
        const t = truth(o, lookup, depth + 1);
        if (t === false) return false;
        if (t === undefined) all = false;
      }
      return all ? true : undefined;
    }
    case 'or': {
      let none = true;
      for (const o of g.operands) {
        const t = truth(o, lookup, depth + 1);
        if (t === true) return true;
        if (t === undefined) none = false;
      }
      return none ? false : undefined;
    }
    case 'not': {
      const t = truth(g.operand, lookup, depth + 1);
      return t === undefined ? undefined : !t;
    }
    case 'compare': {
      const l = value(g.left, lookup, depth + 1);
      const r = value(g.right, lookup, depth + 1);
      if (!l || !r) return undefined;
      switch (g.op) {
        case '==':
          return pyEquals(l.v, r.v);
        case '!=':
          return !pyEquals(l.v, r.v);
        case 'is':
          return l.v === null || r.v === null ? l.v === r.v : undefined;
        case 'is not':
          return l.v === null || r.v === null ? l.v !== r.v : undefined;
        case 'in':
        case 'not in': {
          let hit: boolean | undefined;
          if (Array.isArray(r.v)) hit = r.v.some((x) => pyEquals(l.v, x));
          else if (typeof r.v === 'string' && typeof l.v === 'string') hit = r.v.includes(l.v);
          else if (r.v && typeof r.v === 'object') hit = typeof l.v === 'string' && l.v in r.v;
          if (hit === undefined) return undefined;
          return g.op === 'in' ? hit : !hit;
        }
      }
      return undefined;
    }
    default: {
      const v = value(g, lookup, depth + 1);
      return v ? truthy(v.v) : undefined;
    }
  }
}

function value(g: GuardExpr, lookup: (path: string) => SettingValue | undefined, depth: number): Val {
  switch (g.kind) {
    case 'literal':
      return { v: g.value };
    case 'setting': {
      const v = lookup(g.path);
      return v === undefined ? undefined : { v };
    }
    case 'list': {
      const items: SettingValue[] = [];
      for (const i of g.items) {
        const x = value(i, lookup, depth + 1);
        if (!x) return undefined;
        items.push(x.v);
      }
      return { v: items };
    }
    case 'unknown':
      return undefined;
    default: {
      const t = truth(g, lookup, depth + 1);
      return t === undefined ? undefined : { v: t };
    }
  }
}

/** Python truthiness of a JSON-like value. */
export function truthy(v: SettingValue): boolean {
  if (v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

function pyEquals(a: SettingValue, b: SettingValue): boolean {
  if (typeof a === 'boolean' && typeof b === 'number') return Number(a) === b;
  if (typeof b === 'boolean' && typeof a === 'number') return Number(b) === a;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => pyEquals(x, b[i]!));
  if (a && b && typeof a === 'object' && typeof b === 'object') return JSON.stringify(a) === JSON.stringify(b);
  return a === b;
}

/** The settings paths a guard reads. */
export function guardSettings(g: GuardExpr): string[] {
  switch (g.kind) {
    case 'setting':
      return [g.path];
    case 'compare':
      return [...guardSettings(g.left), ...guardSettings(g.right)];
    case 'and':
    case 'or':
      return g.operands.flatMap(guardSettings);
    case 'not':
      return guardSettings(g.operand);
    case 'list':
      return g.items.flatMap(guardSettings);
    default:
      return [];
  }
}
