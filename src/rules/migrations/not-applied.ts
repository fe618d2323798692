import { formatLocation } from '../../core/location.js';
import type { RelatedLocation } from '../../core/finding.js';
import { lastDefinition } from '../../model/start/queries.js';
import type { EnvironmentModel, MigrationStep, MigrationTool, ProjectModel, ServiceModel } from '../../model/types.js';
import { defineRule } from '../define-rule.js';
import { migrateServiceFix } from './_migrate-service.js';
import { appliers, buildsTool, commandText, composeArgs, family, TOOL_LABEL } from './_shared.js';

/** Services whose start is not known and whose name says they might be the migration job. */
const MIGRATOR_NAME = /migrat|db[-_]?init|init[-_]?db|release|schema|flyway|liquibase|prestart/i;
const WORKER_KINDS = new Set(['celery-worker', 'celery-beat', 'rq-worker']);

/** The service that should apply the tool's migrations: it builds the code that holds them and runs a server (web first). */
function appService(env: EnvironmentModel, tool: MigrationTool): ServiceModel | undefined {
  const candidates = env.services.filter((s) => s.enabled && s.start && s.start.servers.length > 0 && buildsTool(s, tool));
  const web = candidates.filter((s) => s.start!.servers.some((f) => !WORKER_KINDS.has(f.kind) && f.kind !== 'nginx'));
  const pick = (list: ServiceModel[]): ServiceModel | undefined => list.find((s) => s.ports.length > 0) ?? list[0];
  return pick(web) ?? pick(candidates.filter((s) => !s.start!.servers.every((f) => f.kind === 'nginx')));
}

