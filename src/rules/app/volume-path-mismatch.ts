import { posix } from 'node:path';
import type { RelatedLocation } from '../../core/finding.js';
import { pathPresence, serviceImageView } from '../../model/app/python-modules.js';
import { routeDir } from '../../model/app/proxy.js';
import type { DjangoSettingsFacts, EnvironmentModel, Mount, ProjectModel, ProxyConfig, ProxyRoute, ServiceModel, SettingFact } from '../../model/types.js';
import { defineRule } from '../define-rule.js';
import { composeFlags, where } from './_shared.js';

const norm = (p: string): string => posix.normalize(p).replace(/(.)\/+$/, '$1');
const urlPrefix = (u: string): string => (u.startsWith('/') ? u : `/${u}`).replace(/\/*$/, '/');
const isUnder = (p: string, dir: string): boolean => p === dir || dir === '/' || p.startsWith(`${dir}/`);

/** The named volume mounted over `dir` in a service (the deepest mount that covers it). */
function volumeAt(svc: ServiceModel, dir: string): Mount | undefined {
  const m = [...svc.mounts].filter((x) => isUnder(dir, norm(x.target))).sort((a, b) => b.target.length - a.target.length)[0];
  return m && m.type === 'volume' && m.source ? m : undefined;
}

interface Writer {
  svc: ServiceModel;
  settings: DjangoSettingsFacts;
  setting: 'STATIC_ROOT' | 'MEDIA_ROOT';
  root: SettingFact<string>;
}

/** Django services that serve `prefix` (STATIC_URL or MEDIA_URL) and know where those files live. */
function writers(env: EnvironmentModel, prefix: string): Writer[] {
  const out: Writer[] = [];
  for (const svc of env.services) {
    const s = svc.python?.django?.settings;
    if (!svc.enabled || !s || s.opaque || !svc.python?.django?.servesHttp) continue;
    if (s.staticUrl && s.staticRoot && !/^[a-z]+:\/\//i.test(s.staticUrl.value) && urlPrefix(s.staticUrl.value) === urlPrefix(prefix)) out.push({ svc, settings: s, setting: 'STATIC_ROOT', root: s.staticRoot });
    if (s.mediaUrl && s.mediaRoot && !/^[a-z]+:\/\//i.test(s.mediaUrl.value) && urlPrefix(s.mediaUrl.value) === urlPrefix(prefix)) out.push({ svc, settings: s, setting: 'MEDIA_ROOT', root: s.mediaRoot });
  }
  return out;
}

function imageContent(model: ProjectModel, svc: ServiceModel, dir: string): string {
  const view = { ...serviceImageView(model, svc), mounts: [] };
  const pr = pathPresence(view, dir);
  if (pr.exists === true && pr.kind === 'dir') return `Docker fills a new, empty volume once from what the image has at ${dir} and never refreshes it, so the proxy serves that stale copy, not the collected files`;
  if (pr.exists === false) return 'the volume stays empty';
  return 'the volume never gets them';
}

export default defineRule({
  meta: {
    id: 'app/volume-path-mismatch',
    severity: 'high',
    title: 'The proxy serves a volume the app does not write its files into',
    fixable: 'none',
    status: 'stable',
    docs: {
      summary: 'A reverse proxy (nginx `location … { alias|root …; }`, Caddy `root` + `file_server`) serves STATIC_URL or MEDIA_URL from a named volume, but the Django service mounts that volume somewhere other than STATIC_ROOT / MEDIA_ROOT, or does not mount it at all: what collectstatic writes and what users upload never reach the proxy.',
      why: 'A named volume is shared by path: the proxy reads `<its mount>/<path>`, the app must write to `<its own mount>/<same path>`. drydock follows the URL prefix through the proxy configuration bind-mounted into the proxy service, finds the volume under that directory, and compares the matching directory in the app container with the STATIC_ROOT / MEDIA_ROOT the app computes (its selected settings module, evaluated with `__file__` in the image). When they differ, collectstatic output stays in the app container\'s own filesystem. Docker only copies image content into a volume when the volume is new and empty (and never again), so the proxy serves whatever the image held at the mount point on the first deploy — or an empty directory — and the files Django collects (app assets, hashed names) return 404; uploads written elsewhere disappear when the container is recreated.',
      fix: 'Mount the volume at STATIC_ROOT (and MEDIA_ROOT) in the app service, or change STATIC_ROOT/MEDIA_ROOT to the mount point; keep the proxy\'s alias/root on the same volume path. Run collectstatic at container start if the volume must follow each deploy.',
      verify: 'docker compose -f <files> exec <proxy> ls <served directory>   # lists the collected files; curl -fsSI http://<host>/static/<a collected file> returns 200',
      references: [
        { title: 'Docker: populate a volume using a container (only a new, empty volume is filled from the image)', url: 'https://docs.docker.com/engine/storage/volumes/#populate-a-volume-using-a-container' },
        { title: 'Compose: volumes (short syntax VOLUME:CONTAINER_PATH)', url: 'https://docs.docker.com/reference/compose-file/services/#volumes' },
        { title: 'nginx: alias and root', url: 'https://nginx.org/en/docs/http/ngx_http_core_module.html#alias' },
        { title: 'Django: serving static files in production (STATIC_ROOT, collectstatic)', url: 'https://docs.djangoproject.com/en/stable/howto/static-files/deployment/' },
        { title: 'Caddy: root and file_server', url: 'https://caddyserver.com/docs/caddyfile/directives/root' },
      ],
    },
  },
  check({ model, report }) {
    const proxies: ProxyConfig[] = model.proxies ?? [];
    for (const px of proxies) {
      const env = model.environments.find((e) => e.name === px.environment);
      const proxy = env?.services.find((s) => s.name === px.service);
      if (!env || !proxy) continue;
      const seen = new Set<string>();
      for (const route of px.routes) {
        const served = routeDir(route);
        const pm = volumeAt(proxy, served);
        if (!pm) continue;
        const rel = served === norm(pm.target) ? '' : served.slice(norm(pm.target).length + 1);
        const ws = writers(env, route.prefix);
        if (!ws.length) continue;
        for (const w of ws) {
          const am = w.svc.mounts.find((m) => m.type === 'volume' && m.source === pm.source);
          const key = `${w.svc.name}\0${w.setting}\0${pm.source}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const root = norm(w.root.value);
          const related: RelatedLocation[] = [
            { location: w.root.loc, message: `${w.setting} = ${root} (${w.settings.module})` },
            { location: route.loc, message: `${px.service} serves ${route.prefix} from ${served}` },
            { location: pm.loc, message: `${px.service} mounts volume "${pm.source}" at ${norm(pm.target)}` },
          ];
          const build = w.svc.python?.djangoBuild.find((b) => b.command === 'collectstatic');
          const collector = w.svc.python?.django?.collectsAtStart ? 'collectstatic (at start)' : build ? `collectstatic (${where(build.loc)})` : 'collectstatic';
          const what = w.setting === 'STATIC_ROOT' ? `${collector} writes` : 'uploads are saved';
          const lost = w.setting === 'STATIC_ROOT' ? `${imageContent(model, w.svc, am ? posix.join(norm(am.target), rel) : root)}: ${route.prefix}… URLs for collected files return 404` : `${route.prefix}… URLs return 404, and uploads are lost when the container is recreated`;
          if (am) {
            const expected = norm(posix.join(norm(am.target), rel));
            if (expected === root) continue;
            report({
              message: `In ${env.name}, ${px.service} serves ${route.prefix} from ${served}, which is volume "${pm.source}"; service "${w.svc.name}" mounts that volume at ${norm(am.target)}, so the files must be in ${expected}, but ${w.setting} is ${root} (${where(w.root.loc)}): ${what} there, outside the volume; ${lost}.`,
              location: am.loc,
              environment: env.name,
              service: w.svc.name,
              related,
              verify: [`docker compose ${composeFlags(env)} exec ${px.service} ls ${served}`, `docker compose ${composeFlags(env)} exec ${w.svc.name} ls ${root}`],
              key: `${w.setting}:${root}->${pm.source}:${expected}`,
            });
          } else {
            report({
              message: `In ${env.name}, ${px.service} serves ${route.prefix} from ${served}, which is volume "${pm.source}", but service "${w.svc.name}", where ${what} to ${w.setting} = ${root} (${where(w.root.loc)}), does not mount that volume: nothing writes into it, so ${route.prefix}… URLs return 404.`,
              location: pm.loc,
              environment: env.name,
              service: w.svc.name,
              related,
              verify: [`docker compose ${composeFlags(env)} exec ${px.service} ls ${served}`],
              key: `${w.setting}:${root}->${pm.source}:unmounted`,
            });
          }
        }
      }
    }
  },
});
