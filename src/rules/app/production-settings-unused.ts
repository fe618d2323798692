import type { RelatedLocation } from '../../core/finding.js';
import type { DjangoRuntime, EnvironmentModel, SettingsSelection } from '../../model/types.js';
import { defineRule } from '../define-rule.js';
import { andList, composeFlags, groupBy, locKey, pythonServices, serviceList, where, type PythonService } from './_shared.js';

function how(env: EnvironmentModel, sel: SettingsSelection): string {
  const loc = sel.loc!;
  switch (sel.source) {
    case 'environment':
    case 'env_file': {
      const base = env.composeFiles.length > 1 && loc.file === env.composeFiles[0];
      const overlays = env.composeFiles.slice(1);
      return base
        ? `inherits \`DJANGO_SETTINGS_MODULE=${sel.module}\` from ${where(loc)}, which ${andList(overlays)} ${overlays.length === 1 ? 'does' : 'do'} not override`
        : `sets \`DJANGO_SETTINGS_MODULE=${sel.module}\` (${where(loc)})`;
    }
    case 'dockerfile':
      return `gets \`DJANGO_SETTINGS_MODULE=${sel.module}\` from the image's ENV (${where(loc)}), which compose does not override`;
    case 'setdefault':
      return `never sets DJANGO_SETTINGS_MODULE, so the code's default \`os.environ.setdefault("DJANGO_SETTINGS_MODULE", "${sel.module}")\` (${where(loc)}) applies`;
    case 'settings-flag':
      return `runs with \`--settings=${sel.module}\` (${where(loc)})`;
    case 'code-assignment':
      return `forces \`os.environ["DJANGO_SETTINGS_MODULE"] = "${sel.module}"\` in code (${where(loc)})`;
    default:
      return `selects ${sel.module} (${where(loc)})`;
  }
}

interface Hit {
  ps: PythonService;
  dj: DjangoRuntime;
}

export default defineRule({
  meta: {
    id: 'app/production-settings-unused',
    severity: 'high',
    title: 'Production never loads the production Django settings',
    fixable: 'none',
    status: 'stable',
    docs: {
      summary: 'A production settings module exists (`settings/production.py`, `settings/prod.py`, `settings_prod.py`) next to the settings the production services load, but nothing in the production environment selects it: DJANGO_SETTINGS_MODULE is inherited from the base compose file, set to the base or development module, or left to the `setdefault` in wsgi.py/manage.py/celery.py.',
      why: 'Django loads exactly one module, named by `--settings`, else DJANGO_SETTINGS_MODULE in the process environment (compose `environment` > `env_file` > Dockerfile ENV), else the `os.environ.setdefault(...)` default in the code the command imports first. A production module that is never named is never imported: everything it sets (DEBUG = False, secure cookies, SECURE_PROXY_SSL_HEADER, a manifest static storage, production logging and caches) silently does not apply, and production runs with the base or development values: debug pages with settings and tracebacks, insecure cookies, the wrong static storage. The app starts normally, so nothing fails loudly.',
      fix: 'Set DJANGO_SETTINGS_MODULE to the production module in the production compose file for every service that runs the app (web and workers), or in the production Dockerfile stage\'s ENV; or delete the production module if it is really unused.',
      verify: 'docker compose -f <files> exec <service> printenv DJANGO_SETTINGS_MODULE   # the production module; and: docker compose -f <files> exec <service> python manage.py diffsettings | grep -E "^(DEBUG|STORAGES)"',
      references: [
        { title: 'Django: designating the settings (DJANGO_SETTINGS_MODULE, --settings)', url: 'https://docs.djangoproject.com/en/stable/topics/settings/#designating-the-settings' },
        { title: 'Django deployment checklist (what production settings must change)', url: 'https://docs.djangoproject.com/en/stable/howto/deployment/checklist/' },
        { title: 'Compose: merging files (a later file overrides only the keys it sets)', url: 'https://docs.docker.com/compose/how-tos/multiple-compose-files/merge/' },
        { title: 'Compose: environment variables precedence', url: 'https://docs.docker.com/compose/how-tos/environment-variables/envvars-precedence/' },
      ],
    },
  },
  check({ model, report }) {
    const hits: Hit[] = [];
    for (const ps of pythonServices(model)) {
      const dj = ps.py.django;
      if (!ps.env.production || !dj || dj.selection.status !== 'set' || !dj.selection.loc || !dj.productionCandidates.length) continue;
      if (dj.resolution?.status !== 'found') continue;
      hits.push({ ps, dj });
    }
    for (const group of groupBy(hits, (h) => `${h.ps.env.name}\0${locKey(h.dj.selection.loc!)}`)) {
      const { ps, dj } = group[0]!;
      const sel = dj.selection;
      const services = [...new Set(group.map((h) => h.ps.svc.name))];
      const cands = dj.productionCandidates;
      const c = cands[0]!;
      const shown = (t: string): string => (/^[{[]/.test(t) && t.length > 24 ? `${t[0]}…${t[0] === '{' ? '}' : ']'}` : t.length > 48 ? `${t.slice(0, 48)}…` : t);
      const sets = c.sets.length ? `, so what it sets (${c.sets.map((s) => `${s.name} = ${shown(s.text)}`).join('; ')}) never applies` : ', so nothing it sets applies';
      const related: RelatedLocation[] = cands.map((x) => ({ location: { file: x.repoPath }, message: `${x.module} is never loaded` }));
      if (sel.codeDefault && locKey(sel.codeDefault.loc) !== locKey(sel.loc!)) related.push({ location: sel.codeDefault.loc, message: `the code's default: ${sel.codeDefault.module}` });
      const program = group.map((h) => h.dj.program);
      report({
        message: `In ${ps.env.name}, ${serviceList(services)} (${[...new Set(program)].join(', ')}) ${how(ps.env, sel)}: Django loads ${sel.module}, and ${c.repoPath} (${c.module}) is never imported${sets}. Production runs with the ${(sel.module ?? '').split('.').pop()} settings.`,
        location: sel.loc!,
        environment: ps.env.name,
        service: services[0]!,
        related,
        verify: services.map((s) => `docker compose ${composeFlags(ps.env)} exec ${s} printenv DJANGO_SETTINGS_MODULE`),
        key: `${sel.module}->${c.module}@${where(sel.loc!)}`,
      });
    }
  },
});
