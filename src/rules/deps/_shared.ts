/** Helpers shared by the deps/* rules (not a rule: the registry skips `_` files). */
import type { Location } from '../../core/location.js';
import type { BuildDeps } from '../../model/deps/types.js';
import type { EnvironmentModel, ProjectModel, ServiceModel } from '../../model/types.js';

export interface BuildTarget {
  build: BuildDeps;
  env?: EnvironmentModel;
  service?: ServiceModel;
}

/** Every build with its environment and service models. */
export function buildTargets(model: ProjectModel): BuildTarget[] {
  const out: BuildTarget[] = [];
  for (const build of model.deps?.builds ?? []) {
    const env = build.environment !== undefined ? model.environments.find((e) => e.name === build.environment) : undefined;
    const service = env?.services.find((s) => s.name === build.service);
    if (service && !service.enabled) continue;
    out.push({ build, ...(env ? { env } : {}), ...(service ? { service } : {}) });
  }
  return out;
}

/** One finding per defect per environment: remembers `${environment}\0${key}`. */
export function once(): (env: string | undefined, key: string) => boolean {
  const seen = new Set<string>();
  return (env, key) => {
    const k = `${env ?? ''}\0${key}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  };
}

export const at = (l: Location): string => (l.startLine !== undefined ? `${l.file}:${l.startLine}` : l.file);

/** `docker compose -f a -f b run --rm svc <cmd>`, or `docker run --rm <image> <cmd>` for a bare Dockerfile. */
export function runIn(t: BuildTarget, cmd: string): string {
  if (t.env && t.service) return `docker compose ${t.env.composeFiles.map((f) => `-f ${f}`).join(' ')} run --rm --no-deps --entrypoint "" ${t.service.name} ${cmd}`;
  return `docker build -t drydock-check -f ${t.build.dockerfile} ${t.build.context || '.'} && docker run --rm --entrypoint "" drydock-check ${cmd}`;
}

export function buildCmd(t: BuildTarget): string {
  if (t.env && t.service) return `docker compose ${t.env.composeFiles.map((f) => `-f ${f}`).join(' ')} build ${t.service.name}`;
  return `docker build -f ${t.build.dockerfile} ${t.build.context || '.'}`;
}
