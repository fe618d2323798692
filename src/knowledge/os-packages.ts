/**
 * Which executables an OS package puts on PATH, per package manager. Debian rows were read from
 * the bookworm packages themselves (`dpkg -c` on the .deb, and the postinst for alternatives);
 * Alpine and RPM rows are secondary (package names as official images and user reports use
 * them). A package not listed here installs executables we do not know.
 */
import type { Confidence } from './base-images.js';

export type PackageManager = 'apt' | 'apk' | 'rpm';

export interface PackageTools {
  /** executable name → absolute path */
  tools: Record<string, string>;
  source: string;
  confidence: Confidence;
}

const DEB = (ver: string, extra = ''): string => `Debian bookworm ${ver} (dpkg -c${extra})`;

const PG_CLIENT_TOOLS = {
  psql: '/usr/bin/psql', pg_isready: '/usr/bin/pg_isready', pg_dump: '/usr/bin/pg_dump', pg_dumpall: '/usr/bin/pg_dumpall',
  pg_restore: '/usr/bin/pg_restore', createdb: '/usr/bin/createdb', dropdb: '/usr/bin/dropdb',
};
const PG_CLIENT: PackageTools = {
  tools: PG_CLIENT_TOOLS,
  source: DEB('postgresql-client-common 248+deb12u2', ': pg_wrapper symlinks; postgresql-client → postgresql-client-15 → postgresql-client-common'),
  confidence: 'V',
};
const NETCAT_OPENBSD: PackageTools = {
  tools: { nc: '/bin/nc', netcat: '/bin/netcat', 'nc.openbsd': '/bin/nc.openbsd' },
  source: DEB('netcat-openbsd 1.219-1', '; postinst update-alternatives --install /bin/nc nc /bin/nc.openbsd'),
  confidence: 'V',
};
const NETCAT_TRADITIONAL: PackageTools = {
  tools: { nc: '/bin/nc', netcat: '/bin/netcat', 'nc.traditional': '/bin/nc.traditional' },
  source: DEB('netcat-traditional 1.10-47', '; postinst update-alternatives --install /bin/nc nc /bin/nc.traditional'),
  confidence: 'V',
};
const PROCPS: Record<string, string> = {
  ps: '/bin/ps', kill: '/bin/kill', pgrep: '/usr/bin/pgrep', pkill: '/usr/bin/pkill', top: '/usr/bin/top', free: '/usr/bin/free',
  watch: '/usr/bin/watch', uptime: '/usr/bin/uptime', pmap: '/usr/bin/pmap', vmstat: '/usr/bin/vmstat', w: '/usr/bin/w', sysctl: '/sbin/sysctl',
};

