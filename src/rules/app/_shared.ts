/** Helpers the app/* rules share (not a rule: the leading `_` keeps it out of the registry). */
import type { Location } from '../../core/location.js';
import type { EnvironmentModel, ProjectModel, ServiceModel, ServicePython, StartStep } from '../../model/types.js';

export const composeFlags = (env: EnvironmentModel): string => env.composeFiles.map((f) => `-f ${f}`).join(' ');

export const where = (l: Location): string => (l.startLine === undefined ? l.file : `${l.file}:${l.startLine}`);

export const locKey = (l: Location): string => `${l.file}:${l.startLine ?? 0}:${l.startColumn ?? 0}`;

export interface PythonService {
  env: EnvironmentModel;
  svc: ServiceModel;
  py: ServicePython;
}

/** Every enabled service with Python runtime facts, per environment. */
export function pythonServices(model: ProjectModel): PythonService[] {
  const out: PythonService[] = [];
  for (const env of model.environments) for (const svc of env.services) if (svc.enabled && svc.python) out.push({ env, svc, py: svc.python });
  return out;
}

/** The step runs whatever the environment: not guarded, or every guard holds. */
export const certainlyRuns = (s: StartStep | undefined): boolean => s !== undefined && (!s.conditional || s.conditionHolds === true);

/** The step may run (a guard that never holds rules it out). */
export const mayRun = (s: StartStep | undefined): boolean => s !== undefined && s.conditionHolds !== false;

/** Group items by a key, keeping first-seen order. */
export function groupBy<T>(items: readonly T[], key: (t: T) => string): T[][] {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = m.get(k);
    if (list) list.push(it);
    else m.set(k, [it]);
  }
  return [...m.values()];
}

export const serviceList = (names: readonly string[]): string => (names.length === 1 ? `service "${names[0]}"` : `services ${names.map((n) => `"${n}"`).join(', ')}`);

/** `runs` / `run` after serviceList */
export const verb = (names: readonly string[], one: string, many: string): string => (names.length === 1 ? one : many);

/** "X, Y and Z" */
export function andList(xs: readonly string[]): string {
  if (xs.length <= 1) return xs.join('');
  return `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;
}

/** What happens after the process exits: a restart loop only under a restart policy (compose's default is "no"). */
export function afterExit(svc: ServiceModel): string {
  const r = svc.restart?.value;
  return r && r !== 'no' ? 'the container exits and restarts in a loop' : 'the container exits (and stays down: the service has no restart policy)';
}

/** First letter upper-cased. */
export const sentence = (s: string): string => (s ? s[0]!.toUpperCase() + s.slice(1) : s);
