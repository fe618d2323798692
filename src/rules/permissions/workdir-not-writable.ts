import { posix } from 'node:path';
import type { Fix } from '../../core/finding.js';
import type { ImageModel, ImagePathInfo, ServiceModel, StageModel } from '../../model/types.js';
import { defineRule } from '../define-rule.js';
import {
  chownName, composeFlags, describeDir, indexIn, lastUser, mountBelow, mountFor, mountPoints, nearestExisting, norm, runAs, runBeforeUser, sentence, startWrites, symptom, throughSymlink,
  type RunAs, type StartWrite,
} from './_shared.js';

/** The path whose permissions decide the write, and whether the user can write it (undefined: cannot tell). */
function decide(image: ImageModel, w: StartWrite, path: string, ref: string): { info: ImagePathInfo; writable: boolean | undefined } | undefined {
  if (w.need === 'create') {
    const info = nearestExisting(image, path);
    return info.exists === true ? { info, writable: image.writableBy(info.path, ref) } : undefined;
  }
  if (w.need === 'dir') {
    const info = image.finalPath(path);
    return info.exists === true && info.kind === 'dir' ? { info, writable: image.writableBy(path, ref) } : undefined;
  }
  // a file: opened for writing when it exists, created in its directory otherwise
  const file = image.finalPath(path);
  if (file.exists === true) return file.kind === 'dir' ? undefined : { info: file, writable: image.writableBy(path, ref) };
  if (file.exists === false) {
    const dir = image.finalPath(posix.dirname(path));
    return dir.exists === true && dir.kind === 'dir' ? { info: dir, writable: image.writableBy(dir.path, ref) } : undefined;
  }
  return undefined;
}

/** `COPY --chown=<user>` when the unwritable directory is the destination a COPY/ADD created. */
function copyChownFix(svc: ServiceModel, stage: StageModel, image: ImageModel, info: ImagePathInfo, user: RunAs): Fix | undefined {
  const ins = info.createdBy;
  const df = svc.runtime.dockerfile;
  if (!df || !ins || (ins.keyword !== 'COPY' && ins.keyword !== 'ADD') || ins !== info.changedBy) return undefined;
  const idx = indexIn(stage, ins);
  const copy = stage.copies.find((c) => c.instruction === ins);
  if (idx < 0 || !copy || copy.chown !== undefined || copy.from !== undefined || !copy.dest.startsWith('/') || norm(copy.dest) !== info.path) return undefined;
  const name = chownName(image, stage, user, idx);
  if (name === undefined || ins.keywordLoc === undefined) return undefined;
  const at = ins.range[0] + ins.keyword.length;
  if (df.source.text.slice(ins.range[0], at).toUpperCase() !== ins.keyword) return undefined;
  return {
    description: `Copy into ${info.path} owned by ${user.label}: ${ins.keyword} --chown=${name}`,
    safety: 'unsafe',
    edits: [{ file: df.path, start: at, end: at, text: ` --chown=${name}` }],
  };
}

