/**
 * The start path of every service (model/start/plan.ts) and the project's migration tools
 * (model/start/migrations.ts). Called once by build-model after the environments are built.
 */
import type { EnvironmentModel } from '../types.js';
import { buildStartPlan, createStartContext, type StartContext } from './plan.js';

export { buildStartPlan, createStartContext, type StartContext } from './plan.js';
export { detectMigrationTools, findMigrationSteps } from './migrations.js';
export { serverFacts, parseOptions } from './servers.js';

/** Set `service.start` on every service of every environment. */
export async function addStartPlans(environments: readonly EnvironmentModel[], tree: StartContext['tree'], read: StartContext['read']): Promise<void> {
  const ctx = createStartContext(tree, read);
  for (const env of environments)
    for (const svc of env.services) {
      const plan = await buildStartPlan(svc, ctx);
      if (plan) svc.start = plan;
    }
}