const APT: Record<string, PackageTools> = {
  curl: { tools: { curl: '/usr/bin/curl' }, source: DEB('curl 7.88.1-10+deb12u15'), confidence: 'V' },
  wget: { tools: { wget: '/usr/bin/wget' }, source: DEB('wget 1.21.3-1+deb12u1'), confidence: 'V' },
  'netcat-openbsd': NETCAT_OPENBSD,
  'netcat-traditional': NETCAT_TRADITIONAL,
  // bookworm: `netcat` is a virtual package provided by both; apt picks one of them
  netcat: { tools: { nc: '/bin/nc', netcat: '/bin/netcat' }, source: 'Debian bookworm: netcat reverse-provided by netcat-openbsd and netcat-traditional (apt-cache showpkg)', confidence: 'V' },
  ncat: { tools: { ncat: '/usr/bin/ncat' }, source: DEB('ncat 7.93+dfsg1-1'), confidence: 'V' },
  procps: { tools: PROCPS, source: DEB('procps 2:4.0.2-3'), confidence: 'V' },
  bash: { tools: { bash: '/bin/bash' }, source: DEB('bash 5.2.15-2+b13'), confidence: 'V' },
  'postgresql-client': PG_CLIENT,
  'postgresql-client-common': PG_CLIENT,
  'redis-tools': { tools: { 'redis-cli': '/usr/bin/redis-cli', 'redis-benchmark': '/usr/bin/redis-benchmark' }, source: DEB('redis-tools 5:7.0.15-1~deb12u10'), confidence: 'V' },
  'redis-server': { tools: { 'redis-server': '/usr/bin/redis-server', 'redis-cli': '/usr/bin/redis-cli' }, source: DEB('redis-server 5:7.0.15-1~deb12u10', '; Depends: redis-tools'), confidence: 'V' },
  'iputils-ping': { tools: { ping: '/bin/ping' }, source: DEB('iputils-ping 3:20221126-1+deb12u1'), confidence: 'V' },
  'bind9-dnsutils': { tools: { dig: '/usr/bin/dig', nslookup: '/usr/bin/nslookup' }, source: DEB('bind9-dnsutils 1:9.18.49-1~deb12u3'), confidence: 'V' },
  dnsutils: { tools: { dig: '/usr/bin/dig', nslookup: '/usr/bin/nslookup' }, source: DEB('dnsutils', '; Depends: bind9-dnsutils'), confidence: 'V' },
  gosu: { tools: { gosu: '/usr/sbin/gosu' }, source: DEB('gosu 1.14-1+b10'), confidence: 'V' },
  tini: { tools: { tini: '/usr/bin/tini', 'tini-static': '/usr/bin/tini-static' }, source: DEB('tini 0.19.0-1+b3'), confidence: 'V' },
  'dumb-init': { tools: { 'dumb-init': '/usr/bin/dumb-init' }, source: DEB('dumb-init 1.2.5-2'), confidence: 'V' },
  git: { tools: { git: '/usr/bin/git' }, source: DEB('git 1:2.39.5-0+deb12u3'), confidence: 'V' },
  python3: { tools: { python3: '/usr/bin/python3' }, source: DEB('python3-minimal 3.11.2-1+b1', ': /usr/bin/python3 -> python3.11'), confidence: 'V' },
  'python3-pip': { tools: { pip: '/usr/bin/pip', pip3: '/usr/bin/pip3' }, source: DEB('python3-pip 23.0.1+dfsg-1'), confidence: 'V' },
  'python-is-python3': { tools: { python: '/usr/bin/python' }, source: DEB('python-is-python3 3.11.2-1+deb12u1'), confidence: 'V' },
  nodejs: { tools: { node: '/usr/bin/node', nodejs: '/usr/bin/nodejs' }, source: DEB('nodejs 18.20.4+dfsg-1~deb12u3'), confidence: 'V' },
  npm: { tools: { npm: '/usr/bin/npm', npx: '/usr/bin/npx' }, source: DEB('npm 9.2.0~ds1-1'), confidence: 'V' },
  jq: { tools: { jq: '/usr/bin/jq' }, source: DEB('jq 1.6-2.1+deb12u3'), confidence: 'V' },
  'mariadb-client': { tools: { mysql: '/usr/bin/mysql', mariadb: '/usr/bin/mariadb' }, source: DEB('mariadb-client-core 1:10.11.19-0+deb12u1'), confidence: 'V' },
  'mariadb-client-core': { tools: { mysql: '/usr/bin/mysql', mariadb: '/usr/bin/mariadb' }, source: DEB('mariadb-client-core 1:10.11.19-0+deb12u1'), confidence: 'V' },
  'default-mysql-client': { tools: { mysql: '/usr/bin/mysql', mariadb: '/usr/bin/mariadb' }, source: DEB('default-mysql-client-core 1.1.0', '; Depends: mariadb-client-core'), confidence: 'V' },
  unzip: { tools: { unzip: '/usr/bin/unzip' }, source: DEB('unzip 6.0-28+deb12u1'), confidence: 'V' },
  zip: { tools: { zip: '/usr/bin/zip' }, source: DEB('zip 3.0-13+deb12u1'), confidence: 'V' },
  'xz-utils': { tools: { xz: '/usr/bin/xz' }, source: DEB('xz-utils 5.4.1-1+deb12u2'), confidence: 'V' },
  gpg: { tools: { gpg: '/usr/bin/gpg' }, source: DEB('gpg 2.2.40-1.1+deb12u2'), confidence: 'V' },
  'openssh-client': { tools: { ssh: '/usr/bin/ssh', scp: '/usr/bin/scp', 'ssh-keyscan': '/usr/bin/ssh-keyscan' }, source: DEB('openssh-client 1:9.2p1-2+deb12u10'), confidence: 'V' },
  rsync: { tools: { rsync: '/usr/bin/rsync' }, source: DEB('rsync 3.5.0+ds1-0+deb12u1'), confidence: 'V' },
  less: { tools: { less: '/usr/bin/less' }, source: DEB('less 590-2.1~deb12u2'), confidence: 'V' },
  nano: { tools: { nano: '/bin/nano' }, source: DEB('nano 7.2-1+deb12u1'), confidence: 'V' },
  sudo: { tools: { sudo: '/usr/bin/sudo' }, source: DEB('sudo 1.9.13p3-1+deb12u4'), confidence: 'V' },
  supervisor: { tools: { supervisord: '/usr/bin/supervisord', supervisorctl: '/usr/bin/supervisorctl' }, source: DEB('supervisor 4.2.5-1'), confidence: 'V' },
  cron: { tools: { cron: '/usr/sbin/cron', crontab: '/usr/bin/crontab' }, source: DEB('cron 3.0pl1-162'), confidence: 'V' },
  busybox: { tools: { busybox: '/bin/busybox' }, source: DEB('busybox 1:1.35.0-4+deb12u1+b1'), confidence: 'V' },
  passwd: { tools: { useradd: '/usr/sbin/useradd', groupadd: '/usr/sbin/groupadd', usermod: '/usr/sbin/usermod' }, source: DEB('passwd 1:4.13+dfsg1-1+deb12u2'), confidence: 'V' },
  adduser: { tools: { adduser: '/usr/sbin/adduser', addgroup: '/usr/sbin/addgroup' }, source: DEB('adduser 3.134'), confidence: 'V' },
};
// versioned client packages (postgresql-client-15, -16, ...) carry the same wrappers through -common
const APT_PATTERNS: [RegExp, PackageTools][] = [[/^postgresql-client-\d+$/, PG_CLIENT]];