export default defineRule({
  meta: {
    id: 'permissions/workdir-not-writable',
    severity: 'high',
    title: 'non-root process writes into a directory it does not own',
    fixable: 'unsafe',
    status: 'stable',
    docs: {
      summary: 'The image runs as a non-root user, and its start path writes into a directory (or file) of the image that user cannot write: `mkdir logs`/`touch` in the entrypoint, celery beat\'s `celerybeat-schedule` in the working directory, gunicorn/celery log and pid files, migrations creating an SQLite database, in a WORKDIR or COPY destination owned by root.',
      why: '`WORKDIR` creates its directory as root (unless USER is already set), and `COPY`/`ADD` without `--chown` create directories and files owned by root: readable by everyone (755/644), writable only by root. That alone is fine, and drydock does not report it: a process only fails when it writes. When the start path creates a file or directory there while running as the image\'s non-root USER (or compose `user`), it gets "[Errno 13] Permission denied" (`mkdir: cannot create directory \'logs\': Permission denied`) and the service exits or runs without its logs, schedule or database. Paths under a volume, bind or tmpfs are decided by the mount, not the image, and are left to the mount rules.',
      fix: 'Give the user the directory it writes to: `COPY --chown=app ...` when a COPY creates it, or `RUN mkdir -p /app/logs && chown app /app/logs` (or `chown app /app`) before `USER`; or write somewhere the user owns (a volume, `/tmp`, its home).',
      verify: 'docker compose -f <files> run --rm <service> sh -c \'id && touch <dir>/.w\'',
      references: [
        { title: 'Dockerfile reference: COPY --chown ("All new files and directories are created with a UID and GID of 0, unless the optional --chown flag specifies")', url: 'https://docs.docker.com/reference/dockerfile/#copy---chown---chmod' },
        { title: 'Dockerfile reference: USER (the user for RUN, CMD and ENTRYPOINT that follow)', url: 'https://docs.docker.com/reference/dockerfile/#user' },
        { title: 'Dockerfile reference: WORKDIR ("If the WORKDIR doesn\'t exist, it will be created")', url: 'https://docs.docker.com/reference/dockerfile/#workdir' },
        { title: 'celery beat: --schedule defaults to celerybeat-schedule in the working directory', url: 'https://docs.celeryq.dev/en/stable/reference/cli.html#celery-beat' },
      ],
      fixSafety: 'When the directory is the destination a `COPY`/`ADD` created, the fix adds `--chown=<user>` to it; otherwise it inserts `RUN chown <user> <dir>` before the final `USER`. Both change who owns files in the image (the user can then also modify what was copied), so they are unsafe.',
      example: {
        bad: { 'compose.yaml': 'services:\n  web:\n    build: .\n', Dockerfile: 'FROM python:3.12-slim\nRUN useradd --uid 1000 app\nWORKDIR /app\nCOPY . .\nUSER app\nENTRYPOINT ["./entrypoint.sh"]\n', 'entrypoint.sh': '#!/bin/sh\nset -e\nmkdir -p logs\nexec gunicorn app.wsgi\n' },
        good: { 'compose.yaml': 'services:\n  web:\n    build: .\n', Dockerfile: 'FROM python:3.12-slim\nRUN useradd --uid 1000 app\nWORKDIR /app\nCOPY . .\nRUN mkdir -p logs && chown app logs\nUSER app\nENTRYPOINT ["./entrypoint.sh"]\n', 'entrypoint.sh': '#!/bin/sh\nset -e\nmkdir -p logs\nexec gunicorn app.wsgi\n' },
      },
    },
  },
  check({ model, report }) {
    for (const env of model.environments)
      for (const svc of env.services) {
        // a read-only root filesystem is permissions/readonly-unwritable's
        if (!svc.enabled || svc.readOnly || !svc.start) continue;
        const stage = svc.runtime.stage;
        const image = stage?.image;
        if (!stage || !image) continue;
        const mounts = mountPoints(svc);
        if (!mounts) continue;
        const seen = new Set<string>();
        for (const w of startWrites({ model, env, svc, plan: svc.start, image, stage })) {
          const user = runAs(w.step.user, image);
          if (!user || user.root !== false || user.ref === undefined) continue;
          const paths = w.candidates ?? [w.path];
          // under a mount the mount decides (tmpfs-owner, volume-owner)
          if (paths.some((p) => mountFor(p, mounts) || (w.need === 'create' && mountBelow(p, mounts)) || throughSymlink(image, p))) continue;
          const decided = paths.map((p) => decide(image, w, p, user.ref!));
          if (w.candidates ? decided.some((d) => d?.writable !== false) : decided[0]?.writable !== false) continue;
          const d = decided[0]!;
          const key = `${w.kind}:${d.info.path}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const u = lastUser(stage);
          const name = u ? chownName(image, stage, user, u.index) : undefined;
          const fix =
            copyChownFix(svc, stage, image, d.info, user) ??
            (name !== undefined && image.base?.shell !== false && u && indexIn(stage, d.info.changedBy) < u.index && image.pathAt(u.index, d.info.path).exists === true
              ? runBeforeUser(svc, stage, `chown ${name} ${d.info.path}`, `Give ${user.label} ${d.info.path}: RUN chown ${name} ${d.info.path} before USER`)
              : undefined);
          const target = w.candidates ? `any of ${w.candidates.join(', ')}` : d.info.path;
          report({
            message: sentence(`${w.actor} runs as ${user.label} and writes ${w.object}, but ${w.candidates ? `${user.label} can write none of ${target}` : `${user.label} cannot write ${describeDir(d.info)}`}: ${symptom(w, 'Permission denied')}.${fix ? '' : w.remedy ? ` Fix: ${w.remedy}.` : ''}`),
            location: w.loc,
            environment: env.name,
            service: svc.name,
            related: [
              ...(d.info.createdBy ? [{ location: d.info.createdBy.loc, message: `${d.info.path} is created here, owned by ${d.info.owner ?? 'an unknown owner'}` }] : []),
              ...(u ? [{ location: u.ins.loc, message: `USER ${u.ins.argsText}: the start path runs as ${user.label}` }] : []),
            ],
            key,
            ...(fix ? { fix } : {}),
            verify: [`docker compose ${composeFlags(env)} run --rm --no-deps ${svc.name} sh -c 'id && touch ${w.need === 'file' ? w.path : `${d.info.path}/.drydock-write-test`}'`],
          });
        }
      }
  },
});
