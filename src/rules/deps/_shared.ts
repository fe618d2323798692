/** Helpers shared by the deps/* rules (not a rule: the registry skips `_` files). */
import type { Location } from '../../core/location.js';
import type { BuildDeps } from '../../model/deps/types.js';
import type { EnvironmentModel, ProjectModel, ServiceModel, StageModel } from '../../model/types.js';

export interface BuildTarget {
  build: BuildDeps;
  env?: EnvironmentModel;
  service?: ServiceModel;
  /** the stage the build targets */
  stage?: StageModel;
}

/** Every build with its environment and service models. */
export function buildTargets(model: ProjectModel): BuildTarget[] {
  const out: BuildTarget[] = [];
  for (const build of model.deps?.builds ?? []) {
    const env = build.environment !== undefined ? model.environments.find((e) => e.name === build.environment) : undefined;
    const service = env?.services.find((s) => s.name === build.service);
    if (service && !service.enabled) continue;
    const stage = service?.runtime.stage ?? model.dockerfiles.get(build.dockerfile)?.stages[build.target];
    out.push({ build, ...(env ? { env } : {}), ...(service ? { service } : {}), ...(stage ? { stage } : {}) });
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

/** Run `program args` in the service's image without its entrypoint: `docker compose -f a -f b run --rm --no-deps --entrypoint python svc -c "..."`. */
export function runIn(t: BuildTarget, program: string, args: string): string {
  if (t.env && t.service) return `docker compose ${t.env.composeFiles.map((f) => `-f ${f}`).join(' ')} run --rm --no-deps --entrypoint ${program} ${t.service.name} ${args}`;
  return `docker build -t drydock-check -f ${t.build.dockerfile} ${t.build.context || '.'} && docker run --rm --entrypoint ${program} drydock-check ${args}`;
}

export function buildCmd(t: BuildTarget): string {
  if (t.env && t.service) return `docker compose ${t.env.composeFiles.map((f) => `-f ${f}`).join(' ')} build ${t.service.name}`;
  return `docker build -f ${t.build.dockerfile} ${t.build.context || '.'}`;
}
