/**
 * What the migration rules share: which tool a migration step belongs to, which services apply
 * migrations in an environment, and how to describe a step.
 */
import type { EnvironmentModel, MigrationStep, MigrationTool, MigrationToolName, ServiceModel } from '../../model/types.js';
import { certainlyRuns, devOnlyGuard, mayRun } from '../../model/start/queries.js';

/** Flask-Migrate runs Alembic: `flask db upgrade` and `alembic upgrade` apply the same migrations. */
export function family(tool: MigrationToolName): string {
  return tool === 'flask-migrate' ? 'alembic' : tool;
}

export const TOOL_LABEL: Record<MigrationToolName, string> = {
  alembic: 'Alembic', 'flask-migrate': 'Flask-Migrate', django: 'Django', prisma: 'Prisma', knex: 'Knex', sequelize: 'Sequelize', typeorm: 'TypeORM', rails: 'Rails',
};

export interface Applier {
  svc: ServiceModel;
  step: MigrationStep;
}

/**
 * The migration steps of enabled services that run in this environment.
 * `certain`: unconditional, or conditions that hold. `possible`: not known to be false (in a
 * production environment a guard that only admits a development value counts as false).
 */
export function appliers(env: EnvironmentModel, how: 'certain' | 'possible'): Applier[] {
  const out: Applier[] = [];
  for (const svc of env.services) {
    if (!svc.enabled || !svc.start) continue;
    for (const step of svc.start.migrationSteps) {
      const ok = how === 'certain' ? certainlyRuns(step) : mayRun(step) && !(env.production && step.conditionHolds === undefined && devOnlyGuard(step));
      if (ok) out.push({ svc, step });
    }
  }
  return out;
}

/** A one-shot migrate service: its start applies migrations and starts no server or worker. */
export function isOneShotMigrator(svc: ServiceModel): boolean {
  const p = svc.start;
  return !!p && svc.enabled && p.servers.length === 0 && p.migrationSteps.some((m) => mayRun(m));
}

/** `alembic upgrade head` */
export function commandText(step: MigrationStep): string {
  return step.argv.join(' ');
}

/** The build context of the service contains the tool's migrations folder. */
export function buildsTool(svc: ServiceModel, tool: MigrationTool): boolean {
  const ctx = svc.build?.context;
  if (ctx === undefined) return false;
  return ctx === '' || tool.dir === ctx || tool.dir.startsWith(`${ctx}/`);
}

export function composeArgs(env: EnvironmentModel): string {
  return env.composeFiles.map((f) => `-f ${f}`).join(' ');
}
