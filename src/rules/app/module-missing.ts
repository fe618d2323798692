import type { RelatedLocation } from '../../core/finding.js';
import type { ModuleReference } from '../../model/types.js';
import { defineRule } from '../define-rule.js';
import { afterExit, andList, certainlyRuns, composeFlags, groupBy, locKey, mayRun, pythonServices, sentence, serviceList, where, type PythonService } from './_shared.js';

interface Hit {
  ps: PythonService;
  ref: ModuleReference;
}

const searchedText = (ref: ModuleReference): string => {
  const dirs = ref.result.searched.filter((s) => s.dir).map((s) => `${s.dir} (${s.why})`);
  return dirs.length ? `searched ${andList(dirs)}` : 'nothing on sys.path holds it';
};

function hint(ref: ModuleReference): string {
  const r = ref.result;
  const parts: string[] = [];
  if (r.elsewhere?.length) parts.push(`the repository has it at ${andList(r.elsewhere)}, which the image does not put on sys.path`);
  if (r.available?.length) parts.push(`what is there: ${r.available.join(', ')}`);
  return parts.length ? ` (${parts.join('; ')})` : '';
}

function symptom(ref: ModuleReference): string {
  const missing = ref.result.missingPrefix ?? ref.name;
  switch (ref.kind) {
    case 'chdir':
      return `gunicorn validates --chdir before it starts and exits with \`Error: can't chdir to '${ref.name}'\``;
    case 'app':
      return ref.tool === 'uvicorn'
        ? `uvicorn exits with \`Error loading ASGI app. Could not import module "${ref.name}".\``
        : ref.tool === 'gunicorn'
          ? `the gunicorn worker fails with \`ModuleNotFoundError: No module named '${missing}'\`, gunicorn exits with "Worker failed to boot."`
          : `${ref.tool} exits with \`ModuleNotFoundError: No module named '${missing}'\``;
    case 'settings':
      return `Django raises \`ModuleNotFoundError: No module named '${missing}'\` the first time it reads settings, so ${ref.tool} fails at startup`;
    case 'main':
      return `Python exits at once with \`No module named ${ref.name}\``;
  }
}

function what(ref: ModuleReference): string {
  switch (ref.kind) {
    case 'chdir':
      return `\`gunicorn --chdir ${ref.name}\` names ${ref.dir}, which does not exist in the image`;
    case 'app':
      return `${ref.tool} is told to load \`${ref.name}\`, but the image has no module ${ref.result.missingPrefix ?? ref.name}; ${searchedText(ref)}${hint(ref)}`;
    case 'settings':
      return `the Django settings module \`${ref.name}\` that ${ref.tool} loads does not exist in the image; ${searchedText(ref)}${hint(ref)}`;
    case 'main':
      return `\`python -m ${ref.name}\` names a module the image does not have; ${searchedText(ref)}${hint(ref)}`;
  }
}

export default defineRule({
  meta: {
    id: 'app/module-missing',
    severity: 'critical',
    title: 'Start command names a Python module the image does not have',
    fixable: 'none',
    status: 'stable',
    docs: {
      summary: 'A start command (or the environment) names a Python module or directory that does not exist in the image: `gunicorn pkg.wsgi:app`, `uvicorn app.main:app`, `--settings=pkg.settings_x`, DJANGO_SETTINGS_MODULE, `python -m pkg`, `gunicorn --chdir src`.',
      why: 'drydock resolves the name the way Python imports it: each sys.path entry in order (the working directory that gunicorn, uvicorn, celery and `python -m` put first, `--chdir`/`--app-dir`, the script directory for `python manage.py`, then PYTHONPATH), a package directory with `__init__.py` before `name.py`, a plain directory as a namespace package, submodules only inside their package. What the image holds comes from its COPY/ADD steps and the compose bind mounts over it. When nothing provides the module the process dies at startup (`ModuleNotFoundError: No module named …`, uvicorn `Could not import module`, gunicorn `Worker failed to boot`, gunicorn `can\'t chdir to`): the container exits, and restarts in a loop under a restart policy. gunicorn\'s config file or GUNICORN_CMD_ARGS may change chdir/pythonpath; then the module is not judged. Installed distributions that may provide the name, unknown base images, volumes and RUN steps drydock cannot read make the answer unknown, and the rule stays silent.',
      fix: 'Point the command at the module that exists (the message lists what the search directory holds), copy the package into the image where the command looks, or add its directory with `--chdir`, `--app-dir` or PYTHONPATH.',
      verify: 'docker compose -f <files> run --rm --no-deps --entrypoint python <service> -c "import <module>"   # no ModuleNotFoundError; then docker compose -f <files> ps shows the service running',
      references: [
        { title: 'Python: the import system (sys.path entries, packages, namespace packages)', url: 'https://docs.python.org/3/reference/import.html' },
        { title: 'PEP 420: implicit namespace packages', url: 'https://peps.python.org/pep-0420/' },
        { title: 'gunicorn settings: chdir (the working directory is added to sys.path), pythonpath', url: 'https://docs.gunicorn.org/en/stable/settings.html#chdir' },
        { title: 'uvicorn settings: --app-dir (default: the current directory)', url: 'https://www.uvicorn.org/settings/#application' },
        { title: 'Django: designating the settings (DJANGO_SETTINGS_MODULE, --settings)', url: 'https://docs.djangoproject.com/en/stable/topics/settings/#designating-the-settings' },
        { title: 'Python command line: -m searches sys.path, with the current directory first', url: 'https://docs.python.org/3/using/cmdline.html#cmdoption-m' },
      ],
    },
  },
  check({ model, report }) {
    const hits: Hit[] = [];
    for (const ps of pythonServices(model))
      for (const ref of ps.py.references) {
        if (ref.result.status !== 'missing') continue;
        const step = ps.svc.start?.steps[ref.step];
        if (!mayRun(step)) continue;
        hits.push({ ps, ref });
      }
    for (const group of groupBy(hits, (h) => `${h.ps.env.name}\0${locKey(h.ref.loc)}\0${h.ref.kind}\0${h.ref.name}`)) {
      const { ps, ref } = group[0]!;
      const services = [...new Set(group.map((h) => h.ps.svc.name))];
      const certain = group.some((h) => certainlyRuns(h.ps.svc.start?.steps[h.ref.step]));
      const related: RelatedLocation[] = [];
      const step = ps.svc.start?.steps[ref.step];
      if (ref.kind === 'settings' && step && (step.loc.file !== ref.loc.file || step.loc.startLine !== ref.loc.startLine)) related.push({ location: step.loc, message: `${ref.tool} loads the settings` });
      const copy = ps.svc.runtime.stage?.copies.at(-1);
      if (copy) related.push({ location: copy.loc, message: 'the last COPY into the image' });
      const check = ref.kind === 'chdir' ? `--entrypoint ls ${services[0]} -d ${ref.dir}` : `--entrypoint python ${services[0]} -c "import ${ref.name}"`;
      report({
        message: `In ${ps.env.name}, ${serviceList(services)}: ${what(ref)}. ${sentence(symptom(ref))}; ${afterExit(ps.svc)}.`,
        location: ref.loc,
        environment: ps.env.name,
        service: services[0]!,
        related,
        ...(certain ? {} : { severity: 'high' as const }),
        verify: [`docker compose ${composeFlags(ps.env)} run --rm --no-deps ${check}`],
        key: `${ref.kind}:${ref.name}@${where(ref.loc)}`,
      });
    }
  },
});
