/**
 * Replaying a RUN instruction: parse it with the shell parser and apply the commands whose
 * effects on the filesystem, accounts and tools we know. Anything else makes the state unknown
 * where it could have acted: an unknown command or script anywhere (`opaque`), build tools only
 * below a directory (`zone`). The parsed commands are returned for ImageModel.runCommands, so
 * rules read the same parse.
 */
import { posix } from 'node:path';
import type { Location } from '../../core/location.js';
import type { SourceFile } from '../../core/source-file.js';
import type { DockerInstruction } from '../../parse/dockerfile/types.js';
import { parseShell, type ShellCommand, type ShellScript } from '../../parse/shell/parse-shell.js';
import { commandBasename } from '../../parse/shell/unwrap.js';
import { appendCommands, argvCommands, parseWritten, rangeOf, withoutContinuationComments, type ArgvItem } from '../shell-commands.js';
import type { StageCtx } from './context.js';
import { mkdirs, ownedEntry, resolveIn, uidOf } from './context.js';
import { aptGet, aptMark, apk, npmInstall, pipInstall, projectSync, rpm, venv } from './packages.js';
import { isUnder, type Entry } from './state.js';
import { addgroup, adduser, groupadd, useradd, userdel, usermod } from './users.js';
import { expandShell, globToRegExp, hasGlob, literalDir } from './words.js';

type Args = (string | undefined)[];

/** Commands that change nothing we model (files they write are content, not existence/owner). */
const NO_EFFECT = new Set([
  'echo', 'printf', 'true', 'false', ':', 'test', '[', '[[', 'which', 'command', 'type', 'hash', 'ls', 'cat', 'head', 'tail', 'grep', 'egrep', 'fgrep',
  'sed', 'awk', 'sort', 'uniq', 'wc', 'cut', 'tr', 'sleep', 'date', 'id', 'whoami', 'uname', 'printenv', 'pwd', 'exit', 'return', 'shift',
  'read', 'local', 'declare', 'typeset', 'readonly', 'unset', 'ulimit', 'umask', 'set', 'sha256sum', 'sha512sum', 'sha1sum', 'md5sum',
  'gpg', 'gpgconf', 'gpgv', 'dpkg-architecture', 'dpkg-query', 'dpkg-reconfigure', 'ldconfig', 'locale-gen', 'update-ca-certificates', 'sync', 'stat',
  'file', 'ldd', 'nproc', 'getent', 'basename', 'dirname', 'realpath', 'readlink', 'env', 'export', 'source', '.', 'trap', 'wait', 'diff', 'cmp',
  'chpasswd', 'passwd', 'gpasswd', 'update-alternatives', 'mktemp',
]);

/** Interpreters that run a program of the project: it may write files anywhere (not executables on PATH). */
const RUNS_PROGRAM = new Set(['node', 'nodejs', 'java', 'deno', 'bun']);

/** Build steps that write files (not executables on PATH) somewhere we cannot tell. */
const WRITES_FILES = new Set(['tsc', 'npx', 'vite', 'webpack', 'next', 'nest', 'mvn', 'gradle', 'dotnet', 'cargo', 'composer', 'bundle', 'gem', 'yarn', 'pnpm', 'collectstatic', 'django-admin', 'alembic']);

interface Script {
  text: string;
  baseOffset?: number;
  /** a heredoc body we have no offsets for: where to locate its commands */
  loc?: Location;
}

