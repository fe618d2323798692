import { lastDefinition, waitsFor } from '../../model/start/queries.js';
import type { ServiceModel } from '../../model/types.js';
import { defineRule } from '../define-rule.js';
import { appliers, commandText, composeArgs, isOneShotMigrator } from './_shared.js';

const COMPLETED = new Set(['service_completed_successfully'] as const);

/** Both run the same code (same build context, or the same image): they use the same database. */
function sameCodebase(a: ServiceModel, b: ServiceModel): boolean {
  if (a.build?.context !== undefined && a.build.context === b.build?.context) return true;
  return a.image?.value !== undefined && a.image.value === b.image?.value;
}

export default defineRule({
  meta: {
    id: 'migrations/not-gated',
    severity: 'high',
    title: 'A service does not wait for the one-shot migrate service to finish',
    fixable: 'none',
    status: 'stable',
    docs: {
      summary: 'A one-shot service applies the migrations (its start runs the upgrade command and no server), but a service built from the same code (the web app, a worker) does not wait for it with `depends_on: {migrate: {condition: service_completed_successfully}}`. Also reported, as `info`: the migrate job has `restart: always` or `unless-stopped` while services wait for it to complete.',
      why: 'Without `service_completed_successfully` Compose starts the app at the same time as the migrate job (no `depends_on`) or as soon as the job\'s container has started (`service_started`): the app serves requests against the old schema while the migrations run, and keeps running when they fail. With `service_completed_successfully` Compose waits until the job\'s container has exited, starts the app only on exit code 0, and otherwise stops with `service "migrate" didn\'t complete successfully: exit 1`. A path through other services counts when its last step into the job waits for completion. The `restart` case is inferred from how Compose waits (it polls for the `exited` state) and Docker\'s restart policies (`always` and `unless-stopped` restart a container after exit 0): the dependents may never see the state they wait for, and the migrations run again on every restart; this interaction is not documented, so it is reported as `info`.',
      fix: 'Add to every service that uses the database: `depends_on: {migrate: {condition: service_completed_successfully}}` (keep its other dependencies), and give the migrate job `restart: "no"` (or `on-failure` to retry failures).',
      verify: 'docker compose -f <files> up -d && docker compose -f <files> ps -a   # migrate "Exited (0)", the app started after it',
      references: [
        { title: 'Compose services: depends_on (service_completed_successfully)', url: 'https://docs.docker.com/reference/compose-file/services/#depends_on' },
        { title: 'Compose: control startup order', url: 'https://docs.docker.com/compose/how-tos/startup-order/' },
        { title: 'docker/compose convergence.go: waiting for a dependency to complete', url: 'https://github.com/docker/compose/blob/main/pkg/compose/convergence.go' },
        { title: 'Compose services: restart', url: 'https://docs.docker.com/reference/compose-file/services/#restart' },
      ],
    },
  },
  check({ model, report }) {
    for (const env of model.environments) {
      const migrators = env.services.filter(isOneShotMigrator);
      if (!migrators.length) continue;
      const selfMigrating = new Set(appliers(env, 'possible').map((a) => a.svc));
      const dc = `docker compose ${composeArgs(env)}`;
      for (const m of migrators) {
        const step = m.start!.migrationSteps[0]!;
        for (const app of env.services) {
          if (app === m || !app.enabled || !app.start?.servers.length || selfMigrating.has(app) || !sameCodebase(app, m)) continue;
          if (waitsFor(env, app.name, m.name, COMPLETED)) continue;
          const direct = app.dependsOn.find((d) => d.service === m.name);
          const how = direct
            ? `waits for ${m.name} only to ${direct.condition === 'service_started' ? 'start' : 'become healthy'} (condition: ${direct.condition}), not to finish`
            : `does not wait for ${m.name}`;
          report({
            message: `${app.name} ${how}, the one-shot service that runs \`${commandText(step)}\`: Compose starts ${app.name} while the migrations are still running, so it runs against the old schema, and it keeps running when they fail. Use depends_on: {${m.name}: {condition: service_completed_successfully}}.`,
            location: direct?.loc ?? lastDefinition(env, app),
            environment: env.name,
            service: app.name,
            related: [{ location: step.loc, message: `${m.name} runs \`${commandText(step)}\`` }],
            key: `${app.name}>${m.name}`,
            verify: [`${dc} up -d && ${dc} ps -a ${m.name} ${app.name}`],
          });
        }
        // KNOWLEDGE.md C18 (U): a restarting one-shot job never settles in `exited`
        const restart = m.restart;
        if (restart && (restart.value === 'always' || restart.value === 'unless-stopped')) {
          const waiters = env.services.filter((s) => s.enabled && s.dependsOn.some((d) => d.service === m.name && d.condition === 'service_completed_successfully'));
          if (!waiters.length) continue;
          report({
            message: `${m.name} runs \`${commandText(step)}\` once and exits, but has restart: ${restart.value}, while ${waiters.map((w) => w.name).join(', ')} wait${waiters.length === 1 ? 's' : ''} for it with condition: service_completed_successfully: Docker restarts it after exit 0, so Compose may never see the exited state it waits for, and the migrations run again on every restart. Use restart: "no" (or on-failure).`,
            location: restart.loc,
            environment: env.name,
            service: m.name,
            severity: 'info',
            related: waiters.map((w) => ({ location: w.dependsOn.find((d) => d.service === m.name)!.loc, message: `${w.name} waits for ${m.name} to complete` })),
            key: `restart:${m.name}`,
            verify: [`${dc} up -d && ${dc} ps -a ${m.name}   # Exited (0), not Restarting`],
          });
        }
      }
    }
  },
});
