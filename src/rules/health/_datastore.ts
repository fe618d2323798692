/** Which official image a service runs and whether it has a healthcheck, for health/dependency-unchecked and health/pg-isready-database (not a rule: the leading `_` keeps it out of the registry). */
import { imageHasNoHealthcheck, officialImageName } from '../../knowledge/image-healthchecks.js';
import type { ServiceModel } from '../../model/types.js';

/** The official image a service runs (through `FROM <stage>` chains), by its short name. */
export function officialOf(t: ServiceModel): string | undefined {
  if (t.runtime.external) return officialImageName(t.runtime.external.repository);
  const stages = t.runtime.dockerfile?.stages;
  let st = t.runtime.stage;
  for (let i = 0; st && st.baseStage !== undefined && i < 32; i++) st = stages?.[st.baseStage];
  return st ? officialImageName(st.base.repository) : undefined;
}

/** Whether the service has a healthcheck: 'yes', 'no', or 'unknown' (an image drydock cannot see may define one). */
export function healthOf(t: ServiceModel): 'yes' | 'no' | 'unknown' {
  const hc = t.healthcheck;
  if (hc?.disabled) return 'no';
  if (hc && hc.test.length) return 'yes';
  const image = t.runtime.stage?.healthcheck;
  if (image) return image.value[0] === 'NONE' ? 'no' : 'yes';
  const repo = officialOf(t);
  return repo !== undefined && imageHasNoHealthcheck(repo) ? 'no' : 'unknown';
}

