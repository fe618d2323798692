import { defineRule } from '../define-rule.js';
import { composeFlags, keyLoc, mountBelow, mountFor, mountPoints, startWrites, symptom, throughSymlink, type MountPoint, type StartWrite } from './_shared.js';

/** Where the write lands: on the read-only root filesystem (or a read-only mount), or somewhere writable. */
function blocked(path: string, mounts: readonly MountPoint[]): MountPoint | 'rootfs' | undefined {
  const m = mountFor(path, mounts);
  if (!m) return 'rootfs';
  return m.writable ? undefined : m;
}

/** Where to mount, or how to point the writer elsewhere. */
function remedy(w: StartWrite): string {
  if (w.remedy) return w.remedy;
  const dir = w.need === 'file' ? w.path.slice(0, w.path.lastIndexOf('/')) || '/' : w.path;
  return `mount a tmpfs (or a volume, to keep the data) on ${dir}`;
}

export default defineRule({
  meta: {
    id: 'permissions/readonly-unwritable',
    severity: 'critical',
    title: 'read-only container writes where nothing writable is mounted',
    fixable: 'none',
    status: 'stable',
    docs: {
      summary: 'A service with `read_only: true` whose start path writes to a path that no tmpfs, volume or bind mount covers: gunicorn\'s worker heartbeat file (in the temporary directory unless `--worker-tmp-dir`/`worker_tmp_dir`), gunicorn/celery log and pid files, celery beat\'s schedule file, `mkdir`/`touch` in the entrypoint, migrations on an SQLite file, nginx\'s pid file, `collectstatic` at start.',
      why: '`read_only: true` mounts the container\'s root filesystem read-only; only mounts (tmpfs, volumes, binds, and Docker\'s own `/dev/shm`) stay writable, and Docker adds no tmpfs on `/tmp`. gunicorn creates each worker\'s heartbeat file with `tempfile.mkstemp(dir=worker_tmp_dir)`; with no `worker_tmp_dir` Python tries `$TMPDIR`, `$TEMP`, `$TMP`, `/tmp`, `/var/tmp`, `/usr/tmp` and the working directory, and when none can be written the master logs "Unhandled exception in main loop" with `FileNotFoundError: No usable temporary directory found in [...]` and exits. Log files, pid files, celery beat\'s `celerybeat-schedule` (created in the working directory by default), SQLite databases and their journals, and nginx\'s `/var/run/nginx.pid` fail the same way with `[Errno 30] Read-only file system`. Only writers drydock sees on the start path (the command, the entrypoint scripts it runs, their flags, environment and config files) are reported.',
      fix: 'Mount a tmpfs where the process writes (`tmpfs: [/tmp]` for gunicorn and tempfile users, `/var/run` and `/var/cache/nginx` for nginx), a volume where the data must persist (SQLite, the beat schedule), or point the writer at one (`--worker-tmp-dir /dev/shm`, `--schedule /tmp/celerybeat-schedule`, logs to `-`).',
      verify: 'docker compose -f <files> up -d <service> && docker compose -f <files> ps <service>   # running, not restarting; `docker compose logs <service>` shows no "Read-only file system"',
      references: [
        { title: 'Compose services: read_only', url: 'https://docs.docker.com/reference/compose-file/services/#read_only' },
        { title: 'Docker run: --read-only "Mount the container\'s root filesystem as read only"', url: 'https://docs.docker.com/reference/cli/docker/container/run/#read-only' },
        { title: 'gunicorn settings: worker_tmp_dir (default None: the default temporary directory)', url: 'https://docs.gunicorn.org/en/stable/settings.html#worker-tmp-dir' },
        { title: 'gunicorn workers/workertmp.py: tempfile.mkstemp(prefix="wgunicorn-", dir=fdir)', url: 'https://github.com/benoitc/gunicorn/blob/master/gunicorn/workers/workertmp.py' },
        { title: 'Python tempfile.gettempdir(): TMPDIR, TEMP, TMP, /tmp, /var/tmp, /usr/tmp, the current directory', url: 'https://docs.python.org/3/library/tempfile.html#tempfile.gettempdir' },
        { title: 'benoitc/gunicorn#2859: read-only filesystem, "you will have to mount the temporary folder in memory"', url: 'https://github.com/benoitc/gunicorn/issues/2859' },
        { title: 'meeb/tubesync#458: "No usable temporary directory found in [\'/tmp\', \'/var/tmp\', \'/usr/tmp\', \'/app\']" from gunicorn', url: 'https://github.com/meeb/tubesync/issues/458' },
        { title: 'celery beat: --schedule defaults to celerybeat-schedule (in the working directory)', url: 'https://docs.celeryq.dev/en/stable/reference/cli.html#celery-beat' },
        { title: 'nginx image docs: "Running nginx in read-only mode" needs /var/cache/nginx and /var/run writable', url: 'https://github.com/docker-library/docs/blob/master/nginx/content.md' },
      ],
      example: {
        bad: { 'compose.yaml': 'services:\n  web:\n    build: .\n    command: gunicorn app.wsgi\n    read_only: true\n', Dockerfile: 'FROM python:3.12-slim\nWORKDIR /app\nRUN pip install gunicorn\nCOPY . .\n' },
        good: { 'compose.yaml': 'services:\n  web:\n    build: .\n    command: gunicorn app.wsgi\n    read_only: true\n    tmpfs:\n      - /tmp\n', Dockerfile: 'FROM python:3.12-slim\nWORKDIR /app\nRUN pip install gunicorn\nCOPY . .\n' },
      },
    },
  },
  check({ model, report }) {
    for (const env of model.environments)
      for (const svc of env.services) {
        if (!svc.enabled || !svc.readOnly || !svc.start) continue;
        const stage = svc.runtime.stage;
        const image = stage?.image;
        if (!stage || !image || image.unknownBase) continue;
        const mounts = mountPoints(svc);
        if (!mounts) continue;
        const roLoc = keyLoc(svc, 'read_only') ?? svc.loc;
        const seen = new Set<string>();
        for (const w of startWrites({ model, env, svc, plan: svc.start, image, stage })) {
          let place: string;
          if (w.kind === 'collectstatic') {
            if (mounts.some((m) => m.writable && m.kind !== 'runtime')) continue;
            place = 'and no tmpfs or volume is mounted anywhere in the service';
          } else if (w.candidates) {
            if (w.candidates.some((p) => blocked(p, mounts) === undefined)) continue;
            place = `but none of ${w.candidates.join(', ')} is a tmpfs or volume`;
          } else {
            if (throughSymlink(image, w.path) || (w.need === 'create' && mountBelow(w.path, mounts))) continue;
            const b = blocked(w.path, mounts);
            if (b === undefined) continue;
            const dir = w.need === 'file' ? `${w.path} is` : w.need === 'create' ? `${w.path} would be created` : `${w.path} is`;
            place = b === 'rootfs' ? `and ${dir} on the read-only root filesystem (no tmpfs or volume covers it)` : `and ${dir} under ${b.target}, which is mounted read-only`;
          }
          const key = `${w.kind}:${w.candidates?.join(',') ?? w.path}`;
          if (seen.has(key)) continue;
          seen.add(key);
          report({
            message: `Service "${svc.name}" runs with read_only: true, ${w.actor} writes ${w.object}, ${place}: ${symptom(w, 'Read-only file system')}. Fix: ${remedy(w)}.`,
            location: roLoc,
            environment: env.name,
            service: svc.name,
            related: [{ location: w.loc, message: `${w.actor} starts here` }],
            key,
            ...(w.fatal ? {} : { severity: 'high' as const }),
            verify: [`docker compose ${composeFlags(env)} up -d ${svc.name} && docker compose ${composeFlags(env)} logs ${svc.name} | grep -i 'read-only file system\\|No usable temporary directory'   # no output`],
          });
        }
      }
  },
});
