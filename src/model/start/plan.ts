/**
 * What a service's container runs when it starts: the argv Docker builds from ENTRYPOINT, CMD and
 * Compose's overrides, followed through the wrappers (tini, gosu, exec, env), `sh -c` strings,
 * the shell scripts it runs (read from the repository file the image got them from) and
 * `npm start`-style package scripts, into an ordered list of steps.
 *
 * Docker semantics (moby daemon/commit.go `merge`, compose-spec 05-services.md §entrypoint):
 * - exec-form ENTRYPOINT gets CMD as its arguments; a shell-form ENTRYPOINT (`/bin/sh -c text`)
 *   receives them as `$0 $1 …`, which the text ignores;
 * - a non-empty compose `entrypoint` drops the image's CMD (only a compose `command` is passed);
 *   an empty one (`entrypoint: []`) drops the image's ENTRYPOINT but keeps its CMD;
 * - compose `command` replaces CMD; an empty one keeps the image's CMD;
 * - compose `command`/`entrypoint` strings are split into words, never run through a shell.
 *
 * The shell is simulated only as far as a reader would: `cd`, `export`, `set --`, `shift`,
 * assignments and `"$@"`/`$1` are followed when they run unconditionally; variables are
 * substituted only when their value is known (Dockerfile ENV, compose environment, the script).
 */
import { posix } from 'node:path';
import type { Location } from '../../core/location.js';
import type { SourceFile } from '../../core/source-file.js';
import { mapGet, scalarText } from '../../parse/compose/yaml-tree.js';
import { parseShell, type ShellOrigin } from '../../parse/shell/parse-shell.js';
import type { ShellCommand, ShellScript, ShellWord } from '../../parse/shell/types.js';
import { commandBasename, unwrapCommand } from '../../parse/shell/unwrap.js';
import { imageFileSource, imagePathExistsFromCopies, type ImageFilesOptions } from '../image-files.js';
import type {
  CommandSpec, CopyStep, RepoTree, ServiceModel, StageModel, StartCommandPart, StartOrigin, StartPlan, StartScript, StartStep,
} from '../types.js';
import { findMigrationSteps } from './migrations.js';
import { serverFacts } from './servers.js';
import { defaultAssignments, evalCase, evalCondition, expandText, expandWord, isAllArgs, positionalIndex, type VarLookup } from './shell-expand.js';
import { analyzeGuards, type Guard } from './shell-structure.js';
import { shellStringIndex } from '../../parse/shell/parse-shell.js';

export interface StartContext {
  tree: Pick<RepoTree, 'files' | 'dirs' | 'git'>;
  /** a repository file's text (relative path), read through discovery; undefined when missing or unreadable */
  read(path: string): SourceFile | undefined;
  /** parsed scripts, shared by every service of every environment */
  cache: Map<string, Promise<ParsedText>>;
}

export function createStartContext(tree: StartContext['tree'], read: StartContext['read']): StartContext {
  return { tree, read, cache: new Map() };
}

/** The start plan of one service; undefined when nothing about its start is known (an external image without command). */
export async function buildStartPlan(svc: ServiceModel, ctx: StartContext): Promise<StartPlan | undefined> {
  const stage = svc.runtime.stage;
  if (!stage && !svc.command && !svc.entrypoint) return undefined;
  return new Planner(svc, ctx).run();
}

// ---------------------------------------------------------------------------------------------

interface ParsedText {
  script: ShellScript;
  /** guards of each command, by the command's start offset (`range[0]`) */
  guards: Map<number, Guard[]>;
}

interface Word {
  text: string;
  /** false when the text still holds an expansion we could not resolve */
  known: boolean;
  /** where the word is written, when not at the level that uses it (the CMD reaching a script through "$@") */
  src?: { origin: StartOrigin; loc: Location };
  /** where the text sits verbatim in a file: a `sh -c` string re-parsed from here gets exact locations */
  map?: { source: SourceFile; offset: number };
}

interface Frame {
  origin: StartOrigin;
  /** the location of words written at this level */
  loc: Location;
  cwd: string;
  user?: string;
  env: Map<string, string | null>;
  exec: boolean;
  conditional: boolean;
  conditions: string[];
  /** the conditions' truth so far: true (no condition, or all hold), false, undefined (unknown) */
  holds: boolean | undefined;
  inLoop: boolean;
  background: boolean;
  depth: number;
  scriptPath?: string;
  via?: Location;
  /** scripts being expanded (recursion guard) */
  stack: string[];
  inPackageScript: boolean;
}

/** Shell state while walking one script or string. */
interface State {
  cwd: string;
  env: Map<string, string | null>;
  positional: Word[];
  arg0?: Word;
  ended: boolean;
}