/** The app creates its tables itself (`Base.metadata.create_all(...)`) in a module drydock read. */
function createsSchemaOnStart(model: ProjectModel, app: ServiceModel): boolean {
  const ctx = app.build?.context;
  if (ctx === undefined) return false;
  for (const [path, src] of model.sources) {
    if (!path.endsWith('.py') || (ctx !== '' && !path.startsWith(`${ctx}/`))) continue;
    if (/\bmetadata\.create_all\s*\(|\bcreate_all\s*\(\s*(?:bind\s*=|engine\b)/.test(src.text)) return true;
  }
  return false;
}

/** Something on the start path drydock could not follow might apply the migrations. */
function startUnknown(env: EnvironmentModel, app: ServiceModel): boolean {
  if (env.services.some((s) => s.enabled && MIGRATOR_NAME.test(s.name) && (!s.start || s.start.unresolved.length > 0 || !s.start.imageKnown))) return true;
  // a migrate job behind a profile is run on purpose by the deploy (`docker compose run --rm migrate`)
  if (env.services.some((s) => !s.enabled && (s.start?.migrationSteps.length || MIGRATOR_NAME.test(s.name)))) return true;
  const p = app.start!;
  if (p.unresolved.length) return true;
  return p.baseEntrypointUnknown && (app.runtime.stage?.image?.unknownBase ?? true);
}

function migrationVerify(tool: MigrationTool, env: EnvironmentModel, app: string): string[] {
  const dc = `docker compose ${composeArgs(env)}`;
  switch (tool.tool) {
    case 'alembic':
    case 'flask-migrate':
      return [`${dc} exec ${app} alembic current   # prints the head revision, marked (head)`];
    case 'django':
      return [`${dc} exec ${app} python manage.py showmigrations --plan | grep -F '[ ]'   # prints nothing once every migration is applied`];
    default:
      return [`${dc} logs ${app}`];
  }
}

export default defineRule({
  meta: {
    id: 'migrations/not-applied',
    severity: 'critical',
    title: 'Nothing applies the database migrations in production',
    fixable: 'unsafe',
    status: 'stable',
    docs: {
      summary: 'The repository has database migrations (Alembic `alembic.ini` + `versions/`, Flask-Migrate, Django apps with `migrations/`, Prisma, Knex, Sequelize, TypeORM, Rails), but nothing that starts in a production environment applies them: not the ENTRYPOINT/CMD, not the entrypoint script, not a compose `command`, and no one-shot migrate service.',
      why: 'Migration tools only change the schema when their upgrade command runs (`alembic upgrade head`, `python manage.py migrate`); the application server does not run it. A production stack that never runs it starts on an empty database (every request that touches a table fails with `relation "…" does not exist` / `no such table`), and after a deploy that adds migrations the new code runs against the old schema (`column … does not exist`). This often hides behind parity gaps: the entrypoint runs the upgrade only when `ENVIRONMENT=development`, or only the development override runs it. drydock follows the start path of every service (compose `entrypoint`/`command`, the Dockerfile ENTRYPOINT/CMD, the scripts they run, `sh -c` strings) and evaluates `if`/`case` guards with the environment each service really gets; a guard that only admits a development value counts as false in production when the value is not visible. It stays silent when the start path cannot be followed (an unreadable script, an external image for a service named like a migration job), when a migrate service sits behind a profile (the deploy runs it explicitly with `docker compose run`), or when the app creates its tables itself (`Base.metadata.create_all(...)` in a module drydock read).',
      fix: 'Apply the migrations once per deploy before the app starts: a one-shot service on the app\'s image that runs the upgrade command (`command: ["alembic", "upgrade", "head"]`, `restart: "no"`), and `depends_on: {migrate: {condition: service_completed_successfully}}` on every service that uses the database. Running the upgrade in the entrypoint before `exec`-ing the server also works for a single replica (see migrations/race).',
      verify: 'docker compose -f <files> up -d && docker compose -f <files> exec <app> alembic current   # the head revision (or: python manage.py showmigrations --plan shows no [ ])',
      references: [
        { title: 'Alembic tutorial: running the first migration (`alembic upgrade head`)', url: 'https://alembic.sqlalchemy.org/en/latest/tutorial.html#running-our-first-migration' },
        { title: 'Django: migrate applies migrations (django-admin migrate)', url: 'https://docs.djangoproject.com/en/stable/ref/django-admin/#migrate' },
        { title: 'Compose: control startup order (service_completed_successfully)', url: 'https://docs.docker.com/compose/how-tos/startup-order/' },
        { title: 'Compose services: depends_on conditions', url: 'https://docs.docker.com/reference/compose-file/services/#depends_on' },
        { title: 'Prisma: migrate deploy in production', url: 'https://www.prisma.io/docs/orm/prisma-migrate/workflows/development-and-production#production-and-testing-environments' },
      ],
      fixSafety: 'Unsafe: the fix adds a `migrate` service to the environment\'s last compose file, built like the app (same context, Dockerfile, target and build args, or the same image), with the app\'s `env_file`, `environment` (values copied as written), `networks`, `secrets`, `working_dir`, `user` and the app\'s dependencies, running the detected upgrade command (`alembic upgrade head`, `flask db upgrade`, `python manage.py migrate --noinput`) through the image\'s entrypoint when it passes the command on, else instead of it; and makes the app wait for it with `condition: service_completed_successfully`. It changes what runs on every deploy and needs review: other services that use the database should wait for it too, the entrypoint the migrate service skips may have done setup, and the database user needs DDL rights. No fix is offered when the command cannot be checked to work from the app\'s working directory, when a value cannot be copied exactly (multi-line or quoted list-form values), when a literal secret would be duplicated, or when the app uses bind mounts, `network_mode` or flow-style YAML in the overlay.',
      example: {
        bad: {
          'docker-compose.yml': 'services:\n  api:\n    build: .\n    ports: ["8000:8000"]\n',
          'docker-compose.prod.yml': 'services:\n  api:\n    restart: unless-stopped\n',
          Dockerfile: 'FROM python:3.12-slim\nWORKDIR /app\nRUN pip install alembic gunicorn\nCOPY . .\nCMD ["gunicorn", "app.main:app", "-b", "0.0.0.0:8000"]\n',
          'alembic.ini': '[alembic]\nscript_location = migrations\n',
          'migrations/versions/0001_init.py': 'revision = "0001"\ndown_revision = None\n',
          'app/main.py': 'def app(environ, start_response):\n    start_response("200 OK", [])\n    return [b"ok"]\n',
        },
        good: {
          'docker-compose.yml': 'services:\n  api:\n    build: .\n    ports: ["8000:8000"]\n',
          'docker-compose.prod.yml': 'services:\n  api:\n    restart: unless-stopped\n    depends_on:\n      migrate:\n        condition: service_completed_successfully\n  migrate:\n    build: .\n    command: ["alembic", "upgrade", "head"]\n    restart: "no"\n',
          Dockerfile: 'FROM python:3.12-slim\nWORKDIR /app\nRUN pip install alembic gunicorn\nCOPY . .\nCMD ["gunicorn", "app.main:app", "-b", "0.0.0.0:8000"]\n',
          'alembic.ini': '[alembic]\nscript_location = migrations\n',
          'migrations/versions/0001_init.py': 'revision = "0001"\ndown_revision = None\n',
          'app/main.py': 'def app(environ, start_response):\n    start_response("200 OK", [])\n    return [b"ok"]\n',
        },
      },
    },
  },
  check({ model, report }) {
    if (!model.migrations.length) return;
    for (const env of model.environments) {
      if (!env.production) continue;
      const applied = appliers(env, 'possible');
      const done = new Set<string>();
      for (const tool of model.migrations) {
        const fam = family(tool.tool);
        if (applied.some((a) => family(a.step.tool) === fam && (a.svc.build?.context === undefined || buildsTool(a.svc, tool)))) continue;
        const app = appService(env, tool);
        if (!app || done.has(`${fam}|${app.name}`) || startUnknown(env, app) || createsSchemaOnStart(model, app)) continue;
        done.add(`${fam}|${app.name}`);

        const related: RelatedLocation[] = [{ location: tool.loc, message: `${TOOL_LABEL[tool.tool]} migrations: ${tool.count} in ${tool.dirs.join(', ')}` }];
        // steps that exist but do not run here, one related location per place they are written
        const skipped = new Map<string, { loc: MigrationStep['loc']; cmd: string; cond?: string; services: string[] }>();
        for (const s of env.services)
          for (const m of s.enabled && s.start ? s.start.migrationSteps : [])
            if (family(m.tool) === fam) {
              const k = formatLocation(m.loc);
              const e = skipped.get(k) ?? { loc: m.loc, cmd: commandText(m), services: [], ...(m.conditions?.length ? { cond: m.conditions.join(' && ') } : {}) };
              if (!e.services.includes(s.name)) e.services.push(s.name);
              skipped.set(k, e);
            }
        // parity: another environment applies them
        let parity = '';
        let parityRel: RelatedLocation | undefined;
        for (const other of model.environments) {
          if (other === env || other.production || other.projectDir !== env.projectDir) continue;
          const a = appliers(other, 'certain').find((x) => family(x.step.tool) === fam && buildsTool(x.svc, tool));
          if (!a) continue;
          parity = ` The ${other.name} environment applies migrations at ${formatLocation(a.step.loc)}; ${env.name} does not.`;
          parityRel = { location: a.step.loc, message: `${other.name} applies migrations here (\`${commandText(a.step)}\`, service ${a.svc.name}); ${env.name} does not` };
          break;
        }
        for (const [k, e] of [...skipped].slice(0, 3)) {
          const why = `\`${e.cmd}\` does not run for ${e.services.join(', ')} in ${env.name}${e.cond ? `: it only runs when ${e.cond}` : ''}`;
          if (parityRel && formatLocation(parityRel.location) === k) {
            related.push({ location: e.loc, message: `${why}; ${parityRel.message}` });
            parityRel = undefined;
          } else related.push({ location: e.loc, message: why });
        }
        if (parityRel) related.push(parityRel);
        const what = `${tool.count} ${TOOL_LABEL[tool.tool]} migration${tool.count === 1 ? '' : 's'}`;
        const fix = migrateServiceFix(model, env, app, tool);
        report({
          message: `The repository has ${what} (${tool.configPath ?? tool.dir}), but nothing that starts in ${env.name} applies ${tool.count === 1 ? 'it' : 'them'}: no service runs the upgrade on start and there is no one-shot migrate service, so ${app.name} starts on a database without its tables (or with the previous schema after a deploy) and requests fail with errors such as 'relation "…" does not exist'.${parity}`,
          location: lastDefinition(env, app),
          environment: env.name,
          service: app.name,
          related,
          key: `${fam}:${tool.configPath ?? tool.dir}`,
          ...(fix ? { fix: fix.fix } : {}),
          verify: migrationVerify(tool, env, app.name),
        });
      }
    }
  },
});
