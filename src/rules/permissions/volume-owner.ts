import type { Location } from '../../core/location.js';
import { mapGet, scalarText } from '../../parse/compose/yaml-tree.js';
import type { EnvironmentModel, ProjectModel, ServiceModel } from '../../model/types.js';
import { defineRule } from '../define-rule.js';
import { chownName, composeFlags, imageVolumes, indexIn, isUnder, lastUser, mainStep, norm, runAs, runBeforeUser, runtimeChown } from './_shared.js';

/** Images whose entrypoints chown their data directory before dropping to their own user. */
const SELF_CHOWNING_BASES = new Set(['postgres', 'postgres-alpine', 'redis', 'redis-alpine']);

/** A top-level volume Docker creates itself (local driver, no driver options, not external): empty, root-owned when nothing is copied in. */
function plainVolume(model: ProjectModel, env: EnvironmentModel, name: string): boolean {
  let declared = false;
  for (const f of env.composeFiles) {
    const root = model.composeFiles.get(f)?.root;
    const vols = mapGet(root, 'volumes');
    if (vols?.kind !== 'map' || !vols.entries.has(name)) continue;
    declared = true;
    const v = vols.entries.get(name)!.value;
    if (v.kind === 'map' && ['external', 'driver', 'driver_opts'].some((k) => v.entries.has(k))) {
      const ext = mapGet(v, 'external');
      const driver = scalarText(mapGet(v, 'driver'));
      if (v.entries.has('driver_opts') || (ext && !(ext.kind === 'scalar' && ext.value === false)) || (driver !== undefined && driver !== 'local')) return false;
    }
  }
  return declared;
}

/** The long-syntax `volume.nocopy` / short-syntax `nocopy` option. */
function nocopy(svc: ServiceModel, loc: Location): boolean {
  const vols = mapGet(svc.node, 'volumes');
  if (vols?.kind !== 'seq') return false;
  const n = vols.items.find((i) => i.loc.file === loc.file && i.loc.startLine === loc.startLine && i.loc.startColumn === loc.startColumn);
  if (!n) return false;
  if (n.kind === 'scalar') return /:[^:]*\bnocopy\b[^:]*$/.test(String(n.value ?? ''));
  const v = mapGet(mapGet(n, 'volume'), 'nocopy');
  return v?.kind === 'scalar' && v.value === true;
}

