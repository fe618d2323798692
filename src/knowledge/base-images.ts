/**
 * What common base images contain: shell, tools on PATH, users, default USER, a few directory
 * modes. Data only, one row per image family, each with its source (`owner/repo:path [snapshot]`)
 * and confidence (V: read in the file that makes it so; S: secondary). Taken from shared
 * KNOWLEDGE.md §1.1-1.4 unless the row says otherwise. A fact we do not have is left out
 * (undefined), never guessed: rules must treat undefined as "cannot tell" and stay silent.
 */
import type { ImageName } from '../model/types.js';
import { officialImageName } from './image-healthchecks.js';

export type Confidence = 'V' | 'S';

export interface BaseUser {
  name: string;
  uid: number;
  gid: number;
  home?: string;
  shell?: string;
}

export interface BaseDir {
  path: string;
  mode?: number;
  owner?: string;
}

export interface BaseImageFacts {
  /** family id, e.g. `python-slim` */
  id: string;
  /** what the row describes, e.g. `python:<v>-slim (bookworm/trixie)` */
  description: string;
  os?: 'debian' | 'ubuntu' | 'alpine' | 'distroless' | 'wolfi';
  /** package manager in the image; 'none' when the image has none */
  packageManager?: 'apt' | 'apk' | 'none';
  /** /bin/sh (or the image's shell) exists */
  shell?: boolean;
  /** where the shell is when it is not /bin/sh (distroless debug: /busybox/sh) */
  shellPath?: string;
  /** executables known to be on PATH */
  present: string[];
  /** of those, busybox applets (symlinks to busybox) */
  busybox?: string[];
  /** executables known NOT to be on PATH */
  absent: string[];
  /** true when the image holds no program beyond `present` (distroless, scratch) */
  closed?: boolean;
  /** known absolute locations of some tools */
  toolPaths?: Record<string, string>;
  /** default USER; undefined when unknown */
  defaultUser?: string;
  /** accounts besides root that are known to exist (root is always added) */
  users?: BaseUser[];
  /** true when no other account with uid >= 1000 exists, so `useradd` picks the first free one >= 1000 */
  regularUidsKnown?: boolean;
  /** the OS's own system accounts (uid < 1000 and nobody), when known */
  systemUsers?: BaseUser[];
  /** true when `users` + `systemUsers` + root are every account in /etc/passwd */
  usersComplete?: boolean;
  /** directories with known mode/owner */
  dirs?: BaseDir[];
  /** the complete list of top-level directories, when known; any other `/<name>` does not exist */
  topLevel?: string[];
  /** directories known to be empty in the image */
  emptyDirs?: string[];
  /** directories the image's ENV PATH adds to the default PATH, in order (prepend / append) */
  pathPrepend?: string[];
  pathAppend?: string[];
  /** the image's WORKDIR when it sets one */
  workdir?: string;
  /** the Python the image ships as `python3`/`pip` and its install prefix (scripts in `<prefix>/bin`) */
  python?: { prefix: string; externallyManaged: boolean };
  source: string;
  confidence: Confidence;
}

// ---------------------------------------------------------------- shared pieces

const ROOT: BaseUser = { name: 'root', uid: 0, gid: 0, home: '/root' };

/**
 * Top-level directories of a Debian bookworm rootfs: base-files ships bin boot dev etc home lib
 * proc root run sbin sys tmp usr var and its postinst creates mnt srv opt media; lib64 comes
 * with libc6 on 64-bit x86 (merged /usr: bin, lib, sbin, lib64 are symlinks into /usr).
 */
const DEBIAN_TOP = ['bin', 'boot', 'dev', 'etc', 'home', 'lib', 'lib64', 'media', 'mnt', 'opt', 'proc', 'root', 'run', 'sbin', 'srv', 'sys', 'tmp', 'usr', 'var'];
const DEBIAN_TOP_SOURCE = 'Debian bookworm base-files 12.4+deb12u15 (`dpkg -c`: ./tmp/ drwxrwxrwt, ./root/ drwx------; postinst `install_directory mnt|srv|opt|media 755 root`)';
const DEBIAN_DIRS: BaseDir[] = [
  { path: '/tmp', mode: 0o1777, owner: 'root' },
  { path: '/var/tmp', mode: 0o1777, owner: 'root' },
  { path: '/root', mode: 0o700, owner: 'root' },
  { path: '/home', mode: 0o755, owner: 'root' },
  { path: '/usr/local/bin', owner: 'root' },
];
const DEBIAN_EMPTY = ['/home', '/opt', '/srv', '/mnt', '/media'];