const APK_SRC = 'Alpine package names as used by official images and user reports; binaries not re-read from the package index';
const APK: Record<string, PackageTools> = {
  curl: { tools: { curl: '/usr/bin/curl' }, source: 'nginxinc/docker-nginx:mainline/alpine/Dockerfile (apk add curl, so curl exists in nginx:alpine)', confidence: 'V' },
  bash: { tools: { bash: '/bin/bash' }, source: 'docker-library/postgres:17/alpine3.23/Dockerfile (.postgresql-rundeps adds bash)', confidence: 'V' },
  wget: { tools: { wget: '/usr/bin/wget' }, source: APK_SRC, confidence: 'S' },
  git: { tools: { git: '/usr/bin/git' }, source: APK_SRC, confidence: 'S' },
  procps: { tools: { ps: '/bin/ps', pgrep: '/usr/bin/pgrep', pkill: '/usr/bin/pkill' }, source: APK_SRC, confidence: 'S' },
  'procps-ng': { tools: { ps: '/bin/ps', pgrep: '/usr/bin/pgrep', pkill: '/usr/bin/pkill' }, source: APK_SRC, confidence: 'S' },
  'netcat-openbsd': { tools: { nc: '/usr/bin/nc' }, source: APK_SRC, confidence: 'S' },
  python3: { tools: { python3: '/usr/bin/python3' }, source: APK_SRC, confidence: 'S' },
  'py3-pip': { tools: { pip: '/usr/bin/pip', pip3: '/usr/bin/pip3' }, source: APK_SRC, confidence: 'S' },
  nodejs: { tools: { node: '/usr/bin/node' }, source: APK_SRC, confidence: 'S' },
  npm: { tools: { npm: '/usr/bin/npm', npx: '/usr/bin/npx' }, source: APK_SRC, confidence: 'S' },
  tini: { tools: { tini: '/sbin/tini' }, source: APK_SRC, confidence: 'S' },
  'su-exec': { tools: { 'su-exec': '/sbin/su-exec' }, source: APK_SRC, confidence: 'S' },
  jq: { tools: { jq: '/usr/bin/jq' }, source: APK_SRC, confidence: 'S' },
  shadow: { tools: { useradd: '/usr/sbin/useradd', groupadd: '/usr/sbin/groupadd', usermod: '/usr/sbin/usermod' }, source: APK_SRC, confidence: 'S' },
  'redis': { tools: { 'redis-server': '/usr/bin/redis-server', 'redis-cli': '/usr/bin/redis-cli' }, source: APK_SRC, confidence: 'S' },
  'openssh-client': { tools: { ssh: '/usr/bin/ssh', scp: '/usr/bin/scp' }, source: APK_SRC, confidence: 'S' },
};

