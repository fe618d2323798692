import type { RelatedLocation } from '../../core/finding.js';
import { defineRule } from '../define-rule.js';

const short = (sha: string): string => sha.slice(0, 7);
const day = (seconds: number): string => new Date(seconds * 1000).toISOString().slice(0, 10);
const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export default defineRule({
  meta: {
    id: 'image/stale-pinned-image',
    severity: 'high',
    title: 'Production pins an image older than its Dockerfile or dependencies',
    fixable: 'none',
    status: 'preview',
    docs: {
      summary:
        'Production runs a prebuilt image pinned by tag or digest that the repository also builds from source, and git history shows the Dockerfile or a dependency manifest of that build changed in a later commit than the one that last edited the pin.',
      why:
        'A pinned `image:` is whatever was pushed under that tag or digest when it was built. When the repository also builds that image (a development service with `build:` and the same `image:` name, or the production service itself with both `image:` and `build:`, where Compose pulls first and builds only when the pull finds nothing), later commits to its Dockerfile or to `requirements.txt`/`pyproject.toml`/`package.json`/a lock file do not reach production until someone rebuilds and bumps the pin. Everything else in the deployment moves with the repository (compose settings, env files, mounted code, services that build from source and share the database), while the pinned service keeps the old image: what needs the new dependency fails there (`ModuleNotFoundError`, `Cannot find module`, an unknown setting), and dependency security fixes never ship. drydock compares the newest first-parent commit that introduced the pin line with the newest commit that changed each build input (at most 500 commits from HEAD, read from `.git` without running git). It stays silent without a `.git`, for interpolated pins (`image: app:${TAG}`), with `pull_policy: build` or `never`, and while the pin line is not committed.',
      fix: 'Rebuild and push the image from the current sources and bump the pinned tag or digest in the production compose file in the same change, or let production build it (`pull_policy: build`, or `docker compose up --build`). A CI job that builds, pushes and updates the pin on every change to the build inputs keeps them together.',
      verify: "docker image inspect <image> --format '{{.Created}}'   # when the pinned image was built\ngit log -1 --format=%ci -- <Dockerfile or manifest>   # must be earlier than the image",
      references: [
        { title: 'Compose file reference: using `build` and `image` together (pull first, build when not found)', url: 'https://docs.docker.com/reference/compose-file/build/#using-build-and-image' },
        { title: 'Compose file reference: `pull_policy`', url: 'https://docs.docker.com/reference/compose-file/services/#pull_policy' },
        { title: 'Compose file reference: `image` (tags and digests)', url: 'https://docs.docker.com/reference/compose-file/services/#image' },
        { title: 'docker image inspect: the image `Created` time', url: 'https://docs.docker.com/reference/cli/docker/image/inspect/' },
        { title: 'git log --first-parent: history as the main branch saw it', url: 'https://git-scm.com/docs/git-log#Documentation/git-log.txt---first-parent' },
      ],
    },
  },
  check({ model, report }) {
    for (const env of model.environments) {
      if (!env.production) continue;
      for (const svc of env.services) {
        const p = svc.pinnedImage;
        if (!svc.enabled || !p || !p.changed.length) continue;
        const newest = p.changed[0]!;
        const pinned = p.pinCommit && p.pinTime !== undefined ? `pinned in ${short(p.pinCommit)} (${day(p.pinTime)})` : `pinned before the last ${p.commitsRead} commits`;
        const others = p.changed.length - 1;
        const what = `${newest.path} changed in ${short(newest.commit)} (${day(newest.time)})${others ? ` (and ${others} more build input${others === 1 ? '' : 's'})` : ''} after the pin`;
        const self = p.builds.some((b) => b.self);
        const how = self ? 'Compose pulls it instead of building it' : `the repository builds it from source (service "${p.builds[0]!.service}" in ${p.builds[0]!.environment})`;
        const related: RelatedLocation[] = [
          ...p.changed.map((c) => ({ location: { file: c.path }, message: `changed in ${short(c.commit)} (${day(c.time)}), after the pin` })),
          ...p.builds.filter((b) => !b.self).map((b) => ({ location: b.loc, message: `service "${b.service}" (${b.environment}) builds ${p.image.repository} from ${b.dockerfile}` })),
        ];
        report({
          environment: env.name,
          service: svc.name,
          message: `Service "${svc.name}" runs the prebuilt image ${p.image.raw}, ${pinned}, but ${how} and ${what}: production keeps running an image built without ${others ? 'these changes' : 'this change'} until the image is rebuilt and the pin bumped.`,
          location: p.pinLoc,
          related,
          verify: [`docker image inspect ${quote(p.image.raw)} --format '{{.Created}}'`, ...p.changed.slice(0, 3).map((c) => `git log -1 --format=%ci -- ${quote(c.path)}`)],
          key: `${svc.name}:${p.image.raw}`,
        });
      }
    }
  },
});