/** Debian base-passwd 3.6.1 /usr/share/base-passwd/passwd.master (bookworm), plus nothing else in minbase. */
const DEBIAN_SYSTEM_USERS: BaseUser[] = (
  [
    ['daemon', 1, 1, '/usr/sbin'], ['bin', 2, 2, '/bin'], ['sys', 3, 3, '/dev'], ['sync', 4, 65534, '/bin'], ['games', 5, 60, '/usr/games'],
    ['man', 6, 12, '/var/cache/man'], ['lp', 7, 7, '/var/spool/lpd'], ['mail', 8, 8, '/var/mail'], ['news', 9, 9, '/var/spool/news'],
    ['uucp', 10, 10, '/var/spool/uucp'], ['proxy', 13, 13, '/bin'], ['www-data', 33, 33, '/var/www'], ['backup', 34, 34, '/var/backups'],
    ['list', 38, 38, '/var/list'], ['irc', 39, 39, '/run/ircd'], ['_apt', 42, 65534, '/nonexistent'], ['nobody', 65534, 65534, '/nonexistent'],
  ] as const
).map(([name, uid, gid, home]) => ({ name, uid, gid, home }));
const DEBIAN_USERS_SOURCE = 'Debian bookworm base-passwd 3.6.1 passwd.master';

const BB_APPLETS = ['sh', 'wget', 'nc', 'ps'];

const DISTROLESS_USERS: BaseUser[] = [
  { name: 'nonroot', uid: 65532, gid: 65532, home: '/home/nonroot' },
  { name: 'nobody', uid: 65534, gid: 65534 },
];
const DISTROLESS_SRC = 'GoogleContainerTools/distroless:common/variables.bzl, common/BUILD.bazel (tmp mode=1777), static/static.bzl, README.md [cd08076, 2026-08-21]';

// ---------------------------------------------------------------- the table