/** The shell text(s) of a RUN: its shell-form arguments, or a heredoc body it feeds to the shell. */
function runScripts(ins: DockerInstruction, source: SourceFile): Script[] | 'exec' | 'other' {
  if (ins.exec) return 'exec';
  const args = ins.argsText.trim();
  const heredocOnly = /^(?:(?:\/bin\/)?(?:ba|da)?sh(?:\s+-[a-z]+)*\s+)?<<-?\s*["']?[\w-]+["']?\s*$/i.test(args);
  if (ins.heredocs.length > 0 && heredocOnly) {
    return ins.heredocs.map((h) => (h.bodyRange ? { text: source.text.slice(h.bodyRange[0], h.bodyRange[1]), baseOffset: h.bodyRange[0] } : { text: h.body, loc: h.loc }));
  }
  if (ins.heredocs.length > 0) return 'other'; // `RUN python3 <<EOF`: the body is not shell
  // comment lines inside the continuation (BuildKit drops them) become spaces: offsets do not move
  const text = withoutContinuationComments(source.text.slice(ins.argsRange[0], ins.argsRange[1]));
  return [{ text, baseOffset: ins.argsRange[0] }];
}

/**
 * Replay RUN `ctx.ins` and return its commands: shell form and heredoc bodies as parseShell reads
 * them, exec form as one command followed by those of its `sh -c` string. Undefined when the RUN
 * feeds a heredoc to another program (the commands are not shell).
 */
export async function interpretRun(ctx: StageCtx, source: SourceFile): Promise<ShellCommand[] | undefined> {
  const ins = ctx.ins;
  const mounts = mountTargets(ins, ctx.cwd);
  const scripts = runScripts(ins, source);
  if (scripts === 'other') {
    ctx.opaque('RUN feeds a heredoc to a program other than the shell');
    return undefined;
  }
  const runner = new RunInterpreter(ctx, mounts);
  const file = ins.loc.file;
  if (scripts === 'exec') {
    const argv = ins.exec!;
    const items: ArgvItem[] = argv.map((text, i) => {
      const loc = ins.execLocs?.[i] ?? ins.argsLoc;
      const range = ins.execLocs?.[i] ? rangeOf(source, loc) : undefined;
      return { text, loc, ...(range ? { range } : {}) };
    });
    const parsed = await argvCommands(items, file, source);
    if (parsed.string) runner.script(parsed.string.script, parsed.string.text);
    else runner.argv(argv);
    return parsed.commands;
  }
  const out: ShellCommand[] = [];
  for (const s of scripts) {
    const parsed =
      s.baseOffset !== undefined
        ? await parseShell(s.text, { file, source, baseOffset: s.baseOffset })
        : await parseWritten(s.text, { file, loc: s.loc ?? ins.loc });
    runner.script(parsed, s.text);
    appendCommands(out, parsed.commands);
  }
  return out;
}

/** `--mount=type=cache,target=/root/.cache`: what is written there is not in the image. */
function mountTargets(ins: DockerInstruction, cwd: string): string[] {
  const out: string[] = [];
  for (const f of ins.flags) {
    if (f.name !== 'mount' || !f.value) continue;
    const m = /(?:^|,)(?:target|dst|destination)=([^,]+)/.exec(f.value);
    if (m) out.push(resolveIn(cwd, m[1]!));
  }
  return out;
}

class RunInterpreter {
  private cwd: string;
  private readonly local = new Map<string, string | undefined>();
  private functions: string[] = [];

  constructor(
    private readonly ctx: StageCtx,
    private readonly mounts: string[],
  ) {
    this.cwd = ctx.cwd;
  }

  private lookup = (name: string): string | undefined => {
    if (this.local.has(name)) return this.local.get(name);
    if (this.ctx.vars.has(name)) return this.ctx.vars.get(name);
    if (name === 'HOME') {
      const acc = this.ctx.state.accounts.find((a) => (/^\d+$/.test(this.ctx.user) ? a.uid === Number(this.ctx.user) : a.name === this.ctx.user));
      return acc?.home;
    }
    if (name === 'PWD') return this.cwd;
    return undefined;
  };

  private expand(text: string): string | undefined {
    return expandShell(text, this.lookup);
  }

  script(parsed: ShellScript, text: string): void {
    this.functions = parsed.functions;
    const cmds = parsed.commands;
    for (let i = 0; i < cmds.length; i++) {
      const c = cmds[i]!;
      if (c.context.functionName !== undefined) continue; // runs only if called; a call is opaque below
      // `curl ... | sh`: a script from stdin
      const next = cmds[i + 1];
      if (next && next.context.connector === '|' && ['sh', 'bash', 'ash', 'dash', 'zsh'].includes(commandBasename(next.name)) && !next.args.some((a) => a.text === '-c')) {
        this.ctx.opaque(`a script piped into ${next.name}`);
        i++;
        continue;
      }
      this.command(c);
    }
    for (const target of redirectTargets(text)) this.redirect(target);
  }

  argv(argv: string[]): void {
    this.dispatch(argv[0] ?? '', argv.slice(1), argv.slice(1).map((a) => a));
  }

  private command(c: ShellCommand): void {
    if (!c.name) {
      for (const a of c.assignments) this.local.set(a.name, this.expand(a.value));
      return;
    }
    if (c.name === 'export' || c.name === 'local' || c.name === 'declare' || c.name === 'readonly' || c.name === 'typeset') {
      for (const a of c.args) {
        const eq = a.text.indexOf('=');
        if (eq > 0) this.local.set(a.text.slice(0, eq), this.expand(a.text.slice(eq + 1)));
      }
      return;
    }
    const raw = c.args.map((a) => a.text);
    const name = this.expand(c.name);
    if (name === undefined) return this.ctx.opaque(`a command we cannot expand: ${c.name}`);
    this.dispatch(name, raw.map((a) => this.expand(a)), raw);
  }

  private dispatch(name: string, args: Args, raw: string[]): void {
    const ctx = this.ctx;
    // peel `sudo`, `env A=1`, `nohup`, `exec`, `time`
    while (['sudo', 'env', 'nohup', 'exec', 'time', 'nice', 'gosu', 'su-exec'].includes(commandBasename(name))) {
      const wrapper = commandBasename(name);
      let k = 0;
      if (wrapper === 'gosu' || wrapper === 'su-exec') k = 1;
      while (k < args.length && (args[k]?.startsWith('-') || (wrapper === 'env' && /^[A-Za-z_][A-Za-z0-9_]*=/.test(args[k] ?? '')))) k++;
      const next = args[k];
      if (next === undefined) return k < args.length ? ctx.opaque(`a command we cannot expand after ${wrapper}`) : undefined;
      name = next;
      args = args.slice(k + 1);
      raw = raw.slice(k + 1);
    }
    const base = commandBasename(name);
    if (this.functions.includes(name)) return ctx.opaque(`calls shell function ${name}`);
    if (NO_EFFECT.has(base)) return;
    switch (base) {
      case 'cd': {
        const to = args[0];
        if (to === undefined && raw.length) return ctx.opaque('cd to a directory we cannot expand');
        this.cwd = to === undefined ? '/' : resolveIn(this.cwd, to);
        return;
      }
      case 'mkdir':
        return this.mkdir(args);
      case 'touch':
        return this.touch(args);
      case 'rm':
      case 'rmdir':
      case 'unlink':
        return this.rm(args, base);
      case 'chown':
      case 'chgrp':
        return this.chown(args, base === 'chgrp');
      case 'chmod':
        return this.chmod(args);
      case 'ln':
        return this.ln(args);
      case 'mv':
        return this.mvcp(args, 'mv');
      case 'cp':
        return this.mvcp(args, 'cp');
      case 'install':
        return this.install(args);
      case 'useradd':
        return this.inStage(() => useradd(this.withCwd(), args));
      case 'adduser':
        return this.inStage(() => adduser(this.withCwd(), args));
      case 'groupadd':
        return groupadd(this.withCwd(), args);
      case 'addgroup':
        return addgroup(this.withCwd(), args);
      case 'usermod':
        return usermod(this.withCwd(), args);
      case 'userdel':
      case 'deluser':
        return userdel(this.withCwd(), args);
      case 'groupdel':
      case 'delgroup':
        return;
      case 'apt-get':
      case 'apt':
      case 'aptitude':
        return aptGet(this.withCwd(), args);
      case 'apt-mark':
        return aptMark(this.withCwd(), args);
      case 'apk':
        return apk(this.withCwd(), args);
      case 'yum':
      case 'dnf':
      case 'microdnf':
      case 'tdnf':
        return rpm(this.withCwd(), args);
      case 'dpkg':
        if (args.includes('-i') || args.includes('--install')) {
          for (const d of ['/usr/bin', '/bin', '/usr/sbin', '/sbin', '/usr/local/bin']) ctx.state.zone(d, 'any');
        }
        return;
      case 'curl':
      case 'wget':
        return this.download(base, args);
      case 'tar':
        return this.tar(args);
      case 'unzip':
        return this.extract(args, '-d');
      case 'git':
        return this.git(args);
      case 'npm':
        return this.npm(args);
      case 'uv':
        return this.uv(args);
      case 'poetry':
        if (args[0] === 'install' || args[0] === 'sync') return projectSync(this.withCwd(), 'poetry', `poetry ${args[0]}`, 'pyproject.toml');
        if (args[0] === 'config' && args[1] === 'virtualenvs.create' && args[2] === 'false') ctx.poetryNoVenv = true;
        if (args[0] === 'build' || args[0] === 'export' || args[0] === 'config' || args[0] === 'lock' || args[0] === 'check') return this.zoneHere('files');
        return ctx.opaque(`poetry ${args[0] ?? ''}`.trim());
      case 'pipenv':
        if (args[0] === 'install' || args[0] === 'sync') return projectSync(this.withCwd(), 'pipenv', `pipenv ${args[0]}`, 'Pipfile');
        return ctx.opaque(`pipenv ${args[0] ?? ''}`.trim());
      case 'pdm':
        if (args[0] === 'install' || args[0] === 'sync') return projectSync(this.withCwd(), 'pdm', `pdm ${args[0]}`, 'pyproject.toml');
        return ctx.opaque(`pdm ${args[0] ?? ''}`.trim());
      case 'virtualenv':
        return venv(this.withCwd(), args.filter((a) => !a?.startsWith('-')).at(-1));
      default:
        break;
    }
    if (/^pip(\d(\.\d+)?)?$/.test(base)) return this.pip(name, args);
    if (/^python(\d(\.\d+)?)?$/.test(base)) return this.python(name, args);
    if (RUNS_PROGRAM.has(base)) return args.length === 0 || args.every((a) => a === '--version' || a === '-v') ? undefined : this.zoneHere('files', '/');
    if (WRITES_FILES.has(base)) {
      // output paths given on the command line (`-o /out`, `--outDir=../dist`) may lie outside the working directory
      for (const a of args) {
        const v = a === undefined ? undefined : a.startsWith('-') && a.includes('=') ? a.slice(a.indexOf('=') + 1) : a;
        if (v !== undefined && !v.startsWith('-') && v.includes('/') && !/^[a-z]+:\/\//i.test(v)) this.zoneHere('files', posix.dirname(literalDir(resolveIn(this.cwd, v))));
      }
      if (args.some((a) => a === undefined)) return this.zoneHere('files', '/');
      return this.zoneHere('files');
    }
    if (base === 'make' || base === 'cmake' || base === 'configure' || base === 'go') {
      if (base === 'go' && args[0] === 'build') {
        const o = args.indexOf('-o');
        if (o >= 0 && args[o + 1] !== undefined) return this.createFile(resolveIn(this.cwd, args[o + 1]!), 0o755);
        return this.zoneHere('files');
      }
      return ctx.opaque(`${base} runs build scripts we cannot follow`);
    }
    ctx.opaque(`${name} is not a command we interpret`);
  }

  private withCwd(): StageCtx {
    return { ...this.ctx, cwd: this.cwd };
  }

  private inStage(f: () => void): void {
    f();
  }

  private inMount(p: string): boolean {
    return this.mounts.some((m) => isUnder(p, m));
  }

  private zoneHere(kind: 'files' | 'any', dir = this.cwd): void {
    if (!this.inMount(dir)) this.ctx.state.zone(dir, kind);
  }

  /** resolve each operand; globs expand over known paths; unknown operands return undefined */
  private paths(args: Args): (string | undefined)[] {
    const out: (string | undefined)[] = [];
    for (const a of args) {
      if (a === undefined) out.push(undefined);
      else if (hasGlob(a)) {
        const abs = resolveIn(this.cwd, a);
        const re = globToRegExp(abs);
        const hits = [...this.ctx.state.current.keys()].filter((k) => re.test(k));
        if (hits.length) out.push(...hits);
        out.push(`\u0000glob:${abs}`);
      } else out.push(resolveIn(this.cwd, a));
    }
    return out;
  }

  private createFile(p: string, mode: number): void {
    if (this.inMount(p)) return;
    mkdirs(this.withCwd(), posix.dirname(p));
    const r = this.ctx.state.lookup(p);
    if (r.exists === true && r.entry) return this.ctx.state.set(p, { ...r.entry, changedBy: this.ctx.ins });
    if (r.exists === undefined) return this.ctx.state.set(p, { kind: 'file', origin: 'instruction', changedBy: this.ctx.ins });
    this.ctx.state.set(p, ownedEntry(this.ctx, { kind: 'file', mode }));
  }

  private redirect(target: string): void {
    const t = this.expand(target);
    if (t === undefined) return this.zoneHere('files', literalDir(resolveIn(this.cwd, target)));
    if (t.startsWith('/dev/') || t.startsWith('/proc/')) return;
    this.createFile(resolveIn(this.cwd, t), 0o644);
  }

  // ------------------------------------------------------------ file commands

  private mkdir(args: Args): void {
    let parents = false;
    let mode: number | undefined;
    const dirs: Args = [];
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (a === '-p' || a === '--parents') parents = true;
      else if (a === '-m' || a === '--mode') mode = parseMode(args[++i], 0o777 & ~0o022, true);
      else if (a?.startsWith('--mode=')) mode = parseMode(a.slice(7), 0o777 & ~0o022, true);
      else if (a?.startsWith('-') && /^-[pvm]+$/.test(a)) {
        if (a.includes('p')) parents = true;
        if (a.includes('m')) mode = parseMode(args[++i], 0o755, true);
      } else dirs.push(a);
    }
    for (const d of dirs) {
      if (d === undefined) {
        this.ctx.opaque('mkdir of a path we cannot expand');
        continue;
      }
      const p = resolveIn(this.cwd, d);
      if (this.inMount(p)) continue;
      const r = this.ctx.state.lookup(p);
      if (r.exists === true) continue;
      if (!parents && this.ctx.state.lookup(posix.dirname(p)).exists === false) continue; // mkdir fails
      mkdirs(this.withCwd(), p, mode ?? 0o755);
      if (mode !== undefined && r.exists === false) {
        const e = this.ctx.state.lookup(p).entry;
        if (e) this.ctx.state.set(p, { ...e, mode });
      }
    }
  }

  private touch(args: Args): void {
    for (const a of args) {
      if (a?.startsWith('-')) continue;
      if (a === undefined) {
        this.zoneHere('files', '/');
        continue;
      }
      this.createFile(resolveIn(this.cwd, a), 0o644);
    }
  }

  private rm(args: Args, cmd: string): void {
    const recursive = cmd === 'rmdir' || args.some((a) => a !== undefined && /^-[a-zA-Z]*[rR]/.test(a)) || args.includes('--recursive');
    for (const p of this.paths(args.filter((a) => !(a?.startsWith('-') ?? false)))) {
      if (p === undefined) {
        // `rm -rf "$GNUPGHOME"`: a path we cannot expand; we assume it is none we recorded (caveat)
        continue;
      }
      if (p.startsWith('\u0000glob:')) {
        const pattern = p.slice(7);
        // `rm -rf dir/*` empties the directory
        if (/\/\*$/.test(pattern) && !hasGlob(pattern.slice(0, -2))) this.ctx.state.empty(pattern.slice(0, -2));
        continue;
      }
      if (this.inMount(p)) continue;
      const r = this.ctx.state.lookup(p);
      if (!recursive && r.entry?.kind === 'dir') continue; // rm without -r refuses a directory
      this.ctx.state.remove(p);
    }
  }

  private chown(args: Args, chgrp: boolean): void {
    const recursive = args.some((a) => a !== undefined && /^-[a-zA-Z]*R/.test(a)) || args.includes('--recursive');
    if (args.some((a) => a?.startsWith('--from') || a?.startsWith('--reference'))) return this.forget(args);
    const ops = args.filter((a) => !(a?.startsWith('-') ?? false));
    const spec = ops[0];
    const targets = this.paths(ops.slice(1));
    let owner: string | undefined;
    let group: string | undefined;
    let unknown = spec === undefined;
    if (spec !== undefined) {
      if (chgrp) group = spec;
      else {
        const m = /^([^:.]*)(?:[:.](.*))?$/.exec(spec)!;
        owner = m[1] || undefined;
        group = m[2] || undefined;
        if (m[2] === '' && owner) group = undefined; // `user:` = the user's login group: unknown
      }
    }
    for (const p of targets) {
      if (p === undefined || p.startsWith('\u0000glob:')) {
        if (p === undefined) unknown = true;
        continue;
      }
      const apply = (path: string, e: Entry): void => {
        const next: Entry = { ...e, changedBy: this.ctx.ins };
        if (unknown) {
          delete next.owner;
          delete next.ownerUid;
          delete next.group;
        } else {
          if (owner !== undefined) {
            next.owner = owner;
            const uid = uidOf(this.ctx, owner);
            if (uid !== undefined) next.ownerUid = uid;
            else delete next.ownerUid;
          }
          if (group !== undefined) next.group = group;
        }
        this.ctx.state.set(path, next);
      };
      const r = this.ctx.state.lookup(p);
      if (r.exists === false) continue;
      apply(p, r.entry ?? { origin: 'instruction', ...(r.exists === undefined ? {} : {}) });
      if (recursive) for (const [k, e] of [...this.ctx.state.current]) if (k !== p && isUnder(k, p)) apply(k, e);
    }
    if (unknown) this.forget(ops.slice(1));
  }

  /** owners/modes below these operands are unknown now */
  private forget(args: Args): void {
    for (const a of args) {
      if (a === undefined) this.ctx.state.forgetMetadata('/');
      else if (!a.startsWith('-')) this.ctx.state.forgetMetadata(literalDir(resolveIn(this.cwd, a)));
    }
  }

  private chmod(args: Args): void {
    const isFlag = (a: string | undefined): boolean => a !== undefined && /^-[a-zA-Z]+$/.test(a) && !/^-[rwxXst]+$/.test(a);
    const recursive = args.some((a) => isFlag(a) && a!.includes('R')) || args.includes('--recursive');
    const ops = args.filter((a) => !isFlag(a) && a !== '--recursive' && a !== '--verbose' && a !== '--changes' && a !== '--silent');
    const spec = ops[0];
    if (spec === undefined) return this.forget(ops.slice(1));
    for (const p of this.paths(ops.slice(1))) {
      if (p === undefined) {
        this.ctx.state.forgetMetadata('/');
        continue;
      }
      if (p.startsWith('\u0000glob:')) continue;
      const st = this.ctx.state;
      const r = st.lookup(p);
      if (r.exists === false) continue;
      const targets: [string, Entry][] = [[p, r.entry ?? { origin: 'instruction' }]];
      if (recursive) for (const [k, e] of st.current) if (k !== p && isUnder(k, p)) targets.push([k, e]);
      for (const [k, e] of targets) {
        const next: Entry = { ...e, changedBy: this.ctx.ins };
        const isDir = e.kind === 'dir';
        const mode = parseMode(spec, e.mode, isDir);
        if (mode !== undefined) {
          next.mode = mode;
          delete next.exec;
        } else {
          delete next.mode;
          const x = addsExec(spec);
          if (x && !isDir) next.exec = true;
          else delete next.exec;
        }
        st.set(k, next);
      }
    }
  }

  private ln(args: Args): void {
    const symbolic = args.some((a) => a !== undefined && /^-[a-zA-Z]*s/.test(a)) || args.includes('--symbolic');
    const noTargetDir = args.some((a) => a !== undefined && /^-[a-zA-Z]*T/.test(a)) || args.includes('--no-target-directory');
    const ops = args.filter((a) => !(a?.startsWith('-') ?? false));
    if (ops.length < 2) return;
    const target = ops[0];
    const link = ops[ops.length - 1];
    if (target === undefined || link === undefined) return this.zoneHere('files', link === undefined ? '/' : literalDir(resolveIn(this.cwd, link)));
    let at = resolveIn(this.cwd, link);
    if (!noTargetDir && this.ctx.state.lookup(at).entry?.kind === 'dir') at = `${at}/${posix.basename(target)}`;
    if (this.inMount(at)) return;
    mkdirs(this.withCwd(), posix.dirname(at));
    if (symbolic) this.ctx.state.set(at, ownedEntry(this.ctx, { kind: 'symlink', target, mode: 0o777 }));
    else {
      const src = this.ctx.state.lookup(resolveIn(this.cwd, target)).entry;
      this.ctx.state.set(at, src ? { ...src, changedBy: this.ctx.ins } : { kind: 'file', origin: 'instruction', changedBy: this.ctx.ins });
    }
  }

  private mvcp(args: Args, op: 'mv' | 'cp'): void {
    const preserve = op === 'mv' || args.some((a) => a !== undefined && (/^-[a-zA-Z]*[ap]/.test(a) || a.startsWith('--preserve') || a === '--archive'));
    const noTargetDir = args.some((a) => a !== undefined && /^-[a-zA-Z]*T/.test(a));
    const ops = args.filter((a) => !(a?.startsWith('-') ?? false));
    if (ops.length < 2) return;
    const destRaw = ops[ops.length - 1];
    if (destRaw === undefined) return this.ctx.opaque(`${op} to a path we cannot expand`);
    const dest = resolveIn(this.cwd, destRaw);
    const st = this.ctx.state;
    const sources = this.paths(ops.slice(0, -1));
    const destIsDir = !noTargetDir && (st.lookup(dest).entry?.kind === 'dir' || sources.length > 1 || destRaw.endsWith('/'));
    for (const src of sources) {
      if (src === undefined || src.startsWith('\u0000glob:')) {
        if (src === undefined || !sources.some((s) => s && !s.startsWith('\u0000'))) this.zoneHere('any', destIsDir ? dest : posix.dirname(dest));
        continue;
      }
      const to = destIsDir ? `${dest}/${posix.basename(src)}` : dest;
      if (this.inMount(to)) continue;
      const r = st.lookup(src);
      if (r.exists === false) continue;
      mkdirs(this.withCwd(), posix.dirname(to));
      const tree = st.subtree(src);
      if (r.exists === undefined && tree.length === 0) {
        st.set(to, { origin: 'instruction', changedBy: this.ctx.ins });
        st.zone(to, 'any');
      }
      for (const [rel, e] of tree) {
        const p = rel ? `${to}/${rel}` : to;
        const entry: Entry = preserve ? { ...e, changedBy: this.ctx.ins } : { ...ownedEntry(this.ctx, { ...(e.kind ? { kind: e.kind } : {}), ...(e.mode !== undefined ? { mode: e.mode } : {}), ...(e.target ? { target: e.target } : {}) }) };
        st.set(p, entry);
      }
      for (const z of st.unknownUnder(src)) st.zone(z.rel ? `${to}/${z.rel}` : to, z.zone);
      if (op === 'mv') st.remove(src);
      // python installs and venvs moved along
      if (op === 'mv') for (const v of [...st.venvs]) if (isUnder(v, src)) st.venvs.add(`${to}${v.slice(src.length)}`);
    }
  }

  private install(args: Args): void {
    let dirMode = false;
    let mode = 0o755;
    let owner = this.ctx.user;
    let group = this.ctx.group;
    const ops: Args = [];
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (a === '-d' || a === '--directory') dirMode = true;
      else if (a === '-m' || a === '--mode') mode = parseMode(args[++i], 0o755, false) ?? 0o755;
      else if (a === '-o' || a === '--owner') owner = args[++i] ?? owner;
      else if (a === '-g' || a === '--group') group = args[++i];
      else if (a?.startsWith('-')) {
        if (/^-[a-zA-Z]*d/.test(a)) dirMode = true;
      } else ops.push(a);
    }
    const ctx = this.withCwd();
    if (dirMode) {
      for (const d of ops) {
        if (d === undefined) continue;
        const p = resolveIn(this.cwd, d);
        mkdirs(ctx, p, mode, owner, group);
        const e = this.ctx.state.lookup(p).entry;
        if (e) this.ctx.state.set(p, { ...ownedEntry(this.ctx, { kind: 'dir', mode }, owner, group), ...(e.createdBy ? { createdBy: e.createdBy } : {}) });
      }
      return;
    }
    const dest = ops[ops.length - 1];
    if (dest === undefined || ops.length < 2) return;
    const d = resolveIn(this.cwd, dest);
    const intoDir = ops.length > 2 || this.ctx.state.lookup(d).entry?.kind === 'dir';
    for (const s of ops.slice(0, -1)) {
      if (s === undefined) continue;
      const to = intoDir ? `${d}/${posix.basename(s)}` : d;
      mkdirs(ctx, posix.dirname(to));
      this.ctx.state.set(to, ownedEntry(this.ctx, { kind: 'file', mode }, owner, group));
    }
  }

  // ------------------------------------------------------------ downloads and archives

  private download(tool: 'curl' | 'wget', args: Args): void {
    let out: string | undefined | null = null;
    let dir: string | undefined;
    let remoteName = false;
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (tool === 'curl' && (a === '-o' || a === '--output')) out = args[++i];
      else if (tool === 'curl' && a !== undefined && /^-[a-zA-Z]*O$/.test(a)) remoteName = true;
      else if (tool === 'curl' && a === '--remote-name') remoteName = true;
      else if (tool === 'curl' && a !== undefined && /^-[a-zA-Z]*o$/.test(a)) out = args[++i];
      else if (tool === 'wget' && (a === '-O' || a === '--output-document' || (a !== undefined && /^-[a-zA-Z]*O$/.test(a)))) out = args[++i];
      else if (tool === 'wget' && a !== undefined && /^-[a-zA-Z]*O./.test(a) && !a.startsWith('--')) out = a.slice(a.indexOf('O') + 1);
      else if (tool === 'wget' && a?.startsWith('--output-document=')) out = a.slice(18);
      else if (tool === 'wget' && (a === '-P' || a === '--directory-prefix')) dir = args[++i];
    }
    const urls = args.filter((a) => a !== undefined && /^[a-z]+:\/\//i.test(a)) as string[];
    if (out === '-' || (tool === 'curl' && out === null && !remoteName)) return; // to stdout
    if (out !== null) {
      if (out === undefined) return this.zoneHere('files', '/');
      return this.createFile(resolveIn(this.cwd, out), 0o644);
    }
    const where = dir !== undefined ? resolveIn(this.cwd, dir) : this.cwd;
    for (const u of urls) {
      const name = posix.basename(u.replace(/[?#].*$/, '')) || 'index.html';
      this.createFile(`${where}/${name}`, 0o644);
    }
  }

  private tar(args: Args): void {
    const flags = args.filter((a) => a !== undefined && a.startsWith('-')).join('') + (args[0] && !args[0].startsWith('-') ? args[0] : '');
    const extract = /x/.test(flags) || args.includes('--extract');
    if (!extract) {
      const f = args.findIndex((a) => a === '-f' || a === '--file' || (a !== undefined && /^-[a-zA-Z]*f$/.test(a)));
      const file = f >= 0 ? args[f + 1] : undefined;
      if (file && file !== '-') this.createFile(resolveIn(this.cwd, file), 0o644);
      return;
    }
    this.extract(args, '-C', '--directory');
  }

  private extract(args: Args, ...dirFlags: string[]): void {
    let dir: string | undefined | null = null;
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (a !== undefined && dirFlags.includes(a)) dir = args[++i];
      else if (a?.startsWith('--directory=')) dir = a.slice(12);
    }
    if (dir === undefined) return this.ctx.opaque('an archive extracted to a path we cannot expand');
    const where = dir === null ? this.cwd : resolveIn(this.cwd, dir);
    mkdirs(this.withCwd(), where);
    this.zoneHere('any', where);
  }

  private git(args: Args): void {
    if (args[0] !== 'clone') {
      // `git -C dir …`, `git checkout`, `git submodule update`, `git pull`: files change under the repository
      const c = args.indexOf('-C');
      if (c >= 0) {
        const d = args[c + 1];
        return d === undefined ? this.zoneHere('files', '/') : this.zoneHere('files', resolveIn(this.cwd, d));
      }
      if (['config', 'status', 'log', 'rev-parse', 'describe', 'show', '--version', 'version'].includes(args[0] ?? '')) return;
      return this.zoneHere('files');
    }
    const VALUED = new Set(['-b', '--branch', '--depth', '-o', '--origin', '-c', '--config', '--reference', '--reference-if-able', '--separate-git-dir', '-j', '--jobs', '--template', '--shallow-since', '--shallow-exclude', '-u', '--upload-pack', '--server-option', '--bundle-uri']);
    const ops: Args = [];
    for (let i = 1; i < args.length; i++) {
      const a = args[i];
      if (a !== undefined && a.startsWith('-')) {
        if (VALUED.has(a)) i++;
        continue;
      }
      ops.push(a);
    }
    const url = ops[0];
    const dir = ops[1] ?? (url ? posix.basename(url).replace(/\.git$/, '') : undefined);
    if (dir === undefined) return this.ctx.opaque('git clone into a path we cannot expand');
    const p = resolveIn(this.cwd, dir);
    mkdirs(this.withCwd(), p);
    this.zoneHere('any', p);
  }

  // ------------------------------------------------------------ language package managers

  private pip(command: string, args: Args): void {
    const sub = args.findIndex((a) => a !== undefined && !a.startsWith('-'));
    if (sub < 0) return;
    const verb = args[sub];
    if (verb === 'install') return pipInstall(this.withCwd(), command, args.slice(sub + 1));
    if (verb === 'uninstall') {
      const names = new Set(args.slice(sub + 1).filter((a): a is string => a !== undefined && !a.startsWith('-')));
      const st = this.ctx.state;
      for (let i = st.python.length - 1; i >= 0; i--) if (names.has(st.python[i]!.name)) st.python.splice(i, 1);
      return;
    }
    if (verb === 'wheel' || verb === 'download') return this.zoneHere('files');
    if (verb === undefined) return this.ctx.opaque('pip with a subcommand we cannot expand');
    // freeze, list, show, check, config, cache, --version: nothing
  }

  private python(command: string, args: Args): void {
    const m = args.indexOf('-m');
    if (m >= 0) {
      const mod = args[m + 1];
      const rest = args.slice(m + 2);
      if (mod === 'pip') return this.pip(command, rest);
      if (mod === 'venv' || mod === 'virtualenv') return venv(this.withCwd(), rest.filter((a) => !(a?.startsWith('-') ?? false)).at(-1));
      if (mod === 'compileall' || mod === 'build' || mod === 'nltk.downloader' || mod === 'spacy') return this.zoneHere('files', '/');
      if (mod === 'uv') return this.uv(rest);
      return this.ctx.opaque(`python -m ${mod ?? '?'} runs code we cannot follow`);
    }
    if (args.includes('-c')) return this.zoneHere('files', '/');
    const script = args.find((a) => !(a?.startsWith('-') ?? false));
    if (script && posix.basename(script) === 'manage.py') return this.zoneHere('files', '/');
    if (args.length === 0 || args.every((a) => a === '--version' || a === '-V')) return;
    this.ctx.opaque(`${command} ${script ?? ''} runs code we cannot follow`.trim());
  }

  private uv(args: Args): void {
    const verb = args[0];
    if (verb === 'pip' && args[1] === 'install') return pipInstall(this.withCwd(), 'uv', args.slice(2), true);
    if (verb === 'sync') return projectSync(this.withCwd(), 'uv', 'uv sync', 'pyproject.toml');
    if (verb === 'venv') return venv(this.withCwd(), args.slice(1).filter((a) => !(a?.startsWith('-') ?? false))[0] ?? '.venv');
    if (verb === 'run') return this.ctx.opaque('uv run runs code we cannot follow');
    if (verb === 'lock' || verb === 'export' || verb === 'build' || verb === 'python' || verb === 'cache' || verb === '--version') return this.zoneHere('files', '/');
    this.ctx.opaque(`uv ${verb ?? ''}`.trim());
  }

  private npm(args: Args): void {
    const verb = args.find((a) => !(a?.startsWith('-') ?? false));
    if (verb === 'ci' || verb === 'install' || verb === 'i') return npmInstall(this.withCwd(), 'npm', `npm ${verb}`, args.slice(args.indexOf(verb) + 1).filter((a): a is string => a !== undefined));
    if (verb === 'run' || verb === 'run-script' || verb === 'build' || verb === 'prune' || verb === 'cache' || verb === 'config' || verb === 'pack') return this.zoneHere('files', '/');
    this.ctx.opaque(`npm ${verb ?? ''}`.trim());
  }
}

// ---------------------------------------------------------------- helpers

/** `> file`, `>> file`, `&> file`, `2> file` targets in a script (not `>&2`, not fd duplication). */
function redirectTargets(text: string): string[] {
  const out: string[] = [];
  const re = /(?:^|[^<>&0-9$])(?:&|[0-9])?>>?\|?[ \t]*(?!&)("[^"]*"|'[^']*'|[^\s;&|()<>]+)/g;
  for (const m of text.matchAll(re)) {
    const t = m[1]!.replace(/^["']|["']$/g, '');
    if (t && !/^\d+$/.test(t)) out.push(t);
  }
  return out;
}

/** Numeric (`755`, `0755`, `1777`) or symbolic (`u+x,g-w`, `+x`, `a=rX`) mode; undefined when unknown. */
export function parseMode(spec: string | undefined, current: number | undefined, isDir: boolean): number | undefined {
  if (spec === undefined) return undefined;
  if (/^[0-7]{1,4}$/.test(spec)) return parseInt(spec, 8);
  if (current === undefined) return undefined;
  let mode = current;
  for (const clause of spec.split(',')) {
    const m = /^([ugoa]*)([-+=])([rwxXst]*)$/.exec(clause);
    if (!m) return undefined;
    const who = m[1] || 'a';
    const mask = (who.includes('u') || who.includes('a') ? 0o4700 : 0) | (who.includes('g') || who.includes('a') ? 0o2070 : 0) | (who.includes('o') || who.includes('a') ? 0o1007 : 0);
    let bits = 0;
    for (const p of m[3]!) {
      if (p === 'r') bits |= 0o444;
      else if (p === 'w') bits |= 0o222;
      else if (p === 'x') bits |= 0o111;
      else if (p === 'X' && (isDir || (current & 0o111) !== 0)) bits |= 0o111;
      else if (p === 's') bits |= 0o6000;
      else if (p === 't') bits |= 0o1000;
    }
    // `+x` without a who is filtered by the umask (022): `chmod +w` only adds u+w
    if (!m[1] && m[2] !== '=') bits &= ~0o022;
    bits &= mask;
    if (m[2] === '+') mode |= bits;
    else if (m[2] === '-') mode &= ~bits;
    else mode = (mode & ~mask) | bits;
  }
  return mode;
}

/** A symbolic mode that adds execute for the owner (`+x`, `u+x`, `a+x`, `755`). */
function addsExec(spec: string): boolean {
  if (/^[0-7]{1,4}$/.test(spec)) return (parseInt(spec, 8) & 0o100) !== 0;
  return spec.split(',').some((c) => /^[ua]*\+[rwxXst]*x/.test(c));
}