const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'mksh']);
/** Builtins that start no program; their effects (cd, export, set --, shift, exit) are applied separately. */
const BUILTINS = new Set([
  ':', 'true', 'false', 'set', 'shift', 'export', 'readonly', 'declare', 'local', 'typeset', 'unset', 'cd', 'trap', 'umask', 'wait',
  'return', 'exit', 'shopt', 'alias', 'unalias', 'read', 'test', '[', '[[', 'echo', 'printf', 'break', 'continue', 'eval', 'ulimit',
  'hash', 'type', 'command', 'getopts', 'let', 'pushd', 'popd', 'dirs',
]);
const DECLARATIONS = new Set(['export', 'readonly', 'declare', 'local', 'typeset']);
/** Set by every base image or by Docker itself: never "certainly unset". */
const AMBIENT = new Set(['PATH', 'HOME', 'HOSTNAME', 'LANG', 'LC_ALL', 'PWD', 'TERM', 'SHLVL', 'USER', 'GPG_KEY', 'PYTHON_VERSION', 'PYTHON_SHA256', 'PYTHON_PIP_VERSION', 'NODE_VERSION', 'YARN_VERSION', 'RUBY_VERSION', 'GOPATH']);
const DEFAULT_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
const MAX_STEPS = 400;
const MAX_DEPTH = 12;

class Planner {
  private readonly steps: StartStep[] = [];
  private readonly envs: Map<string, string | null>[] = [];
  private readonly scripts: StartScript[] = [];
  private readonly unresolved: { message: string; loc: Location }[] = [];
  private readonly stage: StageModel | undefined;
  private readonly contextDir: string | undefined;
  private readonly files: ImageFilesOptions;
  /** every env_file was read: a variable none of them sets is unset (unless the base image sets it) */
  private readonly envComplete: boolean;

  constructor(
    private readonly svc: ServiceModel,
    private readonly ctx: StartContext,
  ) {
    this.stage = svc.runtime.stage;
    this.contextDir = svc.build?.context;
    const files: ImageFilesOptions = { tree: ctx.tree };
    const stages = svc.runtime.dockerfile?.stages;
    if (stages) files.stages = stages;
    const ignore = svc.build?.dockerignore;
    if (ignore) files.dockerignore = ignore;
    this.files = files;
    this.envComplete = svc.envFiles.every((r) => !r.required || ctx.tree.files.has(r.path));
  }

  async run(): Promise<StartPlan> {
    const { svc, stage } = this;
    const env = new Map<string, string | null>();
    for (const [k, v] of stage?.env ?? []) env.set(k, v.value);
    // with an env_file missing, a value from an env_file may be overridden by the missing one
    for (const [k, v] of svc.env) env.set(k, !this.envComplete && v.from === 'env_file' ? null : v.value);
    const workingDir = scalarText(mapGet(svc.node, 'working_dir'));
    const cwd = workingDir ? posix.resolve(stage?.workdir ?? '/', workingDir) : (stage?.workdir ?? '/');
    const user = svc.user?.value ?? stage?.user?.value;

    // moby daemon/commit.go merge: the container's Entrypoint/Cmd against the image's
    let ep: StartCommandPart | undefined;
    let cmd: StartCommandPart | undefined;
    const cEp = svc.entrypoint;
    const cCmd = svc.command;
    if (cEp && cEp.argv.length) {
      ep = part(cEp, 'compose-entrypoint');
      if (cCmd && cCmd.argv.length) cmd = part(cCmd, 'compose-command');
    } else {
      if (cCmd && cCmd.argv.length) cmd = part(cCmd, 'compose-command');
      else if (stage?.cmd) cmd = part(stage.cmd, 'dockerfile-cmd');
      if (!cEp && stage?.entrypoint) ep = part(stage.entrypoint, 'dockerfile-entrypoint');
    }

    const plan: StartPlan = {
      argv: [...(ep?.argv ?? []), ...(cmd?.argv ?? [])],
      cmdIgnored: ep?.form === 'shell' && cmd !== undefined,
      imageKnown: stage !== undefined,
      baseEntrypointUnknown: !cEp && !stage?.entrypoint,
      cwd,
      steps: this.steps,
      scripts: this.scripts,
      servers: [],
      migrationSteps: [],
      unresolved: this.unresolved,
    };
    if (ep) plan.entrypoint = ep;
    if (cmd) plan.cmd = cmd;
    if (user !== undefined) plan.user = user;

    const words: Word[] = [];
    for (const p of [ep, cmd]) {
      if (!p) continue;
      p.argv.forEach((a, i) => {
        const w: Word = { text: a, known: true, src: { origin: p.origin, loc: p.loc } };
        const map = p.form === 'shell' && i === p.argv.length - 1 ? this.dockerfileMap(p, a) : undefined;
        if (map) w.map = map;
        words.push(w);
      });
    }
    const first = ep ?? cmd;
    if (first) {
      const top: Frame = {
        origin: first.origin, loc: first.loc, cwd, env, exec: true, conditional: false, conditions: [], holds: true,
        inLoop: false, background: false, depth: 0, stack: [], inPackageScript: false,
      };
      if (user !== undefined) top.user = user;
      await this.resolveArgv(words, top);
    }

    plan.servers = serverFacts(this.steps, {
      envAt: (i) => (name) => {
        const e = this.envs[i];
        if (e?.has(name)) return e.get(name)!;
        return this.envComplete ? undefined : null;
      },
      exists: (p) => this.exists(p),
    });
    plan.migrationSteps = findMigrationSteps(this.steps);
    return plan;
  }