export const BASE_IMAGES: Record<string, BaseImageFacts> = {
  debian: {
    id: 'debian', description: 'debian:bookworm / trixie', os: 'debian', packageManager: 'apt',
    shell: true, present: ['sh', 'bash', 'apt-get', 'useradd', 'groupadd', 'adduser', 'addgroup', 'perl', 'hostname'],
    absent: ['curl', 'wget', 'nc', 'netcat', 'ps', 'python3', 'python', 'pip', 'pip3', 'node', 'npm', 'git', 'pg_isready', 'psql', 'redis-cli', 'gosu', 'tini', 'su-exec'],
    systemUsers: DEBIAN_SYSTEM_USERS, usersComplete: true, defaultUser: 'root', users: [], regularUidsKnown: true, dirs: DEBIAN_DIRS, topLevel: DEBIAN_TOP, emptyDirs: DEBIAN_EMPTY,
    source: `debuerreotype/docker-debian-artifacts:bookworm/rootfs.manifest; ${DEBIAN_TOP_SOURCE}; ${DEBIAN_USERS_SOURCE}; uid 1000 free: nodejs/docker-node:22/bookworm-slim/Dockerfile (useradd --uid 1000)`,
    confidence: 'V',
  },
  'debian-slim': {
    id: 'debian-slim', description: 'debian:bookworm-slim / trixie-slim', os: 'debian', packageManager: 'apt',
    shell: true, present: ['sh', 'bash', 'apt-get', 'useradd', 'groupadd', 'adduser', 'addgroup', 'perl', 'hostname'],
    absent: ['curl', 'wget', 'nc', 'netcat', 'ps', 'python3', 'python', 'pip', 'pip3', 'node', 'npm', 'git', 'pg_isready', 'psql', 'redis-cli', 'gosu', 'tini', 'su-exec'],
    systemUsers: DEBIAN_SYSTEM_USERS, usersComplete: true, defaultUser: 'root', users: [], regularUidsKnown: true, dirs: DEBIAN_DIRS, topLevel: DEBIAN_TOP, emptyDirs: DEBIAN_EMPTY,
    source: `debuerreotype/docker-debian-artifacts:bookworm/slim/rootfs.manifest; ${DEBIAN_TOP_SOURCE}; ${DEBIAN_USERS_SOURCE}`,
    confidence: 'V',
  },
  ubuntu: {
    id: 'ubuntu', description: 'ubuntu:24.04 (noble)', os: 'ubuntu', packageManager: 'apt',
    shell: true, present: ['sh', 'bash', 'apt-get'], absent: ['curl', 'wget'],
    defaultUser: 'root', users: [{ name: 'ubuntu', uid: 1000, gid: 1000, home: '/home/ubuntu', shell: '/bin/bash' }], regularUidsKnown: true,
    source: 'user reports: shapedthought/owlctl#2 (no wget), openwpm/OpenWPM#171, StackStorm/st2docs#1067 (no curl); jupyterhub/repo2docker#1346 (passwd listing with ubuntu:1000), kubeflow/kubeflow#7728',
    confidence: 'S',
  },
  alpine: {
    id: 'alpine', description: 'alpine:3.x', os: 'alpine', packageManager: 'apk',
    shell: true, present: ['sh', 'wget', 'nc', 'ps', 'apk', 'adduser', 'addgroup'], busybox: [...BB_APPLETS, 'adduser', 'addgroup'],
    absent: ['bash', 'curl', 'python3', 'node', 'npm', 'useradd', 'groupadd'],
    defaultUser: 'root', users: [],
    source: 'alpinelinux/aports:main/busybox/busyboxconfig (busybox 1.29.2: CONFIG_SH_IS_ASH, CONFIG_BASH_IS_NONE, CONFIG_WGET, CONFIG_FEATURE_WGET_HTTPS, CONFIG_NC, CONFIG_PS); no bash/curl inferred from official images adding them (S)',
    confidence: 'V',
  },
  python: {
    id: 'python', description: 'python:<v> (full, bookworm/trixie, on buildpack-deps)', os: 'debian', packageManager: 'apt',
    shell: true, present: ['sh', 'bash', 'curl', 'wget', 'ps', 'python3', 'python', 'pip', 'pip3', 'git', 'apt-get', 'useradd', 'groupadd', 'adduser', 'gcc', 'make'],
    absent: [], toolPaths: { python3: '/usr/local/bin/python3', pip: '/usr/local/bin/pip' },
    systemUsers: DEBIAN_SYSTEM_USERS, defaultUser: 'root', users: [], regularUidsKnown: true, dirs: DEBIAN_DIRS, pathPrepend: ['/usr/local/bin'],
    python: { prefix: '/usr/local', externallyManaged: false },
    source: 'docker-library/python:3.12/bookworm/Dockerfile (FROM buildpack-deps:bookworm, ENV PATH /usr/local/bin:$PATH) [4f07059, 2026-06-23]; docker-library/buildpack-deps:debian/bookworm/{curl,scm,}/Dockerfile',
    confidence: 'V',
  },
  'python-slim': {
    id: 'python-slim', description: 'python:<v>-slim (bookworm/trixie)', os: 'debian', packageManager: 'apt',
    shell: true, present: ['sh', 'bash', 'python3', 'python', 'pip', 'pip3', 'apt-get', 'useradd', 'groupadd', 'adduser'],
    absent: ['curl', 'wget', 'nc', 'netcat', 'ps', 'gcc', 'make', 'git', 'node', 'npm', 'pg_isready', 'psql', 'redis-cli', 'gosu', 'tini'],
    toolPaths: { python3: '/usr/local/bin/python3', pip: '/usr/local/bin/pip' },
    systemUsers: DEBIAN_SYSTEM_USERS, usersComplete: true, defaultUser: 'root', users: [], regularUidsKnown: true, dirs: DEBIAN_DIRS, topLevel: DEBIAN_TOP, emptyDirs: DEBIAN_EMPTY,
    pathPrepend: ['/usr/local/bin'], python: { prefix: '/usr/local', externallyManaged: false },
    source: `docker-library/python:3.12/slim-bookworm/Dockerfile, 3.12/slim-trixie/Dockerfile (wget and build deps purged by apt-mark auto + apt-get purge --auto-remove; no new top-level directory) [4f07059, 2026-06-23]; ${DEBIAN_TOP_SOURCE}`,
    confidence: 'V',
  },
  'python-alpine': {
    id: 'python-alpine', description: 'python:<v>-alpine', os: 'alpine', packageManager: 'apk',
    shell: true, present: ['sh', 'wget', 'nc', 'ps', 'python3', 'python', 'pip', 'pip3', 'apk', 'adduser', 'addgroup'], busybox: [...BB_APPLETS, 'adduser', 'addgroup'],
    absent: ['bash', 'curl', 'node', 'npm', 'useradd', 'groupadd'],
    toolPaths: { python3: '/usr/local/bin/python3', pip: '/usr/local/bin/pip' },
    defaultUser: 'root', users: [], pathPrepend: ['/usr/local/bin'], python: { prefix: '/usr/local', externallyManaged: false },
    source: 'docker-library/python:3.12/alpine3.23/Dockerfile (busybox wget https, apk del --no-network .build-deps) [4f07059, 2026-06-23]',
    confidence: 'V',
  },
  node: {
    id: 'node', description: 'node:<v> (full, bookworm; node:26 trixie)', os: 'debian', packageManager: 'apt',
    shell: true, present: ['sh', 'bash', 'curl', 'wget', 'ps', 'python3', 'node', 'npm', 'npx', 'git', 'apt-get', 'useradd', 'groupadd', 'gcc', 'make'],
    absent: [], toolPaths: { node: '/usr/local/bin/node', npm: '/usr/local/bin/npm' },
    systemUsers: DEBIAN_SYSTEM_USERS, defaultUser: 'root', users: [{ name: 'node', uid: 1000, gid: 1000, home: '/home/node', shell: '/bin/bash' }], regularUidsKnown: true, dirs: [...DEBIAN_DIRS, { path: '/home/node', owner: 'node' }],
    source: 'nodejs/docker-node:22/bookworm/Dockerfile (FROM buildpack-deps:bookworm; groupadd --gid 1000 node, useradd --uid 1000 --create-home) [f27d936, 2026-08-19]',
    confidence: 'V',
  },
  'node-slim': {
    id: 'node-slim', description: 'node:<v>-slim (bookworm/trixie)', os: 'debian', packageManager: 'apt',
    shell: true, present: ['sh', 'bash', 'node', 'npm', 'npx', 'apt-get', 'useradd', 'groupadd', 'adduser'],
    absent: ['curl', 'wget', 'nc', 'netcat', 'ps', 'python3', 'python', 'pip', 'git', 'gcc', 'make', 'pg_isready', 'psql', 'redis-cli', 'gosu', 'tini'],
    toolPaths: { node: '/usr/local/bin/node', npm: '/usr/local/bin/npm' },
    systemUsers: DEBIAN_SYSTEM_USERS, usersComplete: true, defaultUser: 'root', users: [{ name: 'node', uid: 1000, gid: 1000, home: '/home/node', shell: '/bin/bash' }], regularUidsKnown: true,
    dirs: [...DEBIAN_DIRS, { path: '/home/node', owner: 'node' }], topLevel: DEBIAN_TOP, emptyDirs: ['/srv', '/mnt', '/media'],
    source: `nodejs/docker-node:22/bookworm-slim/Dockerfile (curl wget ... purged by apt-mark auto + apt-get purge --auto-remove; node in /usr/local, yarn in /opt) [f27d936, 2026-08-19]; ${DEBIAN_TOP_SOURCE}`,
    confidence: 'V',
  },
  'node-alpine': {
    id: 'node-alpine', description: 'node:<v>-alpine', os: 'alpine', packageManager: 'apk',
    shell: true, present: ['sh', 'wget', 'nc', 'ps', 'node', 'npm', 'npx', 'apk', 'adduser', 'addgroup'], busybox: [...BB_APPLETS, 'adduser', 'addgroup'],
    absent: ['bash', 'curl', 'python3', 'useradd', 'groupadd'],
    toolPaths: { node: '/usr/local/bin/node' },
    defaultUser: 'root', users: [{ name: 'node', uid: 1000, gid: 1000, home: '/home/node', shell: '/bin/sh' }],
    source: 'nodejs/docker-node:22/alpine3.23/Dockerfile (curl in .build-deps then apk del; python3 only in .build-deps-full) [f27d936, 2026-08-19]',
    confidence: 'V',
  },
  postgres: {
    id: 'postgres', description: 'postgres:<v> (debian)', os: 'debian', packageManager: 'apt',
    shell: true, present: ['sh', 'bash', 'pg_isready', 'psql', 'pg_dump', 'gosu', 'apt-get'], absent: ['curl', 'wget'],
    systemUsers: DEBIAN_SYSTEM_USERS, defaultUser: 'root', users: [{ name: 'postgres', uid: 999, gid: 999, home: '/var/lib/postgresql', shell: '/bin/bash' }],
    dirs: [{ path: '/tmp', mode: 0o1777, owner: 'root' }, { path: '/root', mode: 0o700, owner: 'root' }],
    source: 'docker-library/postgres:17/bookworm/Dockerfile, 18/trixie/Dockerfile (ENV PATH $PATH:/usr/lib/postgresql/$PG_MAJOR/bin; wget only to fetch gosu, then purged) [6edb0a8, 2026-02-26]',
    confidence: 'V',
  },
  'postgres-alpine': {
    id: 'postgres-alpine', description: 'postgres:<v>-alpine', os: 'alpine', packageManager: 'apk',
    shell: true, present: ['sh', 'bash', 'wget', 'nc', 'ps', 'pg_isready', 'psql', 'pg_dump', 'gosu', 'apk'], busybox: BB_APPLETS,
    absent: ['curl', 'python3'],
    toolPaths: { pg_isready: '/usr/local/bin/pg_isready', psql: '/usr/local/bin/psql' },
    defaultUser: 'root', users: [{ name: 'postgres', uid: 70, gid: 70, shell: '/bin/sh' }],
    dirs: [{ path: '/var/run/postgresql', mode: 0o3777 }],
    source: 'docker-library/postgres:17/alpine3.23/Dockerfile (.postgresql-rundeps includes bash; --prefix=/usr/local) [6edb0a8, 2026-02-26]',
    confidence: 'V',
  },
  redis: {
    id: 'redis', description: 'redis:<v> (debian; 7.x and 8.x)', os: 'debian', packageManager: 'apt',
    shell: true, present: ['sh', 'bash', 'redis-cli', 'redis-server', 'apt-get'], absent: ['curl', 'wget', 'python3'],
    systemUsers: DEBIAN_SYSTEM_USERS, defaultUser: 'root', users: [{ name: 'redis', uid: 999, gid: 999 }], workdir: '/data',
    dirs: [{ path: '/data', owner: 'redis' }],
    source: 'docker-library/redis:7.2/debian/Dockerfile [e920499, 2024-06-28]; redis/docker-library-redis:debian/Dockerfile (Redis 8.x)',
    confidence: 'V',
  },
  'redis-alpine': {
    id: 'redis-alpine', description: 'redis:<v>-alpine (7.x and 8.x)', os: 'alpine', packageManager: 'apk',
    shell: true, present: ['sh', 'wget', 'nc', 'ps', 'redis-cli', 'redis-server', 'apk'], busybox: BB_APPLETS,
    absent: ['bash', 'curl', 'python3'],
    defaultUser: 'root', users: [{ name: 'redis', uid: 999, gid: 1000 }], workdir: '/data',
    dirs: [{ path: '/data', owner: 'redis' }],
    source: 'docker-library/redis:7.2/alpine/Dockerfile [e920499, 2024-06-28] ("alpine already has a gid 999"); redis/docker-library-redis:alpine/Dockerfile',
    confidence: 'V',
  },
  nginx: {
    id: 'nginx', description: 'nginx:<v> (debian bookworm-slim)', os: 'debian', packageManager: 'apt',
    shell: true, present: ['sh', 'bash', 'curl', 'nginx', 'envsubst', 'apt-get'], absent: ['wget', 'python3'],
    systemUsers: DEBIAN_SYSTEM_USERS, defaultUser: 'root', users: [{ name: 'nginx', uid: 101, gid: 101, home: '/nonexistent', shell: '/bin/false' }],
    source: 'nginxinc/docker-nginx:mainline/debian/Dockerfile (apt-get install ... gettext-base curl) [b430bec, 2025-02-14]',
    confidence: 'V',
  },
  'nginx-alpine': {
    id: 'nginx-alpine', description: 'nginx:<v>-alpine', os: 'alpine', packageManager: 'apk',
    shell: true, present: ['sh', 'curl', 'wget', 'nc', 'ps', 'nginx', 'envsubst', 'apk'], busybox: BB_APPLETS,
    absent: ['bash', 'python3'],
    defaultUser: 'root', users: [{ name: 'nginx', uid: 101, gid: 101, home: '/var/cache/nginx', shell: '/sbin/nologin' }],
    source: 'nginxinc/docker-nginx:mainline/alpine/Dockerfile ("Bring in curl and ca-certificates"), mainline/alpine-slim/Dockerfile [b430bec, 2025-02-14]',
    confidence: 'V',
  },
  'nginx-alpine-slim': {
    id: 'nginx-alpine-slim', description: 'nginx:<v>-alpine-slim', os: 'alpine', packageManager: 'apk',
    shell: true, present: ['sh', 'wget', 'nc', 'ps', 'nginx', 'envsubst', 'apk'], busybox: BB_APPLETS,
    absent: ['bash', 'curl', 'python3'],
    defaultUser: 'root', users: [{ name: 'nginx', uid: 101, gid: 101, home: '/var/cache/nginx', shell: '/sbin/nologin' }],
    source: 'nginxinc/docker-nginx:mainline/alpine-slim/Dockerfile [b430bec, 2025-02-14]',
    confidence: 'V',
  },
  'buildpack-deps': {
    id: 'buildpack-deps', description: 'buildpack-deps:bookworm (full)', os: 'debian', packageManager: 'apt',
    shell: true, present: ['sh', 'bash', 'curl', 'wget', 'ps', 'python3', 'git', 'hg', 'ssh', 'svn', 'gcc', 'g++', 'make', 'unzip', 'apt-get', 'useradd', 'groupadd'],
    absent: [], toolPaths: { python3: '/usr/bin/python3' },
    systemUsers: DEBIAN_SYSTEM_USERS, defaultUser: 'root', users: [], regularUidsKnown: true, dirs: DEBIAN_DIRS,
    python: { prefix: '/usr/local', externallyManaged: true },
    source: 'docker-library/buildpack-deps:debian/bookworm/curl/Dockerfile (ca-certificates curl gnupg netbase sq wget), .../scm/Dockerfile (git git-lfs mercurial openssh-client subversion procps), .../Dockerfile; python3 via mercurial Depends',
    confidence: 'V',
  },
  distroless: {
    id: 'distroless', description: 'gcr.io/distroless/{static,base,base-nossl,cc}-debianNN', os: 'distroless', packageManager: 'none',
    shell: false, present: [], absent: ['sh', 'bash', 'curl', 'wget', 'nc', 'ps', 'python3', 'node', 'npm'], closed: true,
    defaultUser: '0', users: DISTROLESS_USERS, usersComplete: true, dirs: [{ path: '/tmp', mode: 0o1777, owner: 'root' }, { path: '/home/nonroot', owner: 'nonroot' }],
    source: DISTROLESS_SRC, confidence: 'V',
  },
  'distroless-python3': {
    id: 'distroless-python3', description: 'gcr.io/distroless/python3-debianNN', os: 'distroless', packageManager: 'none',
    shell: false, present: ['python3', 'python', 'python3.13'], absent: ['sh', 'bash', 'curl', 'wget', 'nc', 'ps', 'pip', 'pip3', 'node', 'npm'], closed: true,
    toolPaths: { python3: '/usr/bin/python3' },
    defaultUser: '0', users: DISTROLESS_USERS, usersComplete: true, dirs: [{ path: '/tmp', mode: 0o1777, owner: 'root' }, { path: '/home/nonroot', owner: 'nonroot' }],
    source: `GoogleContainerTools/distroless:python3/python.bzl, python3/config.bzl, python3/testdata/python3.yaml (no_shell); ${DISTROLESS_SRC}`,
    confidence: 'V',
  },
  'distroless-nodejs': {
    id: 'distroless-nodejs', description: 'gcr.io/distroless/nodejsNN-debianNN', os: 'distroless', packageManager: 'none',
    shell: false, present: [], absent: ['sh', 'bash', 'curl', 'wget', 'nc', 'ps', 'python3', 'npm', 'npx', 'corepack', 'node'], closed: true,
    toolPaths: { node: '/nodejs/bin/node' },
    defaultUser: '0', users: DISTROLESS_USERS, usersComplete: true, dirs: [{ path: '/tmp', mode: 0o1777, owner: 'root' }, { path: '/home/nonroot', owner: 'nonroot' }],
    source: `GoogleContainerTools/distroless:nodejs/nodejs.bzl (entrypoint /nodejs/bin/node), nodejs/testdata/check_npm.yaml; ${DISTROLESS_SRC}`,
    confidence: 'V',
  },
  'distroless-debug': {
    id: 'distroless-debug', description: 'gcr.io/distroless/*:debug, :debug-nonroot', os: 'distroless', packageManager: 'none',
    shell: true, shellPath: '/busybox/sh', present: ['sh', 'wget', 'nc', 'ps'], busybox: BB_APPLETS, absent: ['bash', 'curl'],
    defaultUser: '0', users: DISTROLESS_USERS, usersComplete: true, dirs: [{ path: '/tmp', mode: 0o1777, owner: 'root' }, { path: '/home/nonroot', owner: 'nonroot' }],
    pathAppend: ['/busybox'],
    source: `GoogleContainerTools/distroless:static/static.bzl (static_debug_*: entrypoint /busybox/sh, PATH=$PATH:/busybox); ${DISTROLESS_SRC}`,
    confidence: 'V',
  },
  chainguard: {
    id: 'chainguard', description: 'cgr.dev/chainguard/<x>:latest', os: 'wolfi', packageManager: 'none',
    shell: false, present: [], absent: ['sh', 'bash'],
    defaultUser: '65532', users: [{ name: 'nonroot', uid: 65532, gid: 65532 }],
    source: 'Chainguard docs edu.chainguard.dev "Tips for migrating" (stat /bin/sh: no such file or directory), "How to port a sample application"; defenseunicorns/zarf:Dockerfile (uid 65532)',
    confidence: 'S',
  },
  'chainguard-dev': {
    id: 'chainguard-dev', description: 'cgr.dev/chainguard/<x>:latest-dev', os: 'wolfi', packageManager: 'apk',
    shell: true, present: ['sh', 'apk'], absent: [],
    defaultUser: '65532', users: [{ name: 'nonroot', uid: 65532, gid: 65532 }],
    source: 'Chainguard docs edu.chainguard.dev ("The -dev variants ... use BusyBox by default")',
    confidence: 'S',
  },
};

