import type { RelatedLocation } from '../../core/finding.js';
import { defineRule } from '../define-rule.js';
import { at, buildTargets, once, runIn } from './_shared.js';

/** `requirements-dev.txt`, `dev-requirements.txt`, `requirements/dev.txt`, `requirements/test.txt`, `requirements/local.txt` */
const DEV_FILE = /(?:^|[/._-])(?:dev|develop|development|test|tests|testing|local|ci|lint)(?:[._-][\w.-]*)?\.(?:txt|in)$|(?:^|\/)(?:dev|test|tests|local)-requirements\.txt$/;
const MAIN_FILE = /(?:^|\/)(?:requirements\.txt|requirements\/(?:base|common|main|prod|production|requirements)\.txt|requirements[._-](?:base|prod|production|main)\.txt)$/;

export default defineRule({
  meta: {
    id: 'deps/wrong-manifest',
    severity: 'high',
    title: 'The Dockerfile installs a manifest that lacks the application\'s dependencies',
    fixable: 'none',
    status: 'stable',
    docs: {
      summary:
        'The image installs requirements.txt while the build context\'s pyproject.toml declares runtime dependencies that requirements.txt does not list, or a production image installs only a dev/test requirements file that does not include the main one.',
      why:
        'pip installs exactly what the named file lists. When the project moved its dependencies to pyproject.toml (`[project] dependencies`, Poetry, uv) and requirements.txt was left behind, the image misses everything added since, and the app fails at import with `ModuleNotFoundError`. A dev requirements file that does not `-r` the main file installs test tools instead of the application\'s packages. The two manifests look equivalent in code review; only the Dockerfile line decides which one ships.',
      fix: 'Install the manifest that holds the dependencies: `pip install .` (or `uv sync --locked --no-dev`, `poetry install --only main`) for pyproject.toml, or regenerate requirements.txt from it (`uv export`, `poetry export`) as part of the build; in production images install the main requirements file, or make the dev file start with `-r requirements.txt`.',
      verify: 'docker compose run --rm --no-deps <service> pip check && docker compose run --rm --no-deps <service> python -c "import <your package>"',
      references: [
        { title: 'pip install: requirements files and local projects', url: 'https://pip.pypa.io/en/stable/cli/pip_install/' },
        { title: 'PyPA: declaring project dependencies in pyproject.toml', url: 'https://packaging.python.org/en/latest/specifications/pyproject-toml/#dependencies-optional-dependencies' },
        { title: 'pip: requirements file format (-r includes)', url: 'https://pip.pypa.io/en/stable/reference/requirements-file-format/' },
      ],
    },
  },
  check({ model, report }) {
    const deps = model.deps;
    if (!deps) return;
    const first = once();
    for (const t of buildTargets(model)) {
      const b = t.build;
      const py = b.installs.filter((s) => s.kind !== 'node');
      const reqSteps = py.filter((s) => s.kind === 'requirements' && s.manifest);
      if (!reqSteps.length || py.some((s) => s.kind === 'project' || s.kind === 'other')) continue;
      // a requirements file that installs the project itself (`-e .`, `.`) is not the wrong manifest
      const files = new Set<string>();
      const walk = (p: string): void => {
        if (files.has(p)) return;
        files.add(p);
        for (const inc of deps.requirements.get(p)?.includes ?? []) if (inc.kind === 'requirement' && inc.path) walk(inc.path);
      };
      for (const s of reqSteps) walk(s.manifest!);
      if ([...files].some((f) => (deps.requirements.get(f)?.unnamed.length ?? 0) > 0)) continue;
      const scope = { ...(t.env ? { environment: t.env.name } : {}), ...(t.service ? { service: t.service.name } : {}) };
      const declared = new Set(b.declared.map((d) => d.key));
      for (const l of b.lockedPython) for (const k of l.packages.keys()) declared.add(k);

      // (a) the context's pyproject.toml declares runtime dependencies the requirements file lacks
      const pyPath = b.contextPyproject;
      const pyproject = pyPath ? deps.pyprojects.get(pyPath) : undefined;
      if (pyproject && pyproject.isProject && !pyproject.dynamicDependencies && !pyproject.errors.length) {
        const missing = pyproject.dependencies.filter((r) => !r.optional && r.url === undefined && !declared.has(r.key) && !(pyproject.name && r.key === pyproject.name));
        if (missing.length) {
          const s = reqSteps[0]!;
          if (first(t.env?.name, `pyproject\0${at(s.loc)}`)) {
            const names = missing.map((r) => r.name);
            const related: RelatedLocation[] = missing.slice(0, 5).map((r) => ({ location: r.loc, message: `${r.name} is declared here` }));
            report({
              message: `The image installs ${[...new Set(reqSteps.map((x) => x.manifest))].join(', ')}, but the application's dependencies live in ${pyPath}: ${names.slice(0, 6).join(', ')}${names.length > 6 ? ` and ${names.length - 6} more` : ''} ${names.length === 1 ? 'is' : 'are'} declared there but missing from what the image installs, so importing ${names.length === 1 ? 'it' : 'them'} fails with ModuleNotFoundError.`,
              location: s.loc,
              ...scope,
              related,
              key: `pyproject ${pyPath} ${b.dockerfile}`,
              verify: [runIn(t, 'pip', 'check')],
            });
          }
        }
      }

      // (b) a production image installs only a dev requirements file that does not include the main one
      if (t.env?.production) {
        const installed = reqSteps.map((s) => s.manifest!);
        const allDev = installed.every((m) => DEV_FILE.test(m) && !MAIN_FILE.test(m));
        const includesMain = [...files].some((f) => MAIN_FILE.test(f) && !DEV_FILE.test(f));
        const main = b.contextRequirements.find((f) => MAIN_FILE.test(f) && !DEV_FILE.test(f));
        if (allDev && !includesMain && main) {
          const s = reqSteps[0]!;
          if (first(t.env.name, `dev\0${at(s.loc)}`)) {
            report({
              message: `The production image installs ${installed.join(', ')}, a development requirements file that does not include ${main}: the application's own dependencies from ${main} are not installed, and the image carries test tooling instead.`,
              location: s.loc,
              ...scope,
              related: [{ location: { file: main }, message: 'the main requirements file, not installed' }],
              key: `dev manifest ${installed.join(',')} ${b.dockerfile}`,
              verify: [runIn(t, 'pip', 'check')],
            });
          }
        }
      }
    }
  },
});
