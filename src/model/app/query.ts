/**
 * Queries rules and reporters share: every enabled service that runs the app, with its effective
 * environment and every settings field resolved against it. Computed once per model.
 */
import { posix } from 'node:path';
import type { EnvironmentModel, ProjectModel, ServiceModel } from '../types.js';
import { effectiveEnv, findVar, isProvided, resolveSettingValues, type EffectiveVar, type ResolvedSetting } from './effective.js';
import type { EnvRead, ServiceApp, SettingsClass, SettingValue } from './types.js';

export interface AppServiceView {
  env: EnvironmentModel;
  svc: ServiceModel;
  app: ServiceApp;
  /** the container's environment: image ENV < env_file < environment */
  vars: Map<string, EffectiveVar>;
  /** each settings class's fields resolved against `vars`, by path */
  values: Map<SettingsClass, Map<string, ResolvedSetting>>;
  /**
   * Variables a class's own `model_config` env_file may provide inside the container (the file is
   * in the build context and not dockerignored), upper-cased; `unknown` when it cannot be read.
   */
  dotenv: Map<SettingsClass, Set<string> | 'unknown'>;
}

const cache = new WeakMap<ProjectModel, AppServiceView[]>();

/** Enabled services that run the app, in environment and service order. */
export function appServices(model: ProjectModel): AppServiceView[] {
  const hit = cache.get(model);
  if (hit) return hit;
  const out: AppServiceView[] = [];
  for (const env of model.environments)
    for (const svc of env.services) {
      if (!svc.enabled || !svc.app) continue;
      const vars = effectiveEnv(env, svc);
      const values = new Map<SettingsClass, Map<string, ResolvedSetting>>();
      const dotenv = new Map<SettingsClass, Set<string> | 'unknown'>();
      for (const cls of svc.app.settings) {
        values.set(cls, resolveSettingValues(cls, vars));
        const d = classDotenv(model, svc, cls);
        if (d) dotenv.set(cls, d);
      }
      out.push({ env, svc, app: svc.app, vars, values, dotenv });
    }
  cache.set(model, out);
  return out;
}

function classDotenv(model: ProjectModel, svc: ServiceModel, cls: SettingsClass): Set<string> | 'unknown' | undefined {
  const ctx = svc.build?.context;
  if (ctx === undefined || !cls.envFiles.length) return undefined;
  let out: Set<string> | undefined;
  for (const f of cls.envFiles) {
    if (f.startsWith('/')) return 'unknown';
    const rel = posix.normalize(f);
    const path = ctx ? posix.join(ctx, rel) : rel;
    if (!model.tree.files.has(path) || svc.build?.dockerignore?.excludes(rel)) continue;
    const parsed = model.envFiles.get(path);
    if (!parsed) return 'unknown';
    out ??= new Set();
    for (const k of parsed.values.keys()) out.add(k.toUpperCase());
  }
  return out;
}

/** Whether the class's own env_file may set one of these names (case-insensitively). */
export function dotenvMayProvide(view: AppServiceView, cls: SettingsClass, names: string[]): boolean {
  const d = view.dotenv.get(cls);
  if (!d) return false;
  if (d === 'unknown') return true;
  return names.some((n) => d.has(n.toUpperCase()));
}

/** The value of a setting for guard evaluation: undefined when unknown or unset. */
export function settingLookup(view: AppServiceView, cls: SettingsClass): (path: string) => SettingValue | undefined {
  const vals = view.values.get(cls);
  return (path) => {
    const r = vals?.get(path);
    if (!r || r.error || r.source === 'unset' || r.source === 'unknown') return undefined;
    if (r.source === 'default' && r.field.nested) return undefined;
    return r.value;
  };
}

/** A required field (or a required nested model, satisfied by any of its variables) that nothing sets. */
export function missingRequired(view: AppServiceView, cls: SettingsClass): ResolvedSetting[] {
  const vals = view.values.get(cls);
  if (!vals || cls.opaque) return [];
  const out: ResolvedSetting[] = [];
  const provided = (path: string): boolean => {
    for (const [p, r] of vals) if ((p === path || p.startsWith(`${path}.`)) && isProvided(r)) return true;
    return false;
  };
  for (const r of vals.values()) {
    const f = r.field;
    if (!f.required) continue;
    // a required nested model: reported once, as itself, when nothing at all sets it
    if (f.parent && vals.get(f.parent)?.field.required && !provided(f.parent)) continue;
    if (f.nested ? provided(f.path) : isProvided(r)) continue;
    if (dotenvMayProvide(view, cls, f.envNames)) continue;
    out.push(r);
  }
  return out;
}

/** Direct reads (`os.environ["X"]`) that raise at import when the variable is unset, for this service. */
export function missingEnvReads(view: AppServiceView): EnvRead[] {
  const seen = new Set<string>();
  const out: EnvRead[] = [];
  for (const r of view.app.envReads) {
    if (!r.required || !r.atImport || seen.has(r.name)) continue;
    if (r.djangoModule) {
      const sel = view.vars.get('DJANGO_SETTINGS_MODULE')?.value;
      if (!sel || !r.djangoModule.endsWith(sel)) continue;
    }
    if (view.vars.has(r.name)) continue;
    seen.add(r.name);
    out.push(r);
  }
  return out;
}

/** A read as the code writes it: `os.environ["X"]`, `env.bool("X")`, `process.env.X`, envalid `str()` for X. */
export function describeRead(r: EnvRead): string {
  if (r.language === 'node') {
    if (r.via === 'process.env') return `process.env.${r.name}`;
    if (r.via === 'process.env[]') return `process.env["${r.name}"]`;
    if (r.via === 'process.env destructuring') return `{ ${r.name} } = process.env`;
    if (r.via.startsWith('envalid.')) return `envalid cleanEnv(process.env, { ${r.name}: ${r.via.slice(8)}() })`;
    if (r.via === 'zod') return `a zod schema's ${r.name} (.parse(process.env))`;
    return `${r.via} ${r.name}`;
  }
  return r.via === 'os.environ[]' ? `os.environ["${r.name}"]` : `${r.via}("${r.name}")`;
}

export { findVar, isProvided };
export type { EffectiveVar, ResolvedSetting };