export default defineRule({
  meta: {
    id: 'permissions/volume-owner',
    severity: 'high',
    title: 'named volume is mounted where the image has no directory, for a non-root user',
    fixable: 'unsafe',
    status: 'stable',
    docs: {
      summary: 'A named volume mounted read-write at a path that does not exist in the image, in a service whose process runs as a non-root user and which is the only service writing to that volume.',
      why: 'When a new, empty named volume is mounted, Docker copies the image\'s content at the mount path into it, with that directory\'s owner and mode ("Populate a volume using a container"). When the image has no such path there is nothing to copy: the volume\'s root stays as the local driver created it, root-owned 755, so a process running as a non-root USER gets "Permission denied" on its first write (an upload, an SQLite file, a cache). A volume at a path the image creates and `chown`s to the user is initialised with that ownership and works. External volumes, volumes with driver options (bind-backed), and images whose entrypoints chown their data directory (postgres, redis) are not reported.',
      fix: 'Create the directory in the image, owned by the runtime user, before `USER`: `RUN mkdir -p /srv/data && chown app /srv/data`. A volume that already exists keeps its ownership: remove it (`docker volume rm`) or chown it once.',
      verify: 'docker compose -f <files> exec <service> sh -c \'stat -c "%U %a" <target> && touch <target>/.w\'',
      references: [
        { title: 'Docker volumes: "Populate a volume using a container" (the directory\'s contents are copied into a new volume)', url: 'https://docs.docker.com/engine/storage/volumes/#populate-a-volume-using-a-container' },
        { title: 'Docker volumes: mounting an empty volume over existing files copies them; volume-nocopy disables it', url: 'https://docs.docker.com/engine/storage/volumes/#mounting-a-volume-over-existing-data' },
        { title: 'Compose: top-level volumes (external, driver, driver_opts)', url: 'https://docs.docker.com/reference/compose-file/volumes/' },
      ],
      fixSafety: 'The fix inserts `RUN mkdir -p <target> && chown <user> <target>` before the final USER instruction. It only helps volumes created after the change (an existing volume keeps its root ownership), and it needs a shell and `chown` in the image, so it is unsafe.',
      example: {
        bad: { 'compose.yaml': 'services:\n  api:\n    build: .\n    volumes:\n      - uploads:/srv/uploads\nvolumes:\n  uploads:\n', Dockerfile: 'FROM python:3.12-slim\nRUN useradd --uid 1000 app\nUSER app\n' },
        good: { 'compose.yaml': 'services:\n  api:\n    build: .\n    volumes:\n      - uploads:/srv/uploads\nvolumes:\n  uploads:\n', Dockerfile: 'FROM python:3.12-slim\nRUN useradd --uid 1000 app\nRUN mkdir -p /srv/uploads && chown app /srv/uploads\nUSER app\n' },
      },
    },
  },
  check({ model, report }) {
    for (const env of model.environments) {
      const users = new Map<string, { svc: ServiceModel; readOnly: boolean }[]>();
      for (const svc of env.services) {
        if (!svc.enabled) continue;
        for (const m of svc.mounts) if (m.type === 'volume' && m.source) users.set(m.source, [...(users.get(m.source) ?? []), { svc, readOnly: m.readOnly }]);
      }
      for (const svc of env.services) {
        if (!svc.enabled) continue;
        const stage = svc.runtime.stage;
        const image = stage?.image;
        if (!stage || !image) continue;
        if (image.base && SELF_CHOWNING_BASES.has(image.base.id)) continue;
        const main = svc.start ? mainStep(svc.start) : undefined;
        const user = runAs(main ? main.user : svc.user?.value ?? stage.user?.value, image);
        if (!user || user.root !== false) continue;
        const vols = imageVolumes(svc) ?? [];
        for (const m of svc.mounts) {
          if (m.type !== 'volume' || !m.source || m.readOnly || !m.target.startsWith('/') || /[$`]/.test(m.target + m.source)) continue;
          const target = norm(m.target);
          if (!plainVolume(model, env, m.source) || nocopy(svc, m.loc)) continue;
          // another service writing to the same volume may be its writer (and may initialise it first)
          if ((users.get(m.source) ?? []).some((u) => u.svc !== svc && !u.readOnly)) continue;
          if (vols.some((v) => isUnder(target, v) || isUnder(v, target))) continue;
          if (svc.start && runtimeChown(svc.start, image, target)) continue;
          const info = image.finalPath(target);
          if (info.exists !== false) continue;
          const u = lastUser(stage);
          const name = u ? chownName(image, stage, user, u.index) : undefined;
          const fix = name !== undefined && image.base?.shell !== false ? runBeforeUser(svc, stage, `mkdir -p ${target} && chown ${name} ${target}`, `Create ${target} in the image owned by ${user.label} (new volumes copy its ownership)`) : undefined;
          const userIns = u?.ins ?? (user.name ? image.user(user.name).createdBy : undefined);
          report({
            message: `Named volume "${m.source}" is mounted at ${target}, which does not exist in the image: Docker has nothing to copy into the new volume, so its root stays owned by root (755) and service "${svc.name}", running as ${user.label}, gets "Permission denied" writing to ${target}. Create ${target} in the Dockerfile and chown it to ${user.name ?? user.uid} before USER.`,
            location: m.loc,
            environment: env.name,
            service: svc.name,
            related: [
              ...(userIns && indexIn(stage, userIns) >= 0 ? [{ location: userIns.loc, message: `the service runs as ${user.label}` }] : []),
              ...(main ? [{ location: main.loc, message: 'the process that writes there' }] : []),
            ],
            key: `volume:${m.source}:${target}`,
            ...(fix ? { fix } : {}),
            verify: [`docker compose ${composeFlags(env)} exec ${svc.name} sh -c 'stat -c "%U %a" ${target} && touch ${target}/.drydock-write-test'`],
          });
        }
      }
    }
  },
});
