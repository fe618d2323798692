import type { Fix, RelatedLocation } from '../../core/finding.js';
import type { CeleryAppFact, ProjectModel } from '../../model/types.js';
import { defineRule } from '../define-rule.js';
import { afterExit, andList, certainlyRuns, composeFlags, groupBy, locKey, mayRun, pythonServices, serviceList, where, type PythonService } from './_shared.js';

interface Hit {
  ps: PythonService;
  fact: CeleryAppFact;
}

function problem(f: CeleryAppFact): string {
  if (f.status === 'module-missing') {
    const r = f.module!;
    const missing = r.missingPrefix ?? f.app;
    const dirs = r.searched.filter((s) => s.dir).map((s) => `${s.dir}, ${s.why}`);
    const where_ = dirs.length ? ` (searched ${dirs.join('; ')})` : '';
    const there = r.available?.length ? `; the image has ${r.available.join(', ')} there` : '';
    const err = missing === f.app ? `Unable to load celery application. The module ${f.app} was not found.` : `Unable to load celery application. While trying to load the module ${f.app} the following error occurred: … ModuleNotFoundError: No module named '${missing}'`;
    return `\`celery -A ${f.app}\`: the module ${missing} does not exist in the image${where_}${there}. Celery exits with \`${err}\``;
  }
  const tried = f.tried?.length ? ` (Celery tries ${andList(f.tried)})` : '';
  const last = f.app.includes(':') ? f.app.split(':')[1] : 'celery';
  const mod = f.app.split(':')[0];
  return `\`celery -A ${f.app}\`: ${f.repoPath ?? mod} imports, but defines no Celery app by Celery's rules${tried}. Celery exits with \`Unable to load celery application. Module '${mod}' has no attribute '${last}'\``;
}

function wordFix(model: ProjectModel, f: CeleryAppFact, to: string): Fix | undefined {
  const src = model.composeFiles.get(f.loc.file)?.source ?? model.sources.get(f.loc.file);
  const l = f.loc;
  if (!src || l.startLine === undefined || l.endLine === undefined || l.startColumn === undefined || l.endColumn === undefined) return undefined;
  const start = src.offsetOf(l.startLine, l.startColumn);
  const end = src.offsetOf(l.endLine, l.endColumn);
  if (src.text.slice(start, end) !== f.app) return undefined;
  return { description: `Use \`-A ${to}\`, the package that holds the Celery app`, safety: 'unsafe', edits: [{ file: src.path, start, end, text: to }] };
}

export default defineRule({
  meta: {
    id: 'app/celery-app-missing',
    severity: 'critical',
    title: 'celery -A names no Celery app the image has',
    fixable: 'unsafe',
    status: 'stable',
    docs: {
      summary: '`celery -A proj worker` (or beat, or CELERY_APP) names a module that does not exist in the image, or a module in which Celery\'s own lookup finds no Celery application.',
      why: 'Celery resolves `-A` with `find_app` (celery/app/utils.py): `proj.mod:attr` imports `proj.mod` and takes `attr`; a bare `proj` imports the module (with the working directory, or `--workdir`, first on sys.path) and takes its attribute `app`, else `celery`, else for a package the same search in the submodule `proj.celery`, else any attribute that is a Celery instance. A module that does not import gives `Error: Invalid value for \'-A\' / \'--app\': Unable to load celery application. The module proj was not found.`; a module without an app gives `Module \'proj\' has no attribute \'celery\'`. Either way the worker (or beat) exits at once (and restarts in a loop under a restart policy), so queued tasks are never processed. A missing module is reported here, not as app/module-missing. Modules that define names dynamically (`__getattr__`, star imports, factories named like an app) make the answer unknown and the rule stays silent.',
      fix: 'Point `-A` at the package that creates the app (the message suggests one when the image has it), or create the app where `-A` looks: `proj/celery.py` with `app = Celery("proj")`, imported in `proj/__init__.py` (`from .celery import app as celery_app`).',
      verify: 'docker compose -f <files> run --rm --no-deps --entrypoint celery <service> -A <app> inspect ping --timeout 1 2>&1 | grep -v "Unable to load celery application"   # then: docker compose -f <files> logs <service> shows "celery@… ready."',
      references: [
        { title: 'Celery: Next steps, "About the --app argument" (the lookup order)', url: 'https://docs.celeryq.dev/en/stable/getting-started/next-steps.html#about-the-app-argument' },
        { title: 'celery/app/utils.py find_app', url: 'https://github.com/celery/celery/blob/main/celery/app/utils.py' },
        { title: 'celery/bin/celery.py: -A/--app (CELERY_APP), --workdir, "The module … was not found."', url: 'https://github.com/celery/celery/blob/main/celery/bin/celery.py' },
        { title: 'Celery: First steps with Django (proj/celery.py and proj/__init__.py)', url: 'https://docs.celeryq.dev/en/stable/django/first-steps-with-django.html' },
      ],
      fixSafety: 'Offered only when the image holds exactly one package where Celery\'s lookup finds an app and `-A` is written as one literal word; it replaces that word. Unsafe: drydock cannot know that this is the app the service was meant to run (a project may define several).',
    },
  },
  check({ model, report }) {
    const hits: Hit[] = [];
    for (const ps of pythonServices(model))
      for (const fact of ps.py.celery) {
        if (fact.status !== 'module-missing' && fact.status !== 'no-app') continue;
        if (!mayRun(ps.svc.start?.steps[fact.step])) continue;
        hits.push({ ps, fact });
      }
    for (const group of groupBy(hits, (h) => `${h.ps.env.name}\0${locKey(h.fact.loc)}\0${h.fact.app}`)) {
      const { ps, fact } = group[0]!;
      const services = [...new Set(group.map((h) => h.ps.svc.name))];
      const certain = group.some((h) => certainlyRuns(h.ps.svc.start?.steps[h.fact.step]));
      const suggestion = fact.suggestions?.length === 1 ? fact.suggestions[0] : undefined;
      const did = fact.suggestions?.length ? ` Did you mean \`-A ${fact.suggestions.join('` or `-A ')}\`?` : '';
      const related: RelatedLocation[] = [];
      if (fact.repoPath) related.push({ location: { file: fact.repoPath }, message: 'the module without a Celery app' });
      const fix = suggestion ? wordFix(model, fact, suggestion) : undefined;
      report({
        message: `In ${ps.env.name}, ${serviceList(services)}: ${problem(fact)}; ${afterExit(ps.svc)}, and ${fact.command === 'beat' ? 'no periodic task is scheduled' : 'queued tasks are never processed'}.${did}`,
        location: fact.loc,
        environment: ps.env.name,
        service: services[0]!,
        related,
        ...(certain ? {} : { severity: 'high' as const }),
        ...(fix ? { fix } : {}),
        verify: [`docker compose ${composeFlags(ps.env)} run --rm --no-deps --entrypoint celery ${services[0]} -A ${suggestion ?? fact.app} report | head -5`],
        key: `celery:${fact.app}@${where(fact.loc)}`,
      });
    }
  },
});
