import type { Fix } from '../../core/finding.js';
import type { Location } from '../../core/location.js';
import { mapGet, scalarText, type YamlScalarNode } from '../../parse/compose/yaml-tree.js';
import type { ProjectModel, ServiceModel } from '../../model/types.js';
import { defineRule } from '../define-rule.js';
import { composeFlags, describeDir, mainStep, norm, octal, runAs, runtimeChown, tmpfsEntry, type RunAs } from './_shared.js';

interface TmpfsMount {
  target: string;
  /** `uid`/`gid`/`mode` given (short syntax options, long syntax `tmpfs.mode`) */
  ownership: boolean;
  loc: Location;
  /** the short-syntax scalar, for the fix */
  node?: YamlScalarNode;
}

function tmpfsMounts(svc: ServiceModel): TmpfsMount[] {
  const out: TmpfsMount[] = [];
  const node = mapGet(svc.node, 'tmpfs');
  const scalars = node?.kind === 'seq' ? node.items : node ? [node] : [];
  for (const n of scalars) {
    if (n.kind !== 'scalar' || n.value === null) continue;
    const e = tmpfsEntry(String(n.value));
    out.push({ target: e.target, ownership: ['uid', 'gid', 'mode'].some((k) => e.options.has(k)), loc: n.loc, node: n });
  }
  const vols = mapGet(svc.node, 'volumes');
  if (vols?.kind === 'seq')
    for (const n of vols.items) {
      if (n.kind !== 'map' || scalarText(mapGet(n, 'type')) !== 'tmpfs') continue;
      const target = scalarText(mapGet(n, 'target'));
      if (!target) continue;
      const t = mapGet(n, 'tmpfs');
      out.push({ target: norm(target), ownership: t?.kind === 'map' && ['mode', 'uid', 'gid'].some((k) => t.entries.has(k)), loc: n.loc });
    }
  return out;
}

