import type { RelatedLocation } from '../../core/finding.js';
import { isManifestStorage } from '../../model/app/django.js';
import type { DjangoBuildCommand, DjangoRuntime } from '../../model/types.js';
import { defineRule } from '../define-rule.js';
import { composeFlags, groupBy, locKey, pythonServices, serviceList, where, type PythonService } from './_shared.js';

const short = (backend: string): string => backend.split('.').pop() ?? backend;

interface Hit {
  ps: PythonService;
  dj: DjangoRuntime;
  build: DjangoBuildCommand;
  kind: 'manifest' | 'static-root';
}

export default defineRule({
  meta: {
    id: 'app/build-runtime-settings-drift',
    severity: 'high',
    title: 'collectstatic at build time uses other settings than the running app',
    fixable: 'none',
    status: 'stable',
    docs: {
      summary: 'The image build runs `manage.py collectstatic` with a different settings module or environment than the service uses at runtime, and the difference changes what runtime expects: a manifest static storage at runtime but none at build time, or a different STATIC_ROOT.',
      why: 'collectstatic writes what the build-time settings say: with `StaticFilesStorage` plain copies and no `staticfiles.json`; with `ManifestStaticFilesStorage` hashed copies and the manifest. At runtime `{% static %}` asks the runtime storage: a manifest storage with DEBUG = False looks every name up in STATIC_ROOT/staticfiles.json and raises `ValueError: Missing staticfiles manifest entry for \'css/site.css\'` when the build produced no manifest, so every page that links a static file answers HTTP 500. A different STATIC_ROOT means the collected files are not where the runtime (whitenoise, or a volume shared with the proxy) looks. drydock evaluates both settings modules with their own environment: the RUN\'s `VAR=value` prefix and the ENV before it at build time; image ENV, env_file and environment at runtime.',
      fix: 'Run collectstatic with the runtime settings (`RUN DJANGO_SETTINGS_MODULE=<runtime module> python manage.py collectstatic --noinput`, with build-safe defaults for the variables those settings require), or run it at container start with the runtime environment.',
      verify: 'docker compose -f <files> run --rm --no-deps --entrypoint python <service> manage.py findstatic --verbosity 2 <a static file>; docker compose -f <files> exec <service> ls <STATIC_ROOT>/staticfiles.json',
      references: [
        { title: 'Django: ManifestStaticFilesStorage (manifest_strict: a missing entry raises ValueError)', url: 'https://docs.djangoproject.com/en/stable/ref/contrib/staticfiles/#manifeststaticfilesstorage' },
        { title: 'Django: collectstatic writes to STATIC_ROOT with the configured storage', url: 'https://docs.djangoproject.com/en/stable/ref/contrib/staticfiles/#collectstatic' },
        { title: 'Django: STORAGES setting ("staticfiles" backend)', url: 'https://docs.djangoproject.com/en/stable/ref/settings/#std-setting-STORAGES' },
        { title: 'Dockerfile reference: RUN sees ENV set before it', url: 'https://docs.docker.com/reference/dockerfile/#env' },
      ],
    },
  },
  check({ model, report }) {
    const hits: Hit[] = [];
    for (const ps of pythonServices(model)) {
      const dj = ps.py.django;
      const rt = dj?.settings;
      if (!dj || !rt || rt.opaque || !dj.servesHttp || dj.collectsAtStart) continue;
      for (const build of ps.py.djangoBuild) {
        const bt = build.settings;
        if (build.command !== 'collectstatic' || !bt || bt.opaque) continue;
        if (rt.staticStorage && bt.staticStorage && isManifestStorage(rt.staticStorage.value) && !isManifestStorage(bt.staticStorage.value) && rt.debug?.value !== true) hits.push({ ps, dj, build, kind: 'manifest' });
        else if (rt.staticRoot && bt.staticRoot && rt.staticRoot.value !== bt.staticRoot.value) hits.push({ ps, dj, build, kind: 'static-root' });
      }
    }
    for (const group of groupBy(hits, (h) => `${h.ps.env.name}\0${locKey(h.build.loc)}\0${h.kind}\0${h.dj.settings!.module}`)) {
      const { ps, dj, build, kind } = group[0]!;
      const rt = dj.settings!;
      const bt = build.settings!;
      const services = [...new Set(group.map((h) => h.ps.svc.name))];
      const buildSel = build.selection.source === 'setdefault' ? `${bt.module} (manage.py's default)` : `${bt.module}${build.selection.loc ? ` (${where(build.selection.loc)})` : ''}`;
      const runSel = `${rt.module}${dj.selection.loc ? ` (${where(dj.selection.loc)})` : ''}`;
      const related: RelatedLocation[] = [];
      if (dj.selection.loc) related.push({ location: dj.selection.loc, message: `runtime selects ${rt.module}` });
      let message: string;
      if (kind === 'manifest') {
        related.push({ location: rt.staticStorage!.loc, message: `runtime storage: ${short(rt.staticStorage!.value)}` });
        if (!bt.staticStorage!.defaulted) related.push({ location: bt.staticStorage!.loc, message: `build-time storage: ${short(bt.staticStorage!.value)}` });
        const debug = rt.debug ? `DEBUG is False (${where(rt.debug.loc)})` : 'unless DEBUG is True';
        message = `In ${ps.env.name}, the image's collectstatic runs with ${buildSel}, whose static storage is ${short(bt.staticStorage!.value)}${bt.staticStorage!.defaulted ? " (Django's default)" : ''}, so it writes no staticfiles.json; ${serviceList(services)} runs ${runSel} with ${short(rt.staticStorage!.value)}. ${debug}, so every {% static %} lookup raises \`ValueError: Missing staticfiles manifest entry for '…'\` and pages that use static files answer HTTP 500.`;
      } else {
        related.push({ location: rt.staticRoot!.loc, message: `runtime STATIC_ROOT = ${rt.staticRoot!.value}` });
        related.push({ location: bt.staticRoot!.loc, message: `build-time STATIC_ROOT = ${bt.staticRoot!.value}` });
        message = `In ${ps.env.name}, the image's collectstatic runs with ${buildSel} and writes to ${bt.staticRoot!.value}, but ${serviceList(services)} runs ${runSel} whose STATIC_ROOT is ${rt.staticRoot!.value}: the collected files are not where the running app (and anything serving STATIC_ROOT) looks, so static files return 404.`;
      }
      report({
        message,
        location: build.loc,
        environment: ps.env.name,
        service: services[0]!,
        related,
        verify: [`docker compose ${composeFlags(ps.env)} exec ${services[0]} ls ${rt.staticRoot?.value ?? '<STATIC_ROOT>'}${kind === 'manifest' ? '/staticfiles.json' : ''}`],
        key: `${kind}:${bt.module}->${rt.module}@${where(build.loc)}`,
      });
    }
  },
});
