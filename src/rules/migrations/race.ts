import { formatLocation } from '../../core/location.js';
import type { RelatedLocation } from '../../core/finding.js';
import { envSeverity, waitsFor } from '../../model/start/queries.js';
import { defineRule } from '../define-rule.js';
import { appliers, commandText, composeArgs, family, type Applier } from './_shared.js';

/** Compose starts a dependent only after these conditions, and a migrating service is healthy or done only after its migrations ran. */
const AFTER_MIGRATION = new Set(['service_healthy', 'service_completed_successfully'] as const);

export default defineRule({
  meta: {
    id: 'migrations/race',
    severity: 'high',
    title: 'Migrations run concurrently at start (replicas, or several services)',
    fixable: 'none',
    status: 'stable',
    docs: {
      summary: 'Migrations run as part of a service\'s start while that service has more than one replica (`deploy.replicas`, `scale`), or several services run them on start (a web app and a worker sharing an entrypoint that migrates) and nothing makes one wait for the other.',
      why: 'Migration tools take no lock across processes by default: Alembic and Django read the current revision, run the pending migrations and record the new revision, and two processes that start together both see the same pending migrations. On a deploy with new migrations they run the same DDL at once: one fails (`DuplicateTable`, `UniqueViolation` on `alembic_version`, `relation "django_migrations" already exists`) and, with MySQL where DDL is not transactional, the schema can be left half-applied. The container that lost usually exits and is restarted, so it looks like a flaky deploy. Two services are ordered, and not reported, when one `depends_on` the other with `service_healthy` or `service_completed_successfully` (it then starts after the other\'s migrations ran). Outside production environments the finding is `low`.',
      fix: 'Run the migrations once per deploy: move them to a one-shot service (`command: ["alembic", "upgrade", "head"]`, `restart: "no"`) that the app and workers wait for with `condition: service_completed_successfully`, and remove them from the shared entrypoint (or run them only for the web service, e.g. behind a `RUN_MIGRATIONS=1` variable set on one service with one replica). If they must stay in the app, serialize them with a database lock (`pg_advisory_lock` in Alembic\'s env.py).',
      verify: 'docker compose -f <files> up -d && docker compose -f <files> logs | grep -iE "alembic|migrat"   # the upgrade runs in one container only',
      references: [
        { title: 'Compose deploy: replicas', url: 'https://docs.docker.com/reference/compose-file/deploy/#replicas' },
        { title: 'Compose: control startup order', url: 'https://docs.docker.com/compose/how-tos/startup-order/' },
        { title: 'Concurrent Alembic upgrades fail with UniqueViolation on alembic_version (aegra/aegra#548)', url: 'https://github.com/aegra/aegra/issues/548' },
        { title: 'Nothing serialises `alembic upgrade head` across processes (rommapp/romm#4486)', url: 'https://github.com/rommapp/romm/pull/4486' },
      ],
    },
  },
  check({ model, report }) {
    for (const env of model.environments) {
      const running = appliers(env, 'certain');
      const dc = `docker compose ${composeArgs(env)}`;

      // (1) one service, several replicas
      const replicated = new Set<string>();
      for (const a of running) {
        const r = a.svc.replicas;
        if (!r || r.value <= 1 || replicated.has(a.svc.name)) continue;
        replicated.add(a.svc.name);
        report({
          message: `${a.svc.name} runs \`${commandText(a.step)}\` when it starts and has ${r.value} replicas: on a deploy with new migrations every replica runs them at the same time, and the ones that lose fail (duplicate tables, a unique violation on the version table) or leave the schema half-applied.`,
          location: a.step.loc,
          environment: env.name,
          service: a.svc.name,
          severity: envSeverity(env, 'high'),
          related: [{ location: r.loc, message: `${r.value} replicas` }],
          key: `replicas:${a.svc.name}:${formatLocation(a.step.loc)}`,
          verify: [`${dc} logs ${a.svc.name} | grep -iE "alembic|migrat"`],
        });
      }

      // (2) several services, not ordered by depends_on
      const byFamily = new Map<string, Applier[]>();
      for (const a of running) {
        const list = byFamily.get(family(a.step.tool)) ?? [];
        if (!list.some((x) => x.svc === a.svc)) list.push(a);
        byFamily.set(family(a.step.tool), list);
      }
      for (const list of byFamily.values()) {
        if (list.length < 2) continue;
        const racing = new Set<Applier>();
        for (let i = 0; i < list.length; i++)
          for (let j = i + 1; j < list.length; j++) {
            const a = list[i]!;
            const b = list[j]!;
            if (waitsFor(env, a.svc.name, b.svc.name, AFTER_MIGRATION) || waitsFor(env, b.svc.name, a.svc.name, AFTER_MIGRATION)) continue;
            racing.add(a);
            racing.add(b);
          }
        if (racing.size < 2) continue;
        const group = list.filter((a) => racing.has(a));
        const names = group.map((a) => a.svc.name);
        const at = group[group.length - 1]!;
        const sameLine = group.every((a) => formatLocation(a.step.loc) === formatLocation(at.step.loc));
        const related: RelatedLocation[] = sameLine
          ? group.map((a) => ({ location: a.svc.loc, message: `${a.svc.name} runs it on start` }))
          : group.filter((a) => a !== at).map((a) => ({ location: a.step.loc, message: `${a.svc.name} runs \`${commandText(a.step)}\` on start` }));
        report({
          message: `${names.join(' and ')} ${names.length === 2 ? 'both' : 'all'} run \`${commandText(at.step)}\` when they start${sameLine ? ` (${formatLocation(at.step.loc)})` : ''}, and no depends_on makes one wait for another: on a deploy with new migrations they run them at the same time, and the ones that lose fail (duplicate tables, a unique violation on the version table) or leave the schema half-applied.`,
          location: at.step.loc,
          environment: env.name,
          service: at.svc.name,
          severity: envSeverity(env, 'high'),
          related,
          key: `services:${names.join(',')}`,
          verify: [`${dc} up -d && ${dc} logs ${names.join(' ')} | grep -iE "alembic|migrat"`],
        });
      }
    }
  },
});