/** A stage built FROM scratch: an empty filesystem (Dockerfile reference, "FROM scratch"). */
export const SCRATCH: BaseImageFacts = {
  id: 'scratch', description: 'scratch (empty image)', shell: false, present: [], absent: ['sh'], closed: true, packageManager: 'none',
  users: [], usersComplete: true, topLevel: [], dirs: [],
  source: 'Dockerfile reference, "Creating a base image": scratch is an explicitly empty image', confidence: 'V',
};

// ---------------------------------------------------------------- tag resolution

/**
 * The family of a base image, or undefined when we have no facts for it (unknown registry or
 * repository, a digest without a tag, Debian suites older than bookworm, Windows tags, ...).
 */
export function matchBaseImage(image: ImageName): BaseImageFacts | undefined {
  const repo = image.repository.trim().toLowerCase();
  if (repo === 'scratch') return SCRATCH;
  // a digest pins an image whose variant the digest does not tell us
  if (image.tag === undefined && image.digest !== undefined) return undefined;
  const tag = (image.tag ?? 'latest').toLowerCase();

  const distroless = /^gcr\.io\/distroless\/([a-z0-9.-]+)$/.exec(repo);
  if (distroless) return matchDistroless(distroless[1]!, tag);
  const chainguard = /^cgr\.dev\/chainguard\/[a-z0-9._-]+$/.exec(repo);
  if (chainguard) return tag.endsWith('-dev') || tag === 'dev' ? BASE_IMAGES['chainguard-dev'] : BASE_IMAGES.chainguard;

  const name = officialImageName(repo);
  if (name === undefined) return undefined;
  if (/windowsservercore|nanoserver/.test(tag)) return undefined;
  // only the suites the facts were read for; bullseye/buster and older are unknown
  if (/(^|-)(bullseye|buster|stretch|jessie|focal|jammy)(-|$)/.test(tag)) return undefined;
  switch (name) {
    case 'python':
      if (tag.includes('alpine')) return BASE_IMAGES['python-alpine'];
      if (tag.includes('slim')) return BASE_IMAGES['python-slim'];
      return BASE_IMAGES.python;
    case 'node':
      if (tag.includes('alpine')) return BASE_IMAGES['node-alpine'];
      if (tag.includes('slim')) return BASE_IMAGES['node-slim'];
      return BASE_IMAGES.node;
    case 'debian':
      if (!/^(latest|stable|stable-slim|bookworm|trixie|12|13)([.-]|$)/.test(tag)) return undefined;
      return tag.includes('slim') ? BASE_IMAGES['debian-slim'] : BASE_IMAGES.debian;
    case 'ubuntu':
      return /^(24\.04|noble)([.-]|$)/.test(tag) ? BASE_IMAGES.ubuntu : undefined;
    case 'alpine':
      return /^(latest|3(\.\d+)*)([._-]|$)/.test(tag) ? BASE_IMAGES.alpine : undefined;
    case 'postgres':
      return tag.includes('alpine') ? BASE_IMAGES['postgres-alpine'] : BASE_IMAGES.postgres;
    case 'redis': {
      const major = /^(\d+)/.exec(tag)?.[1];
      if (major !== undefined && Number(major) < 7) return undefined;
      return tag.includes('alpine') ? BASE_IMAGES['redis-alpine'] : BASE_IMAGES.redis;
    }
    case 'nginx':
      if (tag.includes('perl') || tag.includes('otel')) return undefined;
      if (tag.includes('alpine-slim')) return BASE_IMAGES['nginx-alpine-slim'];
      if (tag.includes('alpine')) return BASE_IMAGES['nginx-alpine'];
      return BASE_IMAGES.nginx;
    case 'buildpack-deps':
      return /^(latest|bookworm)$/.test(tag) ? BASE_IMAGES['buildpack-deps'] : undefined;
    default:
      return undefined;
  }
}

