import { posix } from 'node:path';
import type { Severity } from '../../core/severity.js';
import type { CommandSpec, EnvironmentModel, Mount, ProjectModel, ServiceModel } from '../../model/types.js';
import { defineRule } from '../define-rule.js';

/** Extensions of files a service reads at start: configuration, scripts, keys and certificates. */
const CONFIG_EXT = new Set([
  'conf', 'cnf', 'cfg', 'config', 'ini', 'yml', 'yaml', 'json', 'toml', 'xml', 'properties', 'env', 'lua',
  'sh', 'bash', 'py', 'js', 'mjs', 'cjs', 'rb', 'pl', 'php',
  'pem', 'crt', 'cert', 'key', 'p12', 'pfx', 'jks', 'htpasswd',
  'template', 'tmpl', 'tpl', 'j2',
]);
/** Other extensions that name a single file rather than a folder. */
const FILE_EXT = new Set(['txt', 'html', 'htm', 'css', 'sql', 'csv', 'db', 'sqlite', 'sqlite3', 'log', 'md', 'pub', 'lic', 'crontab']);
/** Extensionless names that are files by convention. */
const FILE_NAMES = new Set(['Caddyfile', 'crontab', 'htpasswd', '.htpasswd', '.env', '.npmrc', '.pgpass', '.pypirc', 'pg_hba.conf']);
/** Folders discovery never walks: a path under one of them is unknown, not missing. */
const UNWALKED = new Set(['.git', 'node_modules', '.venv', 'venv', '__pycache__', '.tox', '.nox', '.mypy_cache', '.pytest_cache', '.ruff_cache', 'site-packages', '.terraform', 'bower_components', '.next', '.cache']);

type FileKind = 'config' | 'file' | undefined;

function fileKind(path: string): FileKind {
  const name = posix.basename(path);
  if (FILE_NAMES.has(name)) return 'config';
  const m = /^[^.].*\.([A-Za-z][A-Za-z0-9]{0,9})$/.exec(name);
  if (!m) return undefined;
  const ext = m[1]!.toLowerCase();
  if (CONFIG_EXT.has(ext)) return 'config';
  if (FILE_EXT.has(ext)) return 'file';
  return undefined;
}

/** The argv words a service's process gets: compose command/entrypoint, else the image's. */
function startWords(svc: ServiceModel): { words: string[]; program?: string } {
  const specs: (CommandSpec | undefined)[] = [svc.entrypoint ?? svc.runtime.stage?.entrypoint, svc.command ?? svc.runtime.stage?.cmd];
  const words = specs.flatMap((s) => (!s ? [] : s.form === 'shell' ? s.text.split(/\s+/) : s.argv));
  const redis = words.find((w) => /^redis-(?:server|sentinel)$/.test(posix.basename(w)));
  const program = redis ?? words.find((w) => w && !w.startsWith('-') && !/^(?:\/bin\/)?(?:sh|bash|dash)$/.test(w) && w !== 'exec');
  return { words, program: program ? posix.basename(program) : undefined };
}

