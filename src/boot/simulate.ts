/**
 * `drydock boot`: a static simulation of `docker compose up` for one environment. Services start
 * in depends_on order; each finding that stops a build, a container or a healthcheck is applied
 * where Compose would hit it, and the report says where the boot stops and why.
 *
 * Effects by rule (what Compose does when it meets the defect):
 *   config   the project is rejected before anything starts (missing env_file, unknown service)
 *   build    `up` builds images first; a failed build stops `up` for the whole project
 *   crash    the container starts and exits (missing executable, module, required setting)
 *   unhealthy  the container runs but its healthcheck never passes
 */
import type { Finding } from '../core/finding.js';
import type { EnvironmentModel, ServiceModel } from '../model/types.js';

export type Effect = 'config' | 'build' | 'crash' | 'unhealthy';

export const RULE_EFFECTS: Record<string, Effect> = {
  'parse-error': 'config',
  'compose/env-file-missing': 'config',
  'compose/depends-on-invalid': 'config',
  'compose/dockerfile-missing': 'build',
  'compose/build-target-missing': 'build',
  'image/copy-source-missing': 'build',
  'image/copy-source-untracked': 'build',
  'image/path-missing-at-step': 'build',
  'deps/lock-out-of-sync': 'build',
  'compose/host-port-conflict': 'crash',
  'image/entrypoint-missing': 'crash',
  'image/executable-missing': 'crash',
  'image/script-not-executable': 'crash',
  'image/script-crlf': 'crash',
  'app/module-missing': 'crash',
  'app/celery-app-missing': 'crash',
  'env/required-setting-missing': 'crash',
  'env/production-guard': 'crash',
  'deps/undeclared-import': 'crash',
  'migrations/wrong-cwd': 'crash',
  'permissions/readonly-unwritable': 'crash',
  'health/tool-missing': 'unhealthy',
  'health/endpoint-missing': 'unhealthy',
};

export type ServiceState = 'healthy' | 'running' | 'completed' | 'never-healthy' | 'exits' | 'never-starts' | 'not-built';

export interface BootStep {
  service: string;
  state: ServiceState;
  /** why, in one line, naming the finding or the dependency */
  reason?: string;
  finding?: { ruleId: string; message: string; file: string; line?: number };
  waitsOn?: string;
}

export interface BootReport {
  environment: string;
  /** start order (dependencies first) */
  steps: BootStep[];
  /** the first thing that stops the boot, or undefined when it boots */
  stoppedAt?: string;
  boots: boolean;
  /** set when Compose rejects the project before starting anything */
  rejected?: { ruleId: string; message: string; file: string; line?: number };
}

/** Dependencies first; ties broken by name, so the order is deterministic. Cycles are cut. */
export function startOrder(services: ServiceModel[]): ServiceModel[] {
  const byName = new Map(services.map((s) => [s.name, s]));
  const out: ServiceModel[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (s: ServiceModel): void => {
    if (state.get(s.name)) return;
    state.set(s.name, 'visiting');
    for (const d of [...s.dependsOn].sort((a, b) => a.service.localeCompare(b.service))) {
      const dep = byName.get(d.service);
      if (dep && state.get(dep.name) !== 'visiting') visit(dep);
    }
    state.set(s.name, 'done');
    out.push(s);
  };
  for (const s of [...services].sort((a, b) => a.name.localeCompare(b.name))) visit(s);
  return out;
}

const brief = (f: Finding) => ({ ruleId: f.ruleId, message: f.message, file: f.location.file, line: f.location.startLine });

export function simulateBoot(env: EnvironmentModel, findings: readonly Finding[]): BootReport {
  const mine = findings.filter((f) => f.environment === env.name || (f.environment === undefined && f.ruleId === 'parse-error' && env.composeFiles.includes(f.location.file)));
  const effectOf = (f: Finding): Effect | undefined => RULE_EFFECTS[f.ruleId];
  const services = env.services.filter((s) => s.enabled);
  const rejected = mine.find((f) => effectOf(f) === 'config' && !(f.ruleId === 'compose/depends-on-invalid' && /healthcheck/.test(f.message)));
  if (rejected)
    return { environment: env.name, steps: [], boots: false, stoppedAt: `the project: Compose rejects it before any container starts (${rejected.ruleId})`, rejected: brief(rejected) };
  const order = startOrder(services);
  const forService = (name: string, effect: Effect) => mine.find((f) => f.service === name && effectOf(f) === effect);
  const steps: BootStep[] = [];
  const state = new Map<string, ServiceState>();
  const buildFailure = order.map((s) => forService(s.name, 'build')).find(Boolean);
  if (buildFailure) {
    for (const s of order) {
      const b = forService(s.name, 'build');
      steps.push(b ? { service: s.name, state: 'not-built', reason: b.message, finding: brief(b) } : { service: s.name, state: 'never-starts', reason: `up stops: the image of "${buildFailure.service}" does not build` });
    }
    return { environment: env.name, steps, boots: false, stoppedAt: `${buildFailure.service}: build fails (${buildFailure.ruleId})` };
  }
  let stoppedAt: string | undefined;
  for (const s of order) {
    const blocking = s.dependsOn.find((d) => {
      const st = state.get(d.service);
      if (st === undefined) return false; // unknown or disabled dependency: reported elsewhere
      if (d.condition === 'service_healthy') return st !== 'healthy';
      if (d.condition === 'service_completed_successfully') return st !== 'completed';
      return st === 'never-starts' || st === 'not-built';
    });
    let step: BootStep;
    if (blocking) {
      const depState = state.get(blocking.service);
      const why =
        blocking.condition === 'service_healthy' ? 'to be healthy' : blocking.condition === 'service_completed_successfully' ? 'to complete successfully' : 'to start';
      step = { service: s.name, state: 'never-starts', waitsOn: blocking.service, reason: `waits for ${blocking.service} ${why}; ${blocking.service} ${describe(depState!)}` };
    } else {
      const crash = forService(s.name, 'crash');
      const unhealthy = forService(s.name, 'unhealthy');
      const hasHealthcheck = s.healthcheck ? !s.healthcheck.disabled : Boolean(s.runtime.stage?.healthcheck && s.runtime.stage.healthcheck.value[0] !== 'NONE');
      const oneShot = env.services.some((o) => o.dependsOn.some((d) => d.service === s.name && d.condition === 'service_completed_successfully'));
      if (crash) step = { service: s.name, state: 'exits', reason: crash.message, finding: brief(crash) };
      else if (hasHealthcheck && unhealthy) step = { service: s.name, state: 'never-healthy', reason: unhealthy.message, finding: brief(unhealthy) };
      else if (oneShot) step = { service: s.name, state: 'completed' };
      else step = { service: s.name, state: hasHealthcheck ? 'healthy' : 'running' };
    }
    state.set(s.name, step.state);
    steps.push(step);
    if (!stoppedAt && ['exits', 'never-healthy', 'never-starts'].includes(step.state)) stoppedAt = `${s.name}: ${describe(step.state)}${step.finding ? ` (${step.finding.ruleId})` : step.waitsOn ? ` (waits on ${step.waitsOn})` : ''}`;
  }
  return { environment: env.name, steps, boots: !stoppedAt, stoppedAt };
}

export function describe(state: ServiceState): string {
  switch (state) {
    case 'healthy':
      return 'healthy';
    case 'running':
      return 'running (no healthcheck)';
    case 'completed':
      return 'runs once and exits 0';
    case 'never-healthy':
      return 'never becomes healthy';
    case 'exits':
      return 'exits at start';
    case 'never-starts':
      return 'never starts';
    case 'not-built':
      return 'image does not build';
  }
}
