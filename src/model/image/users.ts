/**
 * Accounts: useradd/adduser/groupadd/addgroup/usermod/userdel as they run in a RUN, and lookups.
 *
 * - shadow `useradd` (Debian passwd 1:4.13): a home directory only with `-m`; Debian's login.defs
 *   has no CREATE_HOME, so no home by default; `-r` never creates one without `-m` (useradd(8)).
 *   RHEL-family login.defs sets CREATE_HOME yes: there the default is unknown to us unless -m/-M.
 *   New uids start at UID_MIN 1000 (Debian /etc/login.defs).
 * - Debian `adduser` 3.134 (perl): creates /home/NAME (DIR_MODE 0700) unless --no-create-home;
 *   `--system` users get /nonexistent, never created, unless --home is given.
 * - busybox `adduser` (Alpine): `-h DIR` home (default /home/NAME), created (mode 02755) unless
 *   `-H`; `-S` system; `-u UID`; `-G GROUP` (mirror/busybox:loginutils/adduser.c).
 */
import type { StageCtx } from './context.js';
import { ownedEntry, mkdirs } from './context.js';
import type { AccountRecord, ImageState } from './state.js';
import { normPath } from './state.js';
import type { ImageUser } from './types.js';

type Args = (string | undefined)[];

/** Parse `-x VALUE`, `--long VALUE`, `--long=VALUE`, `-xVALUE`; flags in `valued` take a value. */
function parseOpts(args: Args, valued: ReadonlySet<string>): { opts: Map<string, string | undefined | true>; operands: Args } {
  const opts = new Map<string, string | undefined | true>();
  const operands: Args = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === undefined) {
      operands.push(undefined);
      continue;
    }
    if (a === '--') {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a : a.slice(0, eq);
      if (eq >= 0) opts.set(name, a.slice(eq + 1));
      else if (valued.has(name)) opts.set(name, args[++i]);
      else opts.set(name, true);
    } else if (a.startsWith('-') && a.length > 1) {
      // clustered short flags: `-rm`, `-DH`, `-u1000`
      for (let k = 1; k < a.length; k++) {
        const f = `-${a[k]}`;
        if (valued.has(f)) {
          opts.set(f, k + 1 < a.length ? a.slice(k + 1) : args[++i]);
          break;
        }
        opts.set(f, true);
      }
    } else operands.push(a);
  }
  return { opts, operands };
}

const get = (o: Map<string, string | undefined | true>, ...names: string[]): string | undefined | true | null => {
  for (const n of names) if (o.has(n)) return o.get(n)!;
  return null; // not given
};
const num = (v: string | undefined | true | null): number | undefined => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined);

function gidOf(state: ImageState, spec: string | undefined | true | null): number | undefined {
  if (typeof spec !== 'string') return undefined;
  if (/^\d+$/.test(spec)) return Number(spec);
  return state.groups.find((g) => g.name === spec)?.gid ?? state.accounts.find((a) => a.name === spec)?.gid;
}

/** First free uid >= 1000 when every account with a uid >= 1000 is known to us. */
function inferUid(state: ImageState): number | undefined {
  if (state.unknownBase || !state.base?.regularUidsKnown || state.accountsUnknown) return undefined;
  if (state.accounts.some((a) => a.uid === undefined)) return undefined;
  let uid = 1000;
  while (state.accounts.some((a) => a.uid === uid)) uid++;
  return uid;
}

function addAccount(ctx: StageCtx, rec: AccountRecord): void {
  const st = ctx.state;
  const i = st.accounts.findIndex((a) => a.name === rec.name);
  if (i >= 0) st.accounts.splice(i, 1); // the build would fail ("already exists"); keep the last word
  const { homeMode, ...account } = rec;
  st.accounts.push(account);
  if (!rec.createsHome || !rec.home || rec.home === '/nonexistent') return;
  mkdirs(ctx, posixDir(rec.home), 0o755, 'root', undefined);
  const r = st.lookup(rec.home);
  if (r.exists === true && r.entry?.origin === 'base') return; // an existing home is left as it is
  const e = ownedEntry(ctx, { kind: 'dir', ...(homeMode !== undefined ? { mode: homeMode } : {}) }, rec.name!);
  if (rec.uid !== undefined) e.ownerUid = rec.uid;
  if (rec.gid !== undefined) e.group = String(rec.gid);
  else delete e.group;
  st.set(rec.home, e);
}