function passesPath(words: string[], target: string): boolean {
  return words.some((w) => {
    const bare = w.replace(/^(['"])(.*)\1$/, '$2');
    return bare === target || bare.endsWith(`=${target}`);
  });
}

/** true when a `${VAR}` with no value sits in this mount's text: variable-unset reports that. */
function hasUnsetVariable(env: EnvironmentModel, m: Mount): boolean {
  return env.interpolations.some(
    (u) => u.resolvedFrom === undefined && u.loc.file === m.loc.file && u.loc.startLine !== undefined && u.loc.startLine >= (m.loc.startLine ?? 0) && u.loc.startLine <= (m.loc.endLine ?? m.loc.startLine ?? 0),
  );
}

function insideRepo(hostPath: string): boolean {
  return !(hostPath.startsWith('~') || posix.isAbsolute(hostPath) || /^[A-Za-z]:[\\/]/.test(hostPath) || hostPath === '..' || hostPath.startsWith('../'));
}

function exists(model: ProjectModel, path: string): boolean {
  return path === '' || model.tree.files.has(path) || model.tree.dirs.has(path);
}

export default defineRule({
  meta: {
    id: 'compose/bind-source-missing',
    severity: 'high',
    title: 'Bind-mount source does not exist',
    fixable: 'unsafe',
    status: 'stable',
    docs: {
      summary: 'A service bind-mounts a file from the repository (`./redis/redis.conf:/usr/local/etc/redis/redis.conf`) that is not there, or a long-syntax bind with `create_host_path: false` names a missing path.',
      why: 'Compose does not fail when a bind source is missing: for the short syntax (and the long syntax unless `bind.create_host_path: false`) the daemon creates an empty *directory* at the source path ("for backward compatibility with docker-compose legacy") and mounts it. A config-file mount therefore becomes an empty directory inside the container: when the image already has a file at the target the container does not start ("Are you trying to mount a directory onto a file (or vice-versa)?"); otherwise the program finds a directory where it expects its file, so some programs stop at start while others run without the intended settings (`redis-server /path/redis.conf` reads nothing from a directory and starts with its defaults). A root-owned empty directory also appears on the host where the file should be. With `create_host_path: false` the container does not start: `invalid mount config for type "bind": bind source path does not exist`. Data-directory mounts (`./data:/var/lib/postgresql/data`) are not reported: creating the directory is what they rely on.',
      fix: 'Commit the file (or an example plus a deploy step that creates it), correct the path, or drop the mount. If a previous `up` already created an empty directory in its place on the server, remove that directory before deploying the file.',
      fixSafety: 'Only for a folder-like source that a long-syntax bind with `create_host_path: false` requires: `drydock fix --unsafe` creates it as an empty directory (what Compose itself would do without that option). It is unsafe because the mount was probably meant to bring existing data; a missing file is never created, since drydock cannot know its contents.',
      verify: 'docker compose -f <files> up -d && docker compose exec <service> ls -l <target>   # a file, not a directory',
      references: [
        { title: 'Compose services: volumes (short syntax creates missing host paths; create_host_path)', url: 'https://docs.docker.com/reference/compose-file/services/#volumes' },
        { title: 'docker/compose create.go: bindRequiresMountAPI / legacy Binds create the host path', url: 'https://github.com/docker/compose/blob/main/pkg/compose/create.go' },
        { title: 'Docker bind mounts: differences between -v and --mount (missing source)', url: 'https://docs.docker.com/engine/storage/bind-mounts/#differences-between--v-and---mount-behavior' },
        { title: 'redis loadServerConfig (fopen + fgets: a directory yields no settings)', url: 'https://github.com/redis/redis/blob/unstable/src/config.c' },
      ],
    },
  },
  check({ model, report }) {
    for (const env of model.environments)
      for (const svc of env.services) {
        if (!svc.enabled) continue;
        for (const m of svc.mounts) {
          if (m.type !== 'bind' || m.hostPath === undefined || !insideRepo(m.hostPath)) continue;
          if (exists(model, m.hostPath) || m.hostPath.split('/').some((seg) => UNWALKED.has(seg)) || hasUnsetVariable(env, m)) continue;
          const written = m.source ?? m.hostPath;
          const base = { environment: env.name, service: svc.name, location: m.loc, key: `${m.hostPath}:${m.target}` };
          const verify = [`test -e ${m.hostPath} && docker compose ${env.composeFiles.map((f) => `-f ${f}`).join(' ')} exec ${svc.name} ls -ld ${m.target}`];
          if (m.createHostPath === false) {
            report({
              ...base,
              severity: 'critical',
              message: `bind source "${written}" of service "${svc.name}" does not exist (${m.hostPath}) and \`create_host_path: false\` is set: the container does not start ("bind source path does not exist").`,
              verify,
              // a folder-like source can be created empty; a file's contents are never invented
              ...(fileKind(m.target) || fileKind(m.hostPath)
                ? {}
                : { fix: { description: `create the empty directory ${m.hostPath}`, safety: 'unsafe' as const, edits: [], createDirectories: [m.hostPath] } }),
            });
            continue;
          }
          const kind = fileKind(m.target) ?? fileKind(m.hostPath);
          const start = startWords(svc);
          const passed = passesPath(start.words, m.target);
          // a folder mount (no file extension) is what Docker's directory creation is for
          if (!kind) continue;
          const created = `Docker creates an empty directory at ${m.hostPath} on the host and mounts it, so ${m.target} is a directory inside the container`;
          let consequence: string;
          if (passed && /^redis-(?:server|sentinel)$/.test(start.program ?? ''))
            consequence = `; \`${start.program}\` is given ${m.target} as its config file, reads no settings from a directory and starts with its defaults: none of the intended configuration (password, persistence, limits) applies, and nothing reports it`;
          else if (passed) consequence = `; the start command passes ${m.target} to \`${start.program ?? 'the process'}\` as a file, which then gets a directory instead (it fails, or runs without that file)`;
          else consequence = ` (if the image already has a file there, the container does not start: "Are you trying to mount a directory onto a file (or vice-versa)?")`;
          const severity: Severity = kind === 'config' || passed ? 'critical' : 'high';
          report({
            ...base,
            severity,
            message: `bind source "${written}" of service "${svc.name}" does not exist: ${created}${consequence}.`,
            verify,
          });
        }
      }
  },
});