const RPM_SRC = 'RHEL/Fedora package names as used in user Dockerfiles; binaries not re-read';
const RPM: Record<string, PackageTools> = {
  curl: { tools: { curl: '/usr/bin/curl' }, source: RPM_SRC, confidence: 'S' },
  'curl-minimal': { tools: { curl: '/usr/bin/curl' }, source: RPM_SRC, confidence: 'S' },
  wget: { tools: { wget: '/usr/bin/wget' }, source: RPM_SRC, confidence: 'S' },
  'procps-ng': { tools: { ps: '/usr/bin/ps', pgrep: '/usr/bin/pgrep', pkill: '/usr/bin/pkill' }, source: RPM_SRC, confidence: 'S' },
  'nmap-ncat': { tools: { nc: '/usr/bin/nc', ncat: '/usr/bin/ncat' }, source: RPM_SRC, confidence: 'S' },
  bash: { tools: { bash: '/usr/bin/bash' }, source: RPM_SRC, confidence: 'S' },
  git: { tools: { git: '/usr/bin/git' }, source: RPM_SRC, confidence: 'S' },
  python3: { tools: { python3: '/usr/bin/python3' }, source: RPM_SRC, confidence: 'S' },
  'python3-pip': { tools: { pip3: '/usr/bin/pip3', pip: '/usr/bin/pip' }, source: RPM_SRC, confidence: 'S' },
  'shadow-utils': { tools: { useradd: '/usr/sbin/useradd', groupadd: '/usr/sbin/groupadd' }, source: RPM_SRC, confidence: 'S' },
};

/** The executables a package installs, or undefined when the package is not in the table. */
export function packageTools(manager: PackageManager, pkg: string): PackageTools | undefined {
  // `curl=7.88.1-10`, `curl~7`, `curl>=8`, `curl:amd64`: keep the name
  const name = pkg.replace(/[=<>~].*$/, '').replace(/:[a-z0-9]+$/, '').toLowerCase();
  const table = manager === 'apt' ? APT : manager === 'apk' ? APK : RPM;
  const hit = Object.hasOwn(table, name) ? table[name] : undefined;
  if (hit) return hit;
  if (manager === 'apt') for (const [re, t] of APT_PATTERNS) if (re.test(name)) return t;
  return undefined;
}

/** Every executable name some listed package installs (names a Python wheel is not expected to ship). */
export const OS_TOOL_NAMES: ReadonlySet<string> = new Set(
  [APT, APK, RPM].flatMap((t) => Object.values(t).flatMap((p) => Object.keys(p.tools))),
);