/** Append `uid=,gid=` to a short-syntax entry: `- /app/cache` → `- /app/cache:uid=1000,gid=1000`. */
function ownershipFix(model: ProjectModel, m: TmpfsMount, user: RunAs): Fix | undefined {
  const n = m.node;
  if (!n || user.uid === undefined) return undefined;
  const text = model.sources.get(n.loc.file)?.text;
  if (text === undefined) return undefined;
  const raw = text.slice(n.range[0], n.range[1]);
  const value = String(n.value);
  let at: number;
  if (!n.quoted && raw === value) at = n.range[1];
  else if (n.quoted && (raw === `"${value}"` || raw === `'${value}'`) && !/["'\\]/.test(value)) at = n.range[1] - 1;
  else return undefined;
  const opts = `uid=${user.uid}${user.gid !== undefined ? `,gid=${user.gid}` : ''}`;
  return {
    description: `Mount the tmpfs owned by ${user.label}: ${value}${value.includes(':') ? ',' : ':'}${opts}`,
    safety: 'unsafe',
    edits: [{ file: n.loc.file, start: at, end: at, text: `${value.includes(':') ? ',' : ':'}${opts}` }],
  };
}

export default defineRule({
  meta: {
    id: 'permissions/tmpfs-owner',
    severity: 'high',
    title: 'tmpfs mount is owned by root where a non-root user must write',
    fixable: 'unsafe',
    status: 'stable',
    docs: {
      summary: 'A `tmpfs` mount without `uid=`/`gid=`/`mode=` for a service whose process runs as a non-root user, over a directory the image holds with a mode others cannot write (e.g. 755 from a root `RUN mkdir`), or over a path the image does not have.',
      why: 'A tmpfs is always owned by root:root unless `uid`/`gid` options say otherwise. When the target directory exists in the image, runc gives the tmpfs that directory\'s mode but not its owner, so `/app/cache` created 755 by `RUN mkdir` (or even `chown app /app/cache` in the Dockerfile) becomes root-owned 755 and the app gets "Permission denied". When the target does not exist, the first start gets the tmpfs default 1777, but runc has created the mount point 755, so after a restart (restart policy, `docker restart`, host reboot) the tmpfs comes up root-owned 755 and the same container can no longer write. `/tmp` (1777 in the image) is fine.',
      fix: 'Give the tmpfs the service user\'s ownership: `tmpfs: ["/app/cache:uid=1000,gid=1000"]`. With runc 1.1.8 or later an explicit `mode=1777` is honoured too (older runc replaced it with the existing directory\'s mode).',
      verify: 'docker compose -f <files> restart <service> && docker compose -f <files> exec <service> sh -c \'touch <target>/.w && stat -c "%U %a" <target>\'',
      references: [
        { title: 'Compose services: tmpfs (`/data:mode=755,uid=1009,gid=1009`)', url: 'https://docs.docker.com/reference/compose-file/services/#tmpfs' },
        { title: 'moby/moby#39466: tmpfs on an existing directory takes its mode, owner root:root', url: 'https://github.com/moby/moby/issues/39466' },
        { title: 'opencontainers/runc#1647: runc copies the mount point\'s mode, not its owner', url: 'https://github.com/opencontainers/runc/issues/1647' },
        { title: 'moby/moby#20437: "--tmpfs with --user works for the first time. Fails in subsequent container starts"', url: 'https://github.com/moby/moby/issues/20437' },
        { title: 'docker/for-linux#138: tmpfs permissions reset after restart; uid/gid options as the workaround', url: 'https://github.com/docker/for-linux/issues/138' },
        { title: 'opencontainers/runc#3912 (runc 1.1.8): an explicit tmpfs mode now wins over the existing directory\'s', url: 'https://github.com/opencontainers/runc/pull/3912' },
      ],
      fixSafety: 'The fix appends `uid=<uid>,gid=<gid>` of the user the service runs as to the short-syntax entry. It is unsafe because the uid comes from the image as drydock models it (a uid deduced from `useradd` order may differ from the real one) and because other processes of the container that expect root ownership lose it.',
      example: {
        bad: { 'compose.yaml': 'services:\n  api:\n    build: .\n    read_only: true\n    tmpfs:\n      - /app/cache\n', Dockerfile: 'FROM python:3.12-slim\nRUN useradd --uid 1000 app && mkdir -p /app/cache && chown app /app/cache\nUSER app\n' },
        good: { 'compose.yaml': 'services:\n  api:\n    build: .\n    read_only: true\n    tmpfs:\n      - /app/cache:uid=1000,gid=1000\n', Dockerfile: 'FROM python:3.12-slim\nRUN useradd --uid 1000 app && mkdir -p /app/cache && chown app /app/cache\nUSER app\n' },
      },
    },
  },
  check({ model, report }) {
    for (const env of model.environments)
      for (const svc of env.services) {
        if (!svc.enabled) continue;
        const stage = svc.runtime.stage;
        const image = stage?.image;
        if (!stage || !image) continue;
        const mounts = tmpfsMounts(svc);
        if (!mounts.length) continue;
        const main = svc.start ? mainStep(svc.start) : undefined;
        const user = runAs(main ? main.user : svc.user?.value ?? stage.user?.value, image);
        if (!user || user.root !== false) continue;
        for (const m of mounts) {
          if (m.ownership || /[$`]/.test(m.target)) continue;
          if (svc.start && runtimeChown(svc.start, image, m.target)) continue;
          const info = image.finalPath(m.target);
          let why: string;
          if (info.exists === true) {
            if (info.kind !== 'dir' || info.mode === undefined) continue;
            if ((info.mode & 0o002) !== 0) continue; // /tmp and other world-writable directories
            if ((info.mode & 0o020) !== 0 && user.gid === 0) continue;
            why = `it mounts over ${describeDir(info)}: the tmpfs takes that mode (${octal(info.mode)}) but is owned by root, so ${user.label} cannot create files there ("Permission denied")${info.owner !== undefined && info.owner !== 'root' && info.ownerUid !== 0 ? `; the Dockerfile's ownership of ${m.target} does not carry over to the tmpfs` : ''}`;
          } else if (info.exists === false) {
            why = `${m.target} does not exist in the image: the first start gets a 1777 tmpfs, but the mount point Docker creates is 755, so after a restart the tmpfs comes up root-owned 755 and ${user.label} can no longer write to it`;
          } else continue;
          const fix = ownershipFix(model, m, user);
          report({
            message: `tmpfs ${m.target} of service "${svc.name}" has no uid=/gid= (or mode=) option, and ${why}. ${m.node ? `Add :uid=${user.uid ?? '<uid>'}${user.gid !== undefined ? `,gid=${user.gid}` : ''} to the entry` : `Mount it with the short syntax \`tmpfs: ["${m.target}:uid=${user.uid ?? '<uid>'}${user.gid !== undefined ? `,gid=${user.gid}` : ''}"]\`, or set \`tmpfs.mode: 01777\` (honoured since runc 1.1.8)`}.`,
            location: m.loc,
            environment: env.name,
            service: svc.name,
            related: [
              ...(main ? [{ location: main.loc, message: `the process runs as ${user.label}` }] : []),
              ...(info.createdBy ? [{ location: info.createdBy.loc, message: `${m.target} is created here` }] : []),
            ],
            key: `tmpfs:${m.target}`,
            ...(fix ? { fix } : {}),
            verify: [`docker compose ${composeFlags(env)} restart ${svc.name} && docker compose ${composeFlags(env)} exec ${svc.name} sh -c 'touch ${m.target}/.drydock-write-test && stat -c "%U %a" ${m.target}'`],
          });
        }
      }
  },
});
