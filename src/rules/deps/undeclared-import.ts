import type { Location } from '../../core/location.js';
import type { Severity } from '../../core/severity.js';
import { needForCeleryUrl, needForDatabaseUrl, needForGunicornWorker, type ImplicitNeed } from '../../knowledge/implicit-deps.js';
import { importRow, isStdlibModule } from '../../knowledge/python-imports.js';
import { declaresExtra, installedView, type InstalledView } from '../../model/deps/installed.js';
import type { BuildDeps } from '../../model/deps/types.js';
import type { ServiceModel } from '../../model/types.js';
import { normalizeDistName } from '../../parse/manifests/pep508.js';
import { defineRule } from '../define-rule.js';
import { at, buildTargets, once, runIn, type BuildTarget } from './_shared.js';

export default defineRule({
  meta: {
    id: 'deps/undeclared-import',
    severity: 'critical',
    title: 'The application imports a package the image does not install',
    fixable: 'none',
    status: 'stable',
    docs: {
      summary:
        'The Python code the image copies imports a third-party module (or uses a feature that needs an extra package: pydantic `EmailStr`, a `postgresql+psycopg2://` URL, passlib\'s bcrypt scheme, a gunicorn worker class) that no manifest the Dockerfile installs declares.',
      why:
        'Only what the Dockerfile\'s `pip install` / `uv sync` / `poetry install` steps install exists in the image. A module that is installed on a laptop (or in a dev requirements file) but not declared in the manifest the image installs fails at import: `ModuleNotFoundError: No module named \'jwt\'`, and the container exits at start. Import names are often not distribution names (`jwt` is PyJWT, `yaml` is PyYAML, `PIL` is Pillow), so the manifest may look complete. Implicit needs fail later: pydantic raises `ImportError: email-validator is not installed` when a model with `EmailStr` is built, SQLAlchemy raises `ModuleNotFoundError: No module named \'psycopg2\'` when the engine is created, passlib raises `MissingBackendError` on the first hash. drydock stays silent for standard-library modules, modules the build context provides, imports inside `try: ... except ImportError`, and imports it cannot map to a distribution; when the manifests are not pinned or locked, the package may still arrive as another package\'s dependency, so the finding is `high` instead of `critical`.',
      fix: 'Add the distribution (not the import name) to the manifest the Dockerfile installs: `PyJWT` for `jwt`, `email-validator` or `pydantic[email]` for `EmailStr`, `psycopg2-binary` for a PostgreSQL URL, `passlib[bcrypt]` for the bcrypt scheme. If the dependency lives in another manifest (pyproject.toml, a dev requirements file), install that one in the image instead.',
      verify: 'docker compose run --rm --no-deps <service> python -c "import <module>"',
      references: [
        { title: 'pip: requirements files', url: 'https://pip.pypa.io/en/stable/reference/requirements-file-format/' },
        { title: 'PEP 503: normalized names', url: 'https://peps.python.org/pep-0503/#normalized-names' },
        { title: 'pydantic: email-validator for EmailStr', url: 'https://docs.pydantic.dev/latest/api/networks/#pydantic.networks.EmailStr' },
        { title: 'SQLAlchemy: database URLs and default DBAPIs', url: 'https://docs.sqlalchemy.org/en/20/core/engines.html#database-urls' },
        { title: 'passlib: bcrypt backends', url: 'https://passlib.readthedocs.io/en/stable/lib/passlib.hash.bcrypt.html' },
        { title: 'Python: sys.stdlib_module_names', url: 'https://docs.python.org/3/library/sys.html#sys.stdlib_module_names' },
      ],
    },
  },
  check({ model, report }) {
    const first = once();
    for (const t of buildTargets(model)) {
      const b = t.build;
      if (!b.app || !b.cleanBase || !b.pythonComplete) continue;
      const view = installedView(b);
      const installLocs = b.installs.filter((s) => s.kind !== 'node' && s.kind !== 'other').map((s) => s.loc);
      const manifests = [...new Set(b.installs.map((s) => s.manifest).filter((m): m is string => !!m && !m.endsWith('package.json')))];
      const named = b.installs.some((s) => s.kind === 'packages');
      const installedFrom = manifests.length ? `${manifests.join(', ')}${named ? ' and the packages named in the Dockerfile' : ''}` : 'the packages named in the Dockerfile';
      const related = installLocs.slice(0, 3).map((l) => ({ location: l, message: 'what the image installs' }));
      const uncertain = view.unknownExtras.length > 0;

      // ---------------------------------------------------------------- imports
      const reported = new Set<string>();
      const declaredKeys = [...new Set(b.declared.map((d) => d.key))];
      for (const i of b.app.imports) {
        if (i.optional || i.conditional || reported.has(i.top)) continue;
        if (isStdlibModule(i.top) || b.app.localModules.has(i.top)) continue;
        const hit = importRow(i.module);
        let dists: string[];
        let severity: Severity;
        if (hit) {
          const all = [...hit.row.dists, ...(hit.row.unverified ?? [])];
          if (all.some((d) => view.has(d)) || nameMatches(i.module, view, declaredKeys)) continue;
          dists = hit.row.dists;
          severity = hit.row.conf === 'V' && b.exactSet ? 'critical' : 'high';
        } else {
          // not in the table: only a declared name that matches after normalisation says anything, and it satisfies
          continue;
        }
        if (uncertain) severity = 'info';
        reported.add(i.top);
        if (!first(t.env?.name, `import\0${i.top}\0${at(i.loc)}`)) continue;
        const distText = dists.length > 1 ? `${dists.slice(0, -1).join(', ')} or ${dists[dists.length - 1]}` : dists[0]!;
        report({
          message: `\`${i.names.length ? `from ${i.module} import ...` : `import ${i.module}`}\` needs the ${distText} distribution, but no manifest the image installs (${installedFrom}) declares it${b.exactSet ? '' : ' (it is there only if another package happens to depend on it)'}: the container fails with "ModuleNotFoundError: No module named '${i.top}'"${uncertain ? ` (unless ${view.unknownExtras[0]!.requirement.name}[${view.unknownExtras[0]!.requirement.extras.join(',')}] brings it)` : ''}.`,
          location: i.loc,
          ...(t.env ? { environment: t.env.name } : {}),
          ...(t.service ? { service: t.service.name } : {}),
          severity,
          related,
          key: `import ${i.top} ${b.dockerfile}`,
          verify: [runIn(t, 'python', `-c "import ${i.module}"`)],
        });
      }

      // ---------------------------------------------------------------- implicit needs
      const needs: { need: ImplicitNeed; loc: Location }[] = [...b.app.needs, ...commandNeeds(t), ...envNeeds(t.service, b)];
      const done = new Set<string>();
      for (const { need, loc } of needs) {
        const id = need.dists.join('|');
        if (done.has(id)) continue;
        if (need.dists.some((d) => view.has(d)) || need.extras.some((e) => declaresExtra(b, e))) continue;
        done.add(id);
        if (!first(t.env?.name, `need\0${id}\0${at(loc)}`)) continue;
        const want = need.extras[0] ? `${need.dists[0]} (or ${need.extras[0]})` : need.dists.join(' or ');
        report({
          message: `${need.trigger} needs ${want}, which no manifest the image installs (${installedFrom}) declares: ${need.failure}${uncertain ? ` (unless ${view.unknownExtras[0]!.requirement.name}[${view.unknownExtras[0]!.requirement.extras.join(',')}] brings it)` : ''}.`,
          location: loc,
          ...(t.env ? { environment: t.env.name } : {}),
          ...(t.service ? { service: t.service.name } : {}),
          severity: uncertain ? 'info' : need.conf === 'V' ? 'critical' : 'high',
          related,
          key: `need ${id} ${b.dockerfile}`,
          verify: [runIn(t, 'python', `-c "import importlib.metadata as m; print(m.version('${need.dists[0]}'))"`)],
        });
      }
    }
  },
});

