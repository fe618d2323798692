import type { RelatedLocation } from '../../core/finding.js';
import type { Location } from '../../core/location.js';
import type { EnvRead, EnvironmentModel, ProjectModel, ServerFact, ServiceModel, StartPlan, StartStep } from '../../model/types.js';
import { defineRule } from '../define-rule.js';
import { LISTENING_KINDS, certainlyRuns, composeFlags, plannedServices, serverArgvPlausible, serverName, where } from './_start.js';

const TRUTHY = new Set(['1', 'true', 'yes', 'on', 'y', 't']);
const truthy = (v: string): boolean => TRUTHY.has(v.trim().replace(/^(['"])(.*)\1$/, '$2').trim().toLowerCase());

/** package.json scripts that by convention start a development server */
const DEV_SCRIPTS = new Set(['dev', 'develop', 'start:dev']);

function whatServer(s: ServerFact): string {
  switch (s.kind) {
    case 'flask':
      return '`flask run`, Flask\'s development server ("not designed to be particularly efficient, stable, or secure")';
    case 'django-runserver':
      return '`manage.py runserver`, Django\'s development server (its documentation: "DO NOT USE THIS SERVER IN A PRODUCTION SETTING")';
    case 'next':
      return '`next dev`, Next.js in development mode (unoptimised on-demand compilation, hot reloading)';
    case 'nodemon':
      return 'nodemon, a development tool that restarts the app whenever a watched file changes';
    default:
      return `${serverName(s)}, a development server`;
  }
}

function whatReload(s: ServerFact, step: StartStep): string {
  if (s.kind === 'uvicorn' && !step.argv.includes('--reload')) return 'uvicorn with auto-reload (UVICORN_RELOAD), a development setting: one process with a file watcher that restarts the app when a file changes';
  if (s.kind === 'uvicorn') return 'uvicorn with `--reload`, a development setting: one process with a file watcher that restarts the app when a file changes (it cannot be combined with `--workers`)';
  if (s.kind === 'gunicorn') return 'gunicorn with `--reload` ("intended for development"): workers restart whenever a source file changes';
  if (s.kind === 'node') return 'node with `--watch`, which restarts the process whenever an imported file changes';
  return `${serverName(s)} with auto-reload, a development setting`;
}

/** Where a finding about a step belongs: a step inside a package.json script is reported where production starts that script. */
function reportAt(plan: StartPlan, index: number): { loc: Location; related?: RelatedLocation } {
  const step = plan.steps[index]!;
  if (step.scriptPath?.endsWith('package.json')) {
    for (let i = index - 1; i >= 0; i--) {
      const p = plan.steps[i]!;
      if (p.expands === 'package-script' && p.depth === step.depth - 1) return { loc: p.loc, related: { location: step.loc, message: `the package script runs \`${step.argv.join(' ')}\`` } };
    }
  }
  return { loc: step.loc };
}

/** A variable's value for the service: compose first, then the image's ENV. `null`: set to a value drydock cannot see; undefined: not set. */
function valueOf(svc: ServiceModel, name: string): { value: string | null; loc?: Location } | undefined {
  const c = svc.env.get(name);
  if (c) return { value: c.value, loc: c.loc };
  const d = svc.runtime.stage?.env.get(name);
  if (d) return { value: d.value, loc: d.loc };
  return undefined;
}

const dotted = (module: string): string => module.replace(/\.py$/, '').replace(/\/__init__$/, '').split('/').join('.');

/**
 * The read takes effect: outside a Django settings package always; inside one only when
 * DJANGO_SETTINGS_MODULE selects that very module (a variant such as production.py may import
 * it and then assign DEBUG = False, which drydock does not follow). `strict` also requires the
 * selection for reads outside a settings package (used for defaults).
 */
function readApplies(r: EnvRead, svc: ServiceModel, strict: boolean): boolean {
  const dsm = valueOf(svc, 'DJANGO_SETTINGS_MODULE')?.value;
  const inSettings = /(?:^|\/)settings(?:\/[^/]+)?\.py$/.test(r.module);
  if (!inSettings && !strict) return true;
  if (typeof dsm !== 'string') return false;
  // module paths are relative to the scanned root; Python imports them from the build context
  const ctx = svc.build?.context;
  const rel = ctx && r.module.startsWith(`${ctx}/`) ? r.module.slice(ctx.length + 1) : r.module;
  return dsm === dotted(rel) || dsm === dotted(r.module);
}

/** `1`/`0` versus `true`/`false` style; undefined for anything else. */
function spelling(v: string): 'digit' | 'word' | undefined {
  const t = v.trim().replace(/^(['"])(.*)\1$/, '$2').trim().toLowerCase();
  if (t === '1' || t === '0') return 'digit';
  if (/^(?:true|false|yes|no|on|off)$/.test(t)) return 'word';
  return undefined;
}

/**
 * A read without a parsing cast compares the raw string (`os.environ.get("DEBUG", "0") == "1"`):
 * when its default is spelled `0`/`1` and the value `True` (or the other way round), the value
 * probably does not switch debug on, so the finding would not be certain.
 */
function sameSpelling(r: EnvRead, value: string): boolean {
  if (r.cast === 'bool' || r.default === undefined) return true;
  const a = spelling(r.default);
  const b = spelling(value);
  return a === undefined || b === undefined || a === b;
}

function declaresFlask(model: ProjectModel, env: EnvironmentModel, svc: ServiceModel): boolean {
  return (model.deps?.builds ?? []).some((b) => b.environment === env.name && b.service === svc.name && b.declared.some((d) => d.key === 'flask'));
}

export default defineRule({
  meta: {
    id: 'runtime/dev-server',
    severity: 'high',
    title: 'production runs a development server or debug mode',
    fixable: 'none',
    status: 'stable',
    docs: {
      summary: 'A production environment starts a development server or mode: `flask run`, `manage.py runserver`, `next dev` (also through `npm run dev`), nodemon, a `--reload` flag (gunicorn, uvicorn, hypercorn) or `node --watch`, or sets DEBUG / FLASK_DEBUG to a true value (or keeps a DEBUG default of true) for an app that reads it.',
      why: 'Development servers are built for one developer: Flask\'s and Django\'s handle requests in a single process without the robustness of a WSGI server ("Do not use the development server when deploying to production"; "DO NOT USE THIS SERVER IN A PRODUCTION SETTING"), and with debug on they show tracebacks and settings to every visitor; the Werkzeug debugger `flask run --debug` enables executes arbitrary Python from the browser. Reloaders watch the file system and restart the app when a file changes (gunicorn: "This setting is intended for development"); uvicorn `--reload` runs one process and cannot be combined with `--workers`. Django\'s `DEBUG = True` leaks settings and source on error pages and keeps every SQL query in memory. Only environments named as production are checked; a step inside a branch that the known environment does not take is not reported.',
      fix: 'Start a production server (gunicorn or uvicorn workers without `--reload`, `next start` after `next build`, `node server.js`), and set DEBUG/FLASK_DEBUG to false (or leave them unset when the default is false) in the production environment.',
      verify: 'docker compose -f <files> exec <service> ps -o args= 1   # (or cat /proc/1/cmdline) the production server, no --reload\ndocker compose -f <files> exec <service> printenv DEBUG FLASK_DEBUG',
      references: [
        { title: 'Flask: Development Server ("Do not use the development server when deploying to production")', url: 'https://flask.palletsprojects.com/en/stable/server/' },
        { title: 'Flask: Debug Mode (the debugger allows executing arbitrary Python code)', url: 'https://flask.palletsprojects.com/en/stable/quickstart/#debug-mode' },
        { title: 'Django: runserver ("DO NOT USE THIS SERVER IN A PRODUCTION SETTING")', url: 'https://docs.djangoproject.com/en/stable/ref/django-admin/#runserver' },
        { title: 'Django settings: DEBUG ("Never deploy a site into production with DEBUG turned on")', url: 'https://docs.djangoproject.com/en/stable/ref/settings/#debug' },
        { title: 'gunicorn settings: reload ("This setting is intended for development")', url: 'https://docs.gunicorn.org/en/stable/settings.html#reload' },
        { title: 'uvicorn settings: development (--reload)', url: 'https://www.uvicorn.org/settings/#development' },
        { title: 'Next.js CLI: next dev (development mode) vs next start', url: 'https://nextjs.org/docs/app/api-reference/cli/next' },
      ],
      example: {
        bad: { 'docker-compose.prod.yml': 'services:\n  web:\n    command: flask run --host 0.0.0.0\n' },
        good: { 'docker-compose.prod.yml': 'services:\n  web:\n    command: gunicorn -b 0.0.0.0:8000 app:app\n' },
      },
    },
  },
  check({ model, report }) {
    const verifyPs = (env: EnvironmentModel, svc: ServiceModel): string => `docker compose ${composeFlags(env)} exec ${svc.name} cat /proc/1/cmdline | tr '\\0' ' '`;
    for (const { env, svc, plan } of plannedServices(model)) {
      if (!env.production) continue;
      const reported = new Set<number>();
      plan.servers.forEach((s) => {
        const step = plan.steps[s.step]!;
        if (!certainlyRuns(step) || (!s.devServer && !s.reload) || !serverArgvPlausible(s, step)) return;
        const at = reportAt(plan, s.step);
        reported.add(s.step);
        const what = s.devServer ? whatServer(s) : whatReload(s, step);
        report({
          message: `Production service "${svc.name}" runs ${what}.`,
          location: at.loc,
          environment: env.name,
          service: svc.name,
          ...(at.related ? { related: [at.related] } : {}),
          verify: [verifyPs(env, svc)],
          key: `${s.kind}:${s.devServer ? 'dev' : 'reload'}@${where(step.loc)}`,
        });
      });
      // `npm run dev` whose script runs something drydock does not model as a server
      plan.steps.forEach((step, i) => {
        if (step.expands !== 'package-script' || !certainlyRuns(step)) return;
        const m = /^(?:npm|yarn|pnpm)$/.test(step.name) ? step.argv.slice(1).filter((a) => !a.startsWith('-') && a !== 'run' && a !== 'run-script')[0] : undefined;
        if (!m || !DEV_SCRIPTS.has(m)) return;
        const below = plan.steps.findIndex((t, j) => j > i && t.depth <= step.depth);
        const end = below < 0 ? plan.steps.length : below;
        if ([...reported].some((r) => r > i && r < end)) return;
        report({
          message: `Production service "${svc.name}" starts the package script "${m}" (\`${step.argv.join(' ')}\`), which by convention runs the development server.`,
          location: step.loc,
          environment: env.name,
          service: svc.name,
          verify: [verifyPs(env, svc)],
          key: `script:${m}@${where(step.loc)}`,
        });
      });
    }
    // debug switches in the production environment of a service that runs the app
    for (const env of model.environments) {
      if (!env.production) continue;
      for (const svc of env.services) {
        // only a service that serves requests: a worker with DEBUG on shows no error pages
        if (!svc.enabled || !svc.start?.servers.some((s) => LISTENING_KINDS.has(s.kind) && s.kind !== 'nginx')) continue;
        const flaskServer = svc.start?.servers.some((s) => s.kind === 'flask') ?? false;
        for (const name of ['DEBUG', 'DJANGO_DEBUG', 'FLASK_DEBUG']) {
          const reads = (svc.app?.envReads ?? []).filter((r) => r.name === name);
          const fields = (svc.app?.settings ?? []).flatMap((c) => c.fields.filter((f) => f.envNames.includes(name)));
          const flaskReads = name === 'FLASK_DEBUG' && (flaskServer || declaresFlask(model, env, svc));
          const v = valueOf(svc, name);
          if (v && typeof v.value === 'string') {
            if (!truthy(v.value)) continue;
            const applies = flaskReads || fields.length > 0 || reads.some((r) => readApplies(r, svc, false) && sameSpelling(r, v.value!));
            if (!applies || !v.loc) continue;
            const readAt = reads[0]?.loc ?? fields[0]?.loc;
            report({
              message: `Production service "${svc.name}" sets ${name}=${v.value.trim()}: the app runs in debug mode, ${name === 'FLASK_DEBUG' ? 'with tracebacks (and under `flask run` the interactive Werkzeug debugger, which runs arbitrary code)' : 'showing tracebacks, settings and source to anyone who triggers an error'}.`,
              location: v.loc,
              environment: env.name,
              service: svc.name,
              ...(readAt ? { related: [{ location: readAt, message: `the app reads ${name}` }] } : {}),
              verify: [`docker compose ${composeFlags(env)} exec ${svc.name} printenv ${name}`],
              key: `env:${name}`,
            });
            continue;
          }
          if (v !== undefined) continue; // set to a value drydock cannot see
          // unset: a read whose default is true keeps debug on
          if (svc.envFiles.some((f) => !model.tree.files.has(f.path))) continue;
          const r = reads.find((x) => x.default !== undefined && (truthy(x.default) || x.default.trim() === 'True') && readApplies(x, svc, true));
          if (!r) continue;
          report({
            message: `Production service "${svc.name}" does not set ${name}, and ${r.module} reads it with the default ${r.default}: the app runs in debug mode, showing tracebacks, settings and source to anyone who triggers an error.`,
            location: r.loc,
            environment: env.name,
            service: svc.name,
            related: [{ location: svc.definedIn[svc.definedIn.length - 1] ?? svc.loc, message: `service "${svc.name}" (no ${name})` }],
            verify: [`docker compose ${composeFlags(env)} exec ${svc.name} python -c "from django.conf import settings; print(settings.DEBUG)"`],
            key: `default:${name}@${where(r.loc)}`,
          });
        }
      }
    }
  },
});