  // --- one command line ----------------------------------------------------------------------

  private async resolveArgv(words: Word[], f: Frame): Promise<void> {
    if (!words.length || this.steps.length >= MAX_STEPS || f.depth > MAX_DEPTH) return;
    const texts = words.map((w) => w.text);
    const u = unwrapCommand(texts[0]!, texts.slice(1));
    const k = texts.length - u.args.length - 1;
    let { cwd, user, env } = f;
    for (let i = 0; i < k; i++) {
      const b = commandBasename(texts[i]!);
      if ((b === 'gosu' || b === 'su-exec') && i + 1 < k) user = texts[++i];
      else if (b === 'setpriv') {
        for (let j = i + 1; j < k; j++) {
          const a = texts[j]!;
          if (a === '--reuid' || a === '--ruid' || a === '--euid') user = texts[j + 1];
          else if (/^--(?:reuid|ruid|euid)=/.test(a)) user = a.slice(a.indexOf('=') + 1);
        }
      } else if (b === 'env') {
        let j = i + 1;
        for (; j < k; j++) {
          const a = texts[j]!;
          if (a === '-C' || a === '--chdir') cwd = posix.resolve(cwd, texts[++j] ?? '.');
          else if (a.startsWith('--chdir=')) cwd = posix.resolve(cwd, a.slice('--chdir='.length));
          else if (a === '-i' || a === '--ignore-environment' || a === '-') env = new Map();
          else if (a === '-u' || a === '--unset') {
            env = new Map(env);
            env.delete(texts[++j] ?? '');
          } else if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(a)) {
            env = new Map(env);
            const eq = a.indexOf('=');
            env.set(a.slice(0, eq), words[j]!.known ? a.slice(eq + 1) : null);
          } else if (!a.startsWith('-')) break; // the wrapped command (maybe another wrapper)
        }
        i = j - 1;
      }
    }
    const prog = words[k]!;
    const args = words.slice(k + 1);
    const src = prog.src ?? { origin: f.origin, loc: f.loc };
    const step: StartStep = {
      name: commandBasename(prog.text),
      argv: texts.slice(k),
      wrappers: u.wrappers,
      cwd,
      exec: f.exec,
      conditional: f.conditional,
      inLoop: f.inLoop,
      background: f.background,
      loc: src.loc,
      origin: src.origin,
      depth: f.depth,
    };
    if (user !== undefined) step.user = user;
    if (f.conditional && f.conditions.length) step.conditions = [...f.conditions];
    if (f.conditional && f.holds !== undefined) step.conditionHolds = f.holds;
    if (f.scriptPath !== undefined) step.scriptPath = f.scriptPath;
    // words that came from elsewhere (the CMD through "$@") are run by this script line
    const via = prog.src && f.origin === 'script' && prog.src.origin !== 'script' ? f.loc : f.via;
    if (via) step.via = via;
    this.steps.push(step);
    this.envs.push(env);
    const child: Frame = { ...f, cwd, env, depth: f.depth + 1 };
    if (user !== undefined) child.user = user;
    delete child.via;
    await this.expand(step, prog, args, child);
  }

  /** Follow what the step runs: a `sh -c` string, a shell script, a package script. */
  private async expand(step: StartStep, prog: Word, args: Word[], f: Frame): Promise<void> {
    const argTexts = args.map((a) => a.text);
    if (SHELLS.has(step.name)) {
      const idx = shellStringIndex(argTexts);
      if (idx >= 0) {
        const str = args[idx]!;
        const rest = args.slice(idx + 1);
        step.expands = 'shell-string';
        const where = str.src ?? { origin: f.origin, loc: step.loc };
        const frame: Frame = { ...f, origin: where.origin, loc: where.loc, exec: false };
        const state: State = { cwd: f.cwd, env: f.env, positional: rest.slice(1), ended: false };
        if (rest[0]) state.arg0 = rest[0];
        await this.runText(str.text, frame, state, str.map);
        return;
      }
      const si = shellScriptOperand(argTexts);
      if (si >= 0) {
        const errexit = argTexts.slice(0, si).some((a) => /^-[A-Za-z]*e/.test(a)) || argTexts.slice(0, si).join(' ').includes('-o errexit');
        await this.runScriptFile(args[si]!, args.slice(si + 1), 'interpreter', step, f, errexit);
      }
      return;
    }
    if (step.name === '.' || step.name === 'source') {
      if (args[0]) await this.runScriptFile(args[0], args.slice(1), 'sourced', step, f, false);
      return;
    }
    if (!f.inPackageScript) {
      const pk = packageScript(step.name, argTexts);
      if (pk) {
        await this.runPackageScript(pk, step, f);
        return;
      }
    }
    await this.runScriptFile(prog, args, 'direct', step, f, false);
  }

  // --- scripts -------------------------------------------------------------------------------

  private async runScriptFile(pathWord: Word, argWords: Word[], invocation: StartScript['invocation'], step: StartStep, f: Frame, errexitFlag: boolean): Promise<void> {
    const p = pathWord.text;
    if (!p || !pathWord.known || /[$`]/.test(p)) return;
    // worth reporting when missing: a script by its name or a path relative to the working directory
    // (an absolute path such as /usr/local/bin/gunicorn is usually installed, not copied)
    const looksLikeScript = /\.(?:sh|bash)$/.test(p) || p.startsWith('./') || p.startsWith('../');
    const candidates = p.includes('/')
      ? [posix.resolve(f.cwd, p)]
      : invocation === 'direct'
        ? this.pathDirs(f.env).map((d) => posix.join(d, p))
        : [posix.resolve(f.cwd, p), ...this.pathDirs(f.env).map((d) => posix.join(d, p))];
    let found: ResolvedFile | undefined;
    let imagePath = '';
    for (const c of candidates) {
      found = this.resolveFile(c);
      if (found) {
        imagePath = c;
        break;
      }
    }
    if (!found) {
      if (looksLikeScript || invocation === 'interpreter') this.unresolved.push({ message: `${p}: no repository file provides it in the container`, loc: step.loc });
      return;
    }
    const src = this.ctx.read(found.repoPath);
    if (!src) {
      this.unresolved.push({ message: `${found.repoPath}: could not be read`, loc: step.loc });
      return;
    }
    const text = src.text;
    const shebang = text.startsWith('#!') ? text.slice(2).split('\n', 1)[0]!.replace(/\r$/, '').trim() : undefined;
    const interp = shebang === undefined ? undefined : shebangInterpreter(shebang);
    const isShell = invocation !== 'direct' ? true : interp !== undefined ? SHELLS.has(interp) : /\.(?:sh|bash)$/.test(p);
    if (!isShell || f.stack.includes(imagePath)) return;
    const parsed = await this.parse(`file:${found.repoPath}`, text, { file: found.repoPath, source: src });
    const script: StartScript = {
      path: imagePath,
      repoPath: found.repoPath,
      providedBy: found.providedBy,
      invocation,
      loc: step.loc,
      errexit: parsed.script.errexit || errexitFlag,
      lastCommandExec: lastCommandExec(parsed.script),
      crlf: text.includes('\r\n'),
      hasErrors: parsed.script.hasErrors,
    };
    if (shebang !== undefined) script.shebang = shebang;
    if (found.copy) {
      script.copyLoc = found.copy.loc;
      if (found.copy.chmod !== undefined) script.copyChmod = found.copy.chmod;
    }
    const mode = this.ctx.tree.git?.modes.get(found.repoPath);
    if (mode !== undefined) script.gitMode = mode;
    if (!this.scripts.some((s) => s.path === script.path && sameLoc(s.loc, script.loc))) this.scripts.push(script);
    step.expands = 'script';
    step.runsScript = imagePath;
    const frame: Frame = { ...f, origin: 'script', loc: step.loc, exec: false, scriptPath: imagePath, stack: [...f.stack, imagePath] };
    const state: State = { cwd: f.cwd, env: f.env, positional: argWords, arg0: pathWord, ended: false };
    await this.walk(parsed, frame, state, src);
  }

  /** `npm start`, `npm run X`, `yarn X`, `pnpm run X`: the package.json script, parsed as `sh -c` would run it. */
  private async runPackageScript(pk: PackageScriptRef, step: StartStep, f: Frame): Promise<void> {
    let found: ResolvedFile | undefined;
    let pkgPath = '';
    for (let dir = f.cwd; ; dir = posix.dirname(dir)) {
      pkgPath = posix.join(dir, 'package.json');
      found = this.resolveFile(pkgPath);
      if (found || dir === '/') break;
    }
    if (!found) {
      this.unresolved.push({ message: `${pk.pm} ${pk.script}: no package.json in the container's ${f.cwd} (or above)`, loc: step.loc });
      return;
    }
    const src = this.ctx.read(found.repoPath);
    let scripts: Record<string, unknown> = {};
    try {
      const json = src ? (JSON.parse(src.text) as { scripts?: Record<string, unknown> }) : undefined;
      if (json && typeof json.scripts === 'object' && json.scripts) scripts = json.scripts;
    } catch {
      this.unresolved.push({ message: `${found.repoPath}: not valid JSON`, loc: step.loc });
      return;
    }
    const pkgDir = posix.dirname(pkgPath);
    const body = (name: string): string | undefined => {
      const v = scripts[name];
      if (typeof v === 'string') return v;
      // npm: "If there is a server.js file in the root of your package, then npm will default the start command to node server.js."
      if (name === 'start' && pk.pm === 'npm' && this.exists(posix.join(pkgDir, 'server.js'))) return 'node server.js';
      return undefined;
    };
    const main = body(pk.script);
    if (main === undefined) {
      this.unresolved.push({ message: `${found.repoPath} has no "${pk.script}" script`, loc: step.loc });
      return;
    }
    step.expands = 'package-script';
    // npm runs pre<name> and post<name> around a script; yarn 2+ and pnpm do not by default
    const names = pk.pm === 'npm' ? [`pre${pk.script}`, pk.script, `post${pk.script}`] : [pk.script];
    for (const n of names) {
      const b = n === pk.script ? main : body(n);
      if (b === undefined) continue;
      const text = n === pk.script && pk.extra.length ? `${b} ${pk.extra.map(shellQuote).join(' ')}` : b;
      const where = src ? scriptLocation(src, n, b) : undefined;
      const frame: Frame = {
        ...f, origin: 'script', loc: where?.loc ?? { file: found.repoPath }, exec: false, scriptPath: pkgPath, inPackageScript: true, cwd: pkgDir,
      };
      const state: State = { cwd: pkgDir, env: f.env, positional: [], ended: false };
      await this.runText(text, frame, state, text === b ? where?.map : undefined);
    }
  }

  /** Parse and walk a shell text (a `sh -c` string or a package script). */
  private async runText(text: string, f: Frame, state: State, map: Word['map']): Promise<void> {
    const parsed = map
      ? await this.parse(`map:${map.source.path}:${map.offset}:${text.length}`, text, { file: map.source.path, source: map.source, baseOffset: map.offset })
      : await this.parse(`text:${f.loc.file}\0${text}`, text, { file: f.loc.file });
    await this.walk(parsed, f, state, map?.source);
  }

  private parse(key: string, text: string, origin: ShellOrigin): Promise<ParsedText> {
    let p = this.ctx.cache.get(key);
    if (!p) {
      p = (async () => {
        const script = await parseShell(text, origin);
        const base = origin.baseOffset ?? 0;
        const starts = script.commands.map((c) => c.range[0] - base);
        const byOffset = await analyzeGuards(text, starts);
        const guards = new Map<number, Guard[]>();
        for (const c of script.commands) guards.set(c.range[0], byOffset.get(c.range[0] - base) ?? []);
        return { script, guards };
      })();
      this.ctx.cache.set(key, p);
    }
    return p;
  }

  /** Walk a parsed text's top-level commands in order; `source` gives exact locations when the text is in a file. */
  private async walk(parsed: ParsedText, frame: Frame, state: State, source: SourceFile | undefined): Promise<void> {
    const cmds = parsed.script.commands.filter((c) => !c.context.inShellString);
    const funcs = new Map<string, ShellCommand[]>();
    for (const c of cmds) {
      const fn = c.context.functionName;
      if (fn === undefined) continue;
      const list = funcs.get(fn) ?? [];
      list.push(c);
      funcs.set(fn, list);
    }
    const st: State = { ...state, env: new Map(state.env) };
    for (const c of cmds) {
      if (st.ended || this.steps.length >= MAX_STEPS) break;
      if (c.context.functionName !== undefined) continue;
      await this.visit(c, parsed, frame, st, funcs, source, []);
    }
  }

  private async visit(c: ShellCommand, parsed: ParsedText, frame: Frame, st: State, funcs: Map<string, ShellCommand[]>, source: SourceFile | undefined, fnStack: string[]): Promise<void> {
    const guards = parsed.guards.get(c.range[0]) ?? [];
    const lookup = this.lookupFor(st);
    let holds = frame.holds;
    const texts: string[] = [];
    for (const g of guards) {
      const v = g.caseItem ? evalCase(g.caseItem.word, g.caseItem.patterns, lookup, g.caseItem.earlier) : evalCondition(g.text, lookup);
      holds = combine(holds, v === undefined ? undefined : g.negate ? !v : v);
      texts.push(g.negate ? `!(${g.text})` : g.text);
    }
    const guarded = guards.length > 0;
    const ctx = c.context;
    const inLoop = frame.inLoop || ctx.loop === 'while' || ctx.loop === 'until';
    const background = frame.background || ctx.background;
    // state changes we follow: those that certainly happen, in this shell
    const stateful = !guarded && !ctx.subshell && !ctx.background && !ctx.inCondition && ctx.connector !== '|' && !ctx.loop;
    const name = c.name;

    if (name === '') {
      if (stateful) for (const a of c.assignments) st.env.set(a.name, expandAssignment(c, a.name, lookup));
      return;
    }
    if (DECLARATIONS.has(name)) {
      if (stateful)
        for (const a of c.args) {
          const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(a.raw);
          if (!m) continue;
          const e = expandWord(m[2]!, lookup);
          st.env.set(m[1]!, e.known ? e.text : null);
        }
      return;
    }
    if (name === 'cd') {
      if (stateful && c.args[0]) {
        const t = expandWord(c.args[0].raw, lookup);
        if (t.known && t.text !== '-') st.cwd = posix.resolve(st.cwd, t.text);
      }
      return;
    }
    if (name === 'set') {
      const i = c.args.findIndex((a) => a.text === '--');
      if (stateful && i >= 0) st.positional = this.expandArgs(c.args.slice(i + 1), st, source);
      return;
    }
    if (name === 'shift') {
      if (stateful) st.positional = st.positional.slice(Number(c.args[0]?.text ?? 1) || 1);
      return;
    }
    if (stateful) {
      // `: "${PORT:=8000}"` (or any word) assigns the default when the variable is unset (or empty)
      for (const a of c.args)
        for (const d of defaultAssignments(a.raw)) {
          const cur = st.env.get(d.name);
          const unset = !st.env.has(d.name) && lookup(d.name) === 'unset';
          if (unset || (d.colon && cur === '')) {
            const e = expandText(d.word, lookup);
            st.env.set(d.name, e.known ? e.text : null);
          }
        }
    }
    if (name === 'exit') {
      if (stateful) st.ended = true;
      return;
    }
    if (BUILTINS.has(name)) return;

    const ff: Frame = {
      ...frame,
      loc: source ? c.loc : frame.loc,
      cwd: st.cwd,
      env: new Map(st.env),
      exec: c.exec,
      conditional: frame.conditional || guarded || ctx.connector === '||',
      conditions: [...frame.conditions, ...texts],
      holds,
      inLoop,
      background,
    };
    for (const a of c.assignments) ff.env.set(a.name, expandAssignment(c, a.name, lookup));

    const body = funcs.get(name);
    if (body && !fnStack.includes(name)) {
      const fst: State = { ...st, positional: this.expandArgs(c.args, st, source) };
      for (const fc of body) {
        if (fst.ended) break;
        await this.visit(fc, parsed, ff, fst, funcs, source, [...fnStack, name]);
      }
      if (stateful) {
        st.cwd = fst.cwd;
        if (fst.ended) st.ended = true;
      }
      return;
    }

    const words = this.expandArgs(c.nameWord ? [c.nameWord, ...c.args] : c.args, st, source);
    await this.resolveArgv(words, ff);
    // `exec prog` replaces the shell: nothing after it runs
    if (c.exec && stateful && words.length > 0) st.ended = true;
  }

  /** Shell words → argv words: `"$@"` spliced, `$1` substituted, known variables expanded. */
  private expandArgs(words: ShellWord[], st: State, source: SourceFile | undefined): Word[] {
    const lookup = this.lookupFor(st);
    const out: Word[] = [];
    for (const w of words) {
      if (isAllArgs(w.raw)) {
        out.push(...st.positional);
        continue;
      }
      const pi = positionalIndex(w.raw);
      if (pi !== undefined) {
        const v = pi === 0 ? st.arg0 : st.positional[pi - 1];
        if (v) out.push(v);
        else if (w.raw.startsWith('"')) out.push({ text: '', known: true });
        continue;
      }
      const e = expandWord(w.raw, lookup);
      if (e.splits && e.known) {
        for (const part of e.text.split(/\s+/)) if (part) out.push({ text: part, known: true });
        continue;
      }
      const word: Word = { text: e.text, known: e.known };
      const map = source ? wordMap(w, e.text, source) : undefined;
      if (map) word.map = map;
      out.push(word);
    }
    return out;
  }

  private lookupFor(st: State): VarLookup {
    return (name) => {
      if (/^\d+$/.test(name)) {
        const n = Number(name);
        if (n === 0) return st.arg0?.known ? st.arg0.text : undefined;
        const w = st.positional[n - 1];
        return w ? (w.known ? w.text : undefined) : 'unset';
      }
      if (name === '#') return st.positional.every((w) => w.known) ? String(st.positional.length) : undefined;
      if (name === '@' || name === '*') return st.positional.every((w) => w.known) ? st.positional.map((w) => w.text).join(' ') : undefined;
      if (st.env.has(name)) return st.env.get(name) ?? undefined;
      return this.envComplete && !AMBIENT.has(name) && /^[A-Za-z_]/.test(name) ? 'unset' : undefined;
    };
  }

  // --- files in the container ----------------------------------------------------------------

  /** The repository file at `imagePath` in the running container: a bind mount over it, else a COPY/ADD. */
  private resolveFile(imagePath: string): ResolvedFile | undefined {
    const mount = this.mountOver(imagePath);
    if (mount) {
      const repo = mount.rel ? `${mount.hostPath}/${mount.rel}` : mount.hostPath;
      return this.ctx.tree.files.has(repo) ? { repoPath: repo, providedBy: 'bind-mount' } : undefined;
    }
    if (!this.stage) return undefined;
    const r = imageFileSource(this.stage, this.contextDir, imagePath, this.files);
    return r ? { repoPath: r.repoPath, providedBy: 'image', copy: r.step } : undefined;
  }

  /** Whether a path exists in the container; undefined when nothing tells. */
  private exists(imagePath: string): boolean | undefined {
    const mount = this.mountOver(imagePath);
    if (mount) {
      const repo = mount.rel ? `${mount.hostPath}/${mount.rel}` : mount.hostPath;
      return this.ctx.tree.files.has(repo) || this.ctx.tree.dirs.has(repo);
    }
    if (!this.stage) return undefined;
    return imagePathExistsFromCopies(this.stage, this.contextDir, imagePath, this.files);
  }

  /** The bind mount (from inside the repository) whose target holds imagePath; the deepest target wins. */
  private mountOver(imagePath: string): { hostPath: string; rel: string } | undefined {
    let best: { hostPath: string; rel: string; depth: number } | undefined;
    for (const m of this.svc.mounts) {
      if (m.type !== 'bind' || m.hostPath === undefined || !m.target.startsWith('/')) continue;
      const host = m.hostPath;
      if (host.startsWith('/') || host.startsWith('~') || host === '..' || host.startsWith('../') || /^[A-Za-z]:/.test(host)) continue;
      const target = posix.normalize(m.target).replace(/\/$/, '') || '/';
      const rel = imagePath === target ? '' : imagePath.startsWith(target === '/' ? '/' : `${target}/`) ? imagePath.slice(target === '/' ? 1 : target.length + 1) : undefined;
      if (rel === undefined) continue;
      const depth = target.split('/').length;
      if (!best || depth >= best.depth) best = { hostPath: host, rel, depth };
    }
    return best && { hostPath: best.hostPath, rel: best.rel };
  }

  private pathDirs(env: Map<string, string | null>): string[] {
    const v = env.get('PATH');
    const dirs = typeof v === 'string' ? v.split(':').filter((d) => d.startsWith('/')) : [];
    return [...new Set([...dirs, ...DEFAULT_PATH])];
  }

  /** Exact locations for a Dockerfile shell-form CMD/ENTRYPOINT whose text is verbatim in the file. */
  private dockerfileMap(p: StartCommandPart, text: string): Word['map'] | undefined {
    const df = this.svc.runtime.dockerfile;
    if (!df || p.loc.file !== df.path) return undefined;
    const ins = df.ast.instructions.find((i) => i.loc.startLine === p.loc.startLine && i.loc.startColumn === p.loc.startColumn && (i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT'));
    if (!ins) return undefined;
    const [a, b] = ins.argsRange;
    return df.source.text.slice(a, b) === text ? { source: df.source, offset: a } : undefined;
  }
}

interface ResolvedFile {
  repoPath: string;
  providedBy: 'image' | 'bind-mount';
  copy?: CopyStep;
}

// ---------------------------------------------------------------------------------------------
// helpers

function part(spec: CommandSpec, origin: StartOrigin): StartCommandPart {
  return { argv: spec.argv, form: spec.form, origin, loc: spec.loc };
}

function combine(a: boolean | undefined, b: boolean | undefined): boolean | undefined {
  if (a === false || b === false) return false;
  if (a === undefined || b === undefined) return undefined;
  return true;
}

function expandAssignment(c: ShellCommand, name: string, lookup: VarLookup): string | null {
  const a = c.assignments.find((x) => x.name === name);
  if (!a) return null;
  // parse-shell gives the value unquoted with expansions as written
  const e = expandText(a.value, lookup);
  return e.known ? e.text : null;
}

/** The word's text sits verbatim in the file (a quoted string without escapes): where it starts. */
function wordMap(w: ShellWord, text: string, source: SourceFile): Word['map'] | undefined {
  if (w.loc.startLine === undefined || w.loc.startColumn === undefined || w.loc.file !== source.path) return undefined;
  const start = source.offsetOf(w.loc.startLine, w.loc.startColumn);
  const raw = w.raw;
  let offset: number;
  if ((raw.startsWith("'") && raw.endsWith("'")) || (raw.startsWith('"') && raw.endsWith('"') && !/[\\$`]/.test(raw))) offset = start + 1;
  else if (!/["'\\$`]/.test(raw)) offset = start;
  else return undefined;
  return source.text.slice(offset, offset + text.length) === text ? { source, offset } : undefined;
}


/** Index of the script operand of `sh [options] script [args…]`, or -1 (`-s`, `-i`, none). */
function shellScriptOperand(args: string[]): number {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--' || a === '-') return i + 1 < args.length ? i + 1 : -1;
    if (a.startsWith('--')) {
      if (a === '--rcfile' || a === '--init-file') i++;
      continue;
    }
    if (/^[-+][A-Za-z]+$/.test(a)) {
      if (/[sic]/.test(a.slice(1)) && a[0] === '-') return -1;
      if (/[oO]/.test(a)) i++;
      continue;
    }
    return i;
  }
  return -1;
}

/** `/bin/sh -e` → sh; `/usr/bin/env -S bash -e` → bash. */
function shebangInterpreter(shebang: string): string | undefined {
  const t = shebang.split(/\s+/).filter(Boolean);
  let k = 0;
  if (commandBasename(t[0] ?? '') === 'env') {
    k = 1;
    while (k < t.length && t[k]!.startsWith('-')) k++;
  }
  return t[k] === undefined ? undefined : commandBasename(t[k]!);
}

function lastCommandExec(script: ShellScript): boolean {
  const top = script.commands.filter((c) => c.name !== '' && c.context.functionName === undefined && !c.context.inShellString && !c.context.subshell);
  return top[top.length - 1]?.exec ?? false;
}

function sameLoc(a: Location, b: Location): boolean {
  return a.file === b.file && a.startLine === b.startLine && a.startColumn === b.startColumn;
}

interface PackageScriptRef {
  pm: 'npm' | 'yarn' | 'pnpm';
  script: string;
  extra: string[];
}

const NPM_LIFECYCLE = new Set(['start', 'stop', 'test', 'restart']);
const YARN_BUILTINS = new Set(['install', 'add', 'remove', 'upgrade', 'up', 'exec', 'dlx', 'node', 'bin', 'cache', 'config', 'info', 'init', 'link', 'pack', 'publish', 'why', 'workspace', 'workspaces', 'set', 'plugin', 'dedupe', 'constraints', 'global', 'import', 'create', 'audit', 'outdated', 'version', 'login', 'logout', 'list', 'check', 'autoclean', 'licenses', 'owner', 'tag', 'team', 'unlink', 'generate-lock-entry', 'policies', 'help']);
const PNPM_BUILTINS = new Set(['install', 'i', 'add', 'remove', 'rm', 'update', 'up', 'exec', 'dlx', 'link', 'unlink', 'import', 'rebuild', 'prune', 'fetch', 'store', 'list', 'ls', 'outdated', 'why', 'audit', 'pack', 'publish', 'server', 'env', 'setup', 'create', 'deploy', 'config', 'help', 'root', 'bin']);

function packageScript(name: string, args: string[]): PackageScriptRef | undefined {
  const nonFlag = (from: number): number => {
    let i = from;
    while (i < args.length && args[i]!.startsWith('-') && args[i] !== '--') i++;
    return i;
  };
  const extraAfter = (i: number): string[] => {
    const rest = args.slice(i + 1);
    const dd = rest.indexOf('--');
    return name === 'npm' ? (dd >= 0 ? rest.slice(dd + 1) : []) : rest.filter((a) => a !== '--');
  };
  if (name === 'npm') {
    const i = nonFlag(0);
    const a = args[i];
    if (!a) return undefined;
    if (NPM_LIFECYCLE.has(a) || a === 't' || a === 'tst') return { pm: 'npm', script: a === 't' || a === 'tst' ? 'test' : a, extra: extraAfter(i) };
    if (a === 'run' || a === 'run-script' || a === 'rum' || a === 'urn') {
      const j = nonFlag(i + 1);
      return args[j] ? { pm: 'npm', script: args[j]!, extra: extraAfter(j) } : undefined;
    }
    return undefined;
  }
  if (name === 'yarn' || name === 'pnpm') {
    const i = nonFlag(0);
    const a = args[i];
    if (!a) return undefined;
    if (a === 'run' || a === 'run-script') {
      const j = nonFlag(i + 1);
      return args[j] ? { pm: name, script: args[j]!, extra: extraAfter(j) } : undefined;
    }
    if ((name === 'yarn' ? YARN_BUILTINS : PNPM_BUILTINS).has(a)) return undefined;
    return { pm: name, script: a, extra: extraAfter(i) };
  }
  return undefined;
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The location of `"name": "body"` under `"scripts"` in package.json, and the body's offset when it is verbatim. */
function scriptLocation(src: SourceFile, name: string, body: string): { loc: Location; map?: Word['map'] } | undefined {
  const text = src.text;
  const scriptsAt = text.search(/"scripts"\s*:\s*\{/);
  if (scriptsAt < 0) return undefined;
  const re = new RegExp(`"${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"\\s*:\\s*"`, 'g');
  re.lastIndex = scriptsAt;
  const m = re.exec(text);
  if (!m) return undefined;
  const valueStart = m.index + m[0].length;
  const line = src.position(m.index).line;
  const out: { loc: Location; map?: Word['map'] } = { loc: src.lineLocation(line) };
  if (text.slice(valueStart, valueStart + body.length) === body && text[valueStart + body.length] === '"') out.map = { source: src, offset: valueStart };
  return out;
}