function posixDir(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

const USERADD_VALUED = new Set(['-d', '--home-dir', '--home', '-u', '--uid', '-g', '--gid', '-G', '--groups', '-s', '--shell', '-c', '--comment', '-k', '--skel', '-p', '--password', '-e', '--expiredate', '-f', '--inactive', '-b', '--base-dir', '-K', '--key', '-R', '--root', '-P', '--prefix', '-Z', '--selinux-user']);

export function useradd(ctx: StageCtx, args: Args): void {
  const { opts, operands } = parseOpts(args, USERADD_VALUED);
  const name = operands[0];
  if (name === undefined) return ctx.opaque('useradd with a user name we cannot expand');
  const os = ctx.state.base?.os;
  const system = get(opts, '-r', '--system') === true;
  const m = get(opts, '-m', '--create-home') === true;
  const M = get(opts, '-M', '--no-create-home') === true;
  const createsHome = m ? true : M || system ? false : os === 'debian' || os === 'ubuntu' ? false : undefined;
  const base = get(opts, '-b', '--base-dir');
  const homeOpt = get(opts, '-d', '--home-dir');
  const home = typeof homeOpt === 'string' ? normPath(homeOpt) : homeOpt === undefined ? undefined : `${typeof base === 'string' ? normPath(base) : '/home'}/${name}`;
  const rec: AccountRecord = { name, createdBy: ctx.ins };
  const uid = get(opts, '-u', '--uid');
  if (uid !== null) {
    const n = num(uid);
    if (n !== undefined) rec.uid = n;
  } else if (!system) {
    const inferred = inferUid(ctx.state);
    if (inferred !== undefined) {
      rec.uid = inferred;
      rec.uidInferred = true;
    }
  }
  const gid = gidOf(ctx.state, get(opts, '-g', '--gid'));
  if (gid !== undefined) rec.gid = gid;
  const shell = get(opts, '-s', '--shell');
  if (typeof shell === 'string') rec.shell = shell;
  if (home !== undefined) rec.home = home;
  if (createsHome !== undefined) rec.createsHome = createsHome;
  // Debian /etc/login.defs: no HOME_MODE, UMASK 022, so useradd -m makes the home 0755
  if (createsHome && (os === 'debian' || os === 'ubuntu')) rec.homeMode = 0o755;
  addAccount(ctx, rec);
  if (createsHome === undefined && home) ctx.state.zone(home, 'files'); // the home may or may not exist
}

const ADDUSER_DEBIAN_VALUED = new Set(['--home', '--shell', '--uid', '--gid', '--ingroup', '--gecos', '--comment', '--conf', '--firstuid', '--lastuid', '--firstgid', '--lastgid', '--add-extra-groups']);
const ADDUSER_BB_VALUED = new Set(['-h', '-g', '-s', '-G', '-u', '-k', '--home', '--gecos', '--shell', '--ingroup', '--uid', '--skel']);

export function adduser(ctx: StageCtx, args: Args): void {
  const os = ctx.state.base?.os;
  const busybox = os === 'alpine' || os === 'wolfi' || (os === undefined && args.some((a) => a !== undefined && /^-[DSHhuGgsk]+$/.test(a)));
  if (busybox) return adduserBusybox(ctx, args);
  const { opts, operands } = parseOpts(args, ADDUSER_DEBIAN_VALUED);
  if (get(opts, '--group') === true && get(opts, '--system') !== true) return addgroupOps(ctx, operands, num(get(opts, '--gid')));
  const name = operands[0];
  if (name === undefined) return ctx.opaque('adduser with a user name we cannot expand');
  if (operands.length >= 2) return; // `adduser USER GROUP`: adds an existing user to a group
  const system = get(opts, '--system') === true;
  const homeOpt = get(opts, '--home');
  const home = typeof homeOpt === 'string' ? normPath(homeOpt) : system ? '/nonexistent' : `/home/${name}`;
  const noHome = get(opts, '--no-create-home') === true;
  // adduser.conf DIR_MODE (default 0700) for users, SYS_DIR_MODE (0755) for system users
  const rec: AccountRecord = { name, home, createdBy: ctx.ins, createsHome: !noHome && (!system || typeof homeOpt === 'string'), homeMode: system ? 0o755 : 0o700 };
  const uid = num(get(opts, '--uid'));
  if (uid !== undefined) rec.uid = uid;
  else if (!system && get(opts, '--uid') === null) {
    const inferred = inferUid(ctx.state);
    if (inferred !== undefined) {
      rec.uid = inferred;
      rec.uidInferred = true;
    }
  }
  const gid = num(get(opts, '--gid')) ?? gidOf(ctx.state, get(opts, '--ingroup'));
  if (gid !== undefined) rec.gid = gid;
  if (system && get(opts, '--group') === true) ctx.state.groups.push({ name, ...(rec.uid !== undefined ? { gid: rec.uid } : {}) });
  const shell = get(opts, '--shell');
  if (typeof shell === 'string') rec.shell = shell;
  addAccount(ctx, rec);
}

function adduserBusybox(ctx: StageCtx, args: Args): void {
  const { opts, operands } = parseOpts(args, ADDUSER_BB_VALUED);
  const name = operands[0];
  if (name === undefined) return ctx.opaque('adduser with a user name we cannot expand');
  if (opts.size === 0 && operands.length >= 2) return; // `adduser USER GROUP`
  const homeOpt = get(opts, '-h', '--home');
  const rec: AccountRecord = {
    name,
    home: typeof homeOpt === 'string' ? normPath(homeOpt) : `/home/${name}`,
    createdBy: ctx.ins,
    createsHome: get(opts, '-H', '--no-create-home') !== true,
  };
  const uid = num(get(opts, '-u', '--uid'));
  if (uid !== undefined) rec.uid = uid;
  const gid = gidOf(ctx.state, get(opts, '-G', '--ingroup'));
  if (gid !== undefined) rec.gid = gid;
  else if (uid !== undefined && get(opts, '-G', '--ingroup') === null) rec.gid = uid; // "new gid = uid"
  const shell = get(opts, '-s', '--shell');
  if (typeof shell === 'string') rec.shell = shell;
  else if (get(opts, '-S', '--system') === true) rec.shell = '/bin/false';
  rec.homeMode = 0o2755; // "fix up the permissions to 2755"
  addAccount(ctx, rec);
}

function addgroupOps(ctx: StageCtx, operands: Args, gid: number | undefined): void {
  const name = operands[0];
  if (name === undefined) return ctx.opaque('addgroup with a group name we cannot expand');
  ctx.state.groups.push({ name, ...(gid !== undefined ? { gid } : {}) });
}

export function groupadd(ctx: StageCtx, args: Args): void {
  const { opts, operands } = parseOpts(args, new Set(['-g', '--gid', '-K', '--key', '-p', '--password', '-R', '--root', '-P', '--prefix', '-U', '--users']));
  addgroupOps(ctx, operands, num(get(opts, '-g', '--gid')));
}

export function addgroup(ctx: StageCtx, args: Args): void {
  const { opts, operands } = parseOpts(args, new Set(['-g', '--gid', '--conf', '--firstgid', '--lastgid']));
  // busybox `addgroup USER GROUP` / Debian `addgroup USER GROUP`: membership only
  if (operands.length >= 2 && opts.size === 0) return;
  addgroupOps(ctx, operands, num(get(opts, '-g', '--gid')));
}

export function usermod(ctx: StageCtx, args: Args): void {
  const { opts, operands } = parseOpts(args, new Set(['-d', '--home', '-u', '--uid', '-g', '--gid', '-G', '--groups', '-s', '--shell', '-l', '--login', '-c', '--comment', '-e', '-f', '-p', '-R', '-P']));
  const name = operands[0];
  const acc = name === undefined ? undefined : ctx.state.accounts.find((a) => a.name === name);
  if (!acc) return name === undefined ? ctx.opaque('usermod with a user name we cannot expand') : undefined;
  const uid = get(opts, '-u', '--uid');
  if (uid !== null) {
    const n = num(uid);
    if (n !== undefined) acc.uid = n;
    else delete acc.uid;
    delete acc.uidInferred;
  }
  const gid = get(opts, '-g', '--gid');
  if (gid !== null) {
    const g = gidOf(ctx.state, gid);
    if (g !== undefined) acc.gid = g;
    else delete acc.gid;
  }
  const home = get(opts, '-d', '--home');
  if (typeof home === 'string') {
    acc.home = normPath(home);
    if (get(opts, '-m', '--move-home') === true) mkdirs(ctx, acc.home, 0o755, acc.name!);
  }
  const login = get(opts, '-l', '--login');
  if (typeof login === 'string') acc.name = login;
}

export function userdel(ctx: StageCtx, args: Args): void {
  const { operands } = parseOpts(args, new Set(['-R', '--root', '-P', '--prefix', '--conf']));
  if (operands.length >= 2) return; // `deluser USER GROUP`: membership
  const name = operands[0];
  if (name === undefined) return ctx.opaque('userdel with a user name we cannot expand');
  const st = ctx.state;
  const i = st.accounts.findIndex((a) => a.name === name);
  if (i >= 0) st.accounts.splice(i, 1);
}

// ---------------------------------------------------------------- lookups

/** A user by name or uid in the current state (three-valued). */
export function lookupUser(state: ImageState, query: string): ImageUser {
  const q = query.trim();
  const numeric = /^\d+$/.test(q);
  const acc = state.accounts.find((a) => (numeric ? a.uid === Number(q) : a.name === q));
  if (acc) {
    const u: ImageUser = { query: q, exists: true, homeExists: undefined };
    if (acc.name !== undefined) u.name = acc.name;
    if (acc.uid !== undefined) u.uid = acc.uid;
    if (acc.gid !== undefined) u.gid = acc.gid;
    if (acc.shell !== undefined) u.shell = acc.shell;
    if (acc.createdBy) u.createdBy = acc.createdBy;
    if (acc.uidInferred) u.uidInferred = true;
    if (acc.home !== undefined) {
      u.home = acc.home;
      u.homeExists = acc.home === '/nonexistent' ? false : homeDirExists(state, acc.home);
    }
    return u;
  }
  // an account the accounts list does not hold: missing only when the list is complete for it
  let exists: boolean | undefined;
  if (state.unknownBase || state.accountsUnknown || !state.base) exists = undefined;
  else if (numeric) {
    const uid = Number(q);
    if (state.base.usersComplete && !state.systemAccountsUnknown) exists = false;
    else if (state.base.regularUidsKnown && uid >= 1000 && uid < 65534 && state.accounts.every((a) => a.uid !== undefined)) exists = false;
  } else if (state.base.usersComplete && !state.systemAccountsUnknown) exists = false;
  // Docker runs a uid without a passwd entry with HOME=/ (moby: oci defaults, `HOME=/` when no entry)
  if (exists === false) return { query: q, exists: false, homeExists: false, ...(numeric ? { uid: Number(q) } : {}) };
  return { query: q, exists, homeExists: undefined, ...(numeric ? { uid: Number(q) } : {}) };
}

/**
 * Whether an account's home directory exists. Build output whose location we do not know
 * (`python manage.py collectstatic`, `python -c`, `npm run build`: a `files` zone over the whole
 * filesystem) is not taken to create `/home/<name>`: a zone rooted above the home's parent
 * directory is looked past. A zone at the home, its parent, or of unknown content still counts.
 */
function homeDirExists(state: ImageState, home: string): boolean | undefined {
  const r = state.lookup(home);
  if (r.exists !== undefined || r.zone !== 'files') return r.exists;
  const parent = normPath(posixDir(normPath(home)));
  return state.lookup(home, Infinity, (zonePath, kind) => kind === 'files' && zonePath !== parent && (zonePath === '/' || parent.startsWith(`${zonePath}/`))).exists;
}

/** Seed the accounts of a base image. */
export function seedAccounts(state: ImageState): void {
  const b = state.base;
  state.accounts.push({ name: 'root', uid: 0, gid: 0, home: '/root' });
  if (!b) return;
  for (const u of [...(b.systemUsers ?? []), ...(b.users ?? [])]) {
    if (state.accounts.some((a) => a.name === u.name)) continue;
    const rec: AccountRecord = { name: u.name, uid: u.uid, gid: u.gid };
    if (u.home) rec.home = u.home;
    if (u.shell) rec.shell = u.shell;
    state.accounts.push(rec);
  }
}