/** A declared distribution whose name matches the import after normalisation (`google.auth` ↔ google-auth). */
function nameMatches(module: string, view: InstalledView, declaredKeys: string[]): boolean {
  const parts = module.split('.');
  for (let n = 1; n <= parts.length; n++) if (view.has(normalizeDistName(parts.slice(0, n).join('-')))) return true;
  const top = normalizeDistName(parts[0]!);
  return declaredKeys.some((k) => k === top);
}

/** gunicorn worker classes named on the start command (`-k`, `--worker-class`, GUNICORN_CMD_ARGS). */
function commandNeeds(t: BuildTarget): { need: ImplicitNeed; loc: Location }[] {
  const out: { need: ImplicitNeed; loc: Location }[] = [];
  const lines: { argv: string[]; loc: Location }[] = [];
  const steps = t.service?.start?.steps;
  if (steps?.length) {
    for (const s of steps) lines.push({ argv: s.argv, loc: s.loc });
  } else {
    const svc = t.service;
    const stage = t.stage;
    for (const c of [svc?.entrypoint ?? stage?.entrypoint, svc?.command ?? stage?.cmd]) {
      if (!c) continue;
      lines.push({ argv: c.form === 'exec' ? c.argv : c.text.split(/\s+/), loc: c.loc });
    }
  }
  const gunicornArgs = t.service?.env.get('GUNICORN_CMD_ARGS');
  if (gunicornArgs?.value) lines.push({ argv: ['gunicorn', ...gunicornArgs.value.split(/\s+/)], loc: gunicornArgs.loc });
  for (const { argv, loc } of lines) {
    const g = argv.findIndex((w, i) => /(?:^|\/)gunicorn$/.test(w) || (w === 'gunicorn' && argv[i - 1] === '-m'));
    if (g < 0) continue;
    for (let i = g + 1; i < argv.length; i++) {
      const w = argv[i]!;
      let value: string | undefined;
      if (w === '-k' || w === '--worker-class') value = argv[i + 1];
      else if (w.startsWith('--worker-class=')) value = w.slice('--worker-class='.length);
      else if (/^-k\S/.test(w)) value = w.slice(2);
      const need = value ? needForGunicornWorker(value.replace(/^["']|["']$/g, '')) : undefined;
      if (need) out.push({ need, loc });
    }
  }
  return out;
}

/** Database and broker URLs in the service's environment, read by the app's SQLAlchemy / Celery. */
function envNeeds(svc: ServiceModel | undefined, b: BuildDeps): { need: ImplicitNeed; loc: Location }[] {
  const out: { need: ImplicitNeed; loc: Location }[] = [];
  if (!svc || !b.app) return out;
  for (const v of svc.env.values()) {
    if (!v.value) continue;
    if (b.app.usesSqlalchemy) {
      const db = needForDatabaseUrl(v.value);
      // a bare `postgresql://` in the environment may be read by psycopg or asyncpg directly: only explicit drivers count
      if (db?.explicitDriver) out.push({ need: db.need, loc: v.loc });
    }
    if (b.app.usesCelery && /CELERY|BROKER|RESULT_BACKEND/.test(v.name)) {
      const c = needForCeleryUrl(v.value);
      if (c) out.push({ need: c, loc: v.loc });
    }
  }
  return out;
}