function matchDistroless(name: string, tag: string): BaseImageFacts | undefined {
  const debug = tag.startsWith('debug');
  const nonroot = tag.includes('nonroot');
  let facts: BaseImageFacts | undefined;
  if (debug) facts = BASE_IMAGES['distroless-debug'];
  else if (/^(static|base|base-nossl|cc)(-debian\d+)?$/.test(name)) facts = BASE_IMAGES.distroless;
  else if (/^python3(-debian\d+)?$/.test(name)) facts = BASE_IMAGES['distroless-python3'];
  else if (/^nodejs\d*(-debian\d+)?$/.test(name)) facts = BASE_IMAGES['distroless-nodejs'];
  if (!facts) return undefined;
  // `:nonroot` runs as uid 65532 with WORKDIR /home/nonroot (distroless:static/static.bzl)
  return nonroot ? { ...facts, id: `${facts.id}-nonroot`, defaultUser: '65532', workdir: '/home/nonroot' } : facts;
}

// ---------------------------------------------------------------- queries

/** true/false when the facts say, undefined when they do not. Name is a bare command name. */
export function baseHasTool(facts: BaseImageFacts, name: string): boolean | undefined {
  if (facts.present.includes(name)) return true;
  if (facts.absent.includes(name)) return false;
  return facts.closed ? false : undefined;
}

/** The default PATH of the image: the Docker default with the image's ENV PATH additions. */
export const DEFAULT_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

export function basePath(facts: BaseImageFacts | undefined): string[] {
  const dirs = [...(facts?.pathPrepend ?? []), ...DEFAULT_PATH, ...(facts?.pathAppend ?? [])];
  return [...new Set(dirs)];
}
