/**
 * The model-building step for what Python services really run (runtime-types.ts): for every
 * enabled service built from this repository, the modules its start path names (server apps,
 * `python -m`, `--chdir`, Django settings) resolved in its image, the Celery app `-A` finds,
 * the Django settings module the main process selects with its path settings evaluated, and
 * the Django commands its image build runs (`RUN manage.py collectstatic`) with theirs. Also
 * the reverse-proxy configurations bind-mounted into services.
 *
 * Runs after the start plans, the image filesystem models and the dependency model. Reads only
 * the Python files it needs (import chains, settings modules and what they star-import).
 */
import { posix } from 'node:path';
import type { Location } from '../../core/location.js';
import type { SourceFile } from '../../core/source-file.js';
import type { PyModule } from '../../parse/python/module-types.js';
import { parsePython } from '../../parse/python/parse-python.js';
import { parseOptions } from '../start/servers.js';
import { invocationOf } from '../start/invocation.js';
import type { EnvironmentModel, ProjectModel, ServerFact, ServiceModel, StageModel, StartStep } from '../types.js';
import { findCeleryApp } from './celery.js';
import { chainSettings, importChain, productionCandidates, selectSettings, SettingsEvaluator, type DjangoContext, type PyFiles, type SelectionInput } from './django.js';
import { effectiveEnv } from './effective.js';
import { readProxies } from './proxy.js';
import {
  buildStepView, installedNames, knownThirdParty, pathPresence, resolveModule, searchPath, serverSearchPath, serviceImageView,
  type ImageView, type InstalledNames, type ModuleResolution, type SearchEntry,
} from './python-modules.js';
import type { CeleryAppFact, DjangoBuildCommand, DjangoRuntime, DjangoSettingsFacts, ServicePython } from './runtime-types.js';
import { isStdlibModule } from '../../knowledge/python-imports.js';

const APP_SERVERS = new Set<ServerFact['kind']>(['gunicorn', 'uvicorn', 'daphne', 'hypercorn']);
const HTTP_KINDS = new Set<ServerFact['kind']>(['gunicorn', 'uvicorn', 'daphne', 'hypercorn', 'django-runserver']);
const MODULE_NAME = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** Set `svc.python` on every enabled service built here, and `model.proxies`. */
export async function addPythonRuntime(model: ProjectModel, readText: (path: string) => SourceFile | undefined): Promise<void> {
  const parsed = new Map<string, Promise<PyModule | undefined>>();
  const files: PyFiles = {
    read: (p) => model.sources.get(p) ?? readText(p),
    parse(p) {
      let r = parsed.get(p);
      if (!r) {
        const src = files.read(p);
        r = src ? parsePython(src).catch(() => undefined) : Promise.resolve(undefined);
        parsed.set(p, r);
      }
      return r;
    },
  };
  for (const env of model.environments)
    for (const svc of env.services) {
      if (!svc.enabled || !svc.start || !svc.runtime.stage || svc.build?.context === undefined) continue;
      try {
        const facts = await serviceFacts(model, env, svc, files);
        if (facts.references.length || facts.celery.length || facts.django || facts.djangoBuild.length) svc.python = facts;
      } catch {
        // a model step never fails the scan; the service simply has no Python facts
      }
    }
  const proxies = readProxies(model.environments, model.tree, readText);
  if (proxies.length) model.proxies = proxies;
}

// ---------------------------------------------------------------------------------------------

interface ServiceCtx {
  model: ProjectModel;
  env: EnvironmentModel;
  svc: ServiceModel;
  files: PyFiles;
  view: ImageView;
  installed: InstalledNames;
  /** the container's environment (image ENV < env_file < environment), with names start scripts assign as unknown */
  envAt(name: string): string | null | undefined;
  pythonPath: string | null | undefined;
  /** an env_file of the service could not be read: variables it may set are unknown */
  opaqueEnvFile: boolean;
  /** DJANGO_SETTINGS_MODULE / CELERY_APP assignments in start scripts */
  scriptAssign(name: string): { value: string | null; loc: Location } | undefined;
}

interface DjangoStep {
  index: number;
  step: StartStep;
  program: string;
  search: SearchEntry[];
  cwd: string;
  input: SelectionInput;
  server?: ServerFact;
  subcommand?: string;
}

async function serviceFacts(model: ProjectModel, env: EnvironmentModel, svc: ServiceModel, files: PyFiles): Promise<ServicePython> {
  const plan = svc.start!;
  const stage = svc.runtime.stage!;
  const view = serviceImageView(model, svc);
  const installed = installedNames(model, env.name, svc, stage);
  const vars = effectiveEnv(env, svc);
  const scriptVars = new Map<string, { value: string | null; loc: Location }>();
  for (const s of plan.scripts) {
    const src = files.read(s.repoPath);
    if (!src) continue;
    for (const m of src.text.matchAll(/^[ \t]*(?:export[ \t]+)?([A-Za-z_]\w*)=("[^"\n]*"|'[^'\n]*'|[^\s;&|]*)/gm)) {
      const raw = m[2]!.replace(/^["']|["']$/g, '');
      const start = m.index + m[0].indexOf(m[1]!);
      const prev = scriptVars.get(m[1]!);
      const value = raw.includes('$') || (prev && prev.value !== raw) ? null : raw;
      scriptVars.set(m[1]!, { value, loc: src.location(start, start + m[0].trim().length) });
    }
  }
  // an env_file drydock cannot read (missing, gitignored, outside the tree) may set anything
  const opaqueEnvFile = svc.envFiles.some((f) => !model.envFiles.has(f.path));
  const ctx: ServiceCtx = {
    model, env, svc, files, view, installed, opaqueEnvFile,
    envAt(name) {
      if (scriptVars.has(name)) return scriptVars.get(name)!.value;
      const v = vars.get(name);
      return v ? v.value : opaqueEnvFile ? null : undefined;
    },
    pythonPath: undefined,
    scriptAssign: (name) => scriptVars.get(name),
  };
  ctx.pythonPath = ctx.envAt('PYTHONPATH');
  const out: ServicePython = { references: [], celery: [], djangoBuild: [] };
  const django: DjangoStep[] = [];

  plan.steps.forEach((step, index) => {
    if (step.expands) return;
    const server = plan.servers.find((s) => s.step === index);
    const inv = invocationOf(step);
    if (server && APP_SERVERS.has(server.kind)) appServer(ctx, out, django, step, index, server);
    else if (server && (server.kind === 'celery-worker' || server.kind === 'celery-beat')) celeryWorker(ctx, out, django, step, index, server);
    else if (inv.tool === 'manage.py') manageCommand(ctx, django, step, index, inv.args, server);
    else pythonModule(ctx, out, step, index);
  });

  // Django settings each Django step imports
  const seen = new Set<string>();
  for (const d of django) {
    const sel = selectSettings(d.input);
    if (sel.status !== 'set' || !sel.module || !sel.loc) continue;
    const key = `${sel.module}@${sel.loc.file}:${sel.loc.startLine}:${sel.loc.startColumn}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.references.push({ kind: 'settings', name: sel.module, tool: d.program, step: d.index, loc: sel.loc, result: resolveModule(view, sel.module, d.search, installed) });
  }

  // the main Django process
  const main = [...django].reverse().find((d) => d.server && certainly(d.step)) ?? [...django].reverse().find((d) => certainly(d.step));
  if (main) out.django = await djangoRuntime(ctx, main, django);
  out.djangoBuild = await buildCommands(ctx, stage);
  return out;
}

const certainly = (s: StartStep): boolean => (!s.conditional || s.conditionHolds === true) && !s.background;

/** The location of `literal` inside a step's location, when it is written there once (else the step's location). */
function wordLoc(ctx: ServiceCtx, loc: Location, literal: string): Location {
  const src = ctx.model.composeFiles.get(loc.file)?.source ?? ctx.files.read(loc.file);
  if (!src || loc.startLine === undefined) return loc;
  const a = src.offsetOf(loc.startLine, loc.startColumn ?? 1);
  const b = loc.endLine !== undefined ? src.offsetOf(loc.endLine, loc.endColumn ?? 1) : src.text.indexOf('\n', a);
  const slice = src.text.slice(a, b < 0 ? undefined : b);
  const re = new RegExp(`(?<![A-Za-z0-9_.:-])${literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9_.-])`, 'g');
  const hits = [...slice.matchAll(re)];
  if (hits.length !== 1) return loc;
  const s = a + hits[0]!.index;
  return src.location(s, s + literal.length);
}

function envSelection(ctx: ServiceCtx, step: StartStep): Pick<SelectionInput, 'commandEnv' | 'variable'> {
  const out: Pick<SelectionInput, 'commandEnv' | 'variable'> = {};
  // `DJANGO_SETTINGS_MODULE=x cmd` on the step's own line
  const src = ctx.model.composeFiles.get(step.loc.file)?.source ?? ctx.files.read(step.loc.file);
  const line = src && step.loc.startLine !== undefined ? src.line(step.loc.startLine) : '';
  const inline = /\bDJANGO_SETTINGS_MODULE=("[^"]*"|'[^']*'|[^\s;&|]+)/.exec(line);
  if (inline && src) {
    const raw = inline[1]!.replace(/^["']|["']$/g, '');
    const start = src.offsetOf(step.loc.startLine!, 1) + inline.index;
    out.commandEnv = { value: raw.includes('$') ? null : raw, loc: src.location(start, start + inline[0].length) };
    return out;
  }
  const script = ctx.scriptAssign('DJANGO_SETTINGS_MODULE');
  if (script) {
    out.commandEnv = script;
    return out;
  }
  const v = effectiveEnv(ctx.env, ctx.svc).get('DJANGO_SETTINGS_MODULE');
  if (v) out.variable = { value: v.value, loc: v.loc, from: v.from, overrode: v.overrode };
  else if (ctx.opaqueEnvFile) {
    const f = ctx.svc.envFiles.find((e) => !ctx.model.envFiles.has(e.path))!;
    out.variable = { value: null, loc: f.loc, from: 'env_file', overrode: [] };
  }
  return out;
}

function appServer(ctx: ServiceCtx, out: ServicePython, django: DjangoStep[], step: StartStep, index: number, server: ServerFact): void {
  const { cwd, search } = serverSearchPath(server, step, ctx.pythonPath);
  if (server.kind === 'gunicorn') {
    if (server.chdir) {
      const o = parseOptions(invocationOf(step).args, new Set(['--pythonpath', '--chdir', '-b', '--bind', '-c', '--config', '-w', '--workers', '-k', '--worker-class']), {});
      const written = o.opts.get('--chdir')?.at(-1) ?? server.chdir;
      const pr = pathPresence(ctx.view, server.chdir);
      const result: ModuleResolution = {
        status: pr.exists === true ? (pr.kind === 'dir' ? 'found' : 'missing') : pr.exists === false ? 'missing' : 'unknown',
        module: written,
        searched: [],
        ...(pr.exists === undefined ? { reason: pr.reason } : {}),
      };
      out.references.push({ kind: 'chdir', name: written, tool: 'gunicorn', step: index, loc: wordLoc(ctx, step.loc, written), result, dir: server.chdir });
      if (result.status !== 'found') return;
    }
  }
  const app = server.app;
  if (!app || app.includes('$')) return;
  const module = app.split(':')[0]!.trim();
  if (!MODULE_NAME.test(module)) return;
  const opaque = server.kind === 'gunicorn' ? gunicornPathUnknown(ctx, server) : undefined;
  const result: ModuleResolution = opaque ? { status: 'unknown', module, searched: search, reason: opaque } : resolveModule(ctx.view, module, search, ctx.installed);
  out.references.push({ kind: 'app', name: module, tool: server.kind, step: index, loc: wordLoc(ctx, step.loc, app), result });
  if (result.status !== 'found' || result.provider !== 'image') {
    if (result.status === 'missing' && effectiveEnv(ctx.env, ctx.svc).has('DJANGO_SETTINGS_MODULE'))
      django.push({ index, step, program: server.kind, search, cwd, server, input: { code: {}, ...envSelection(ctx, step) } });
    return;
  }
  const chain = importChain({ files: ctx.files, view: ctx.view, search, installed: ctx.installed }, module);
  const code = chainSettings(ctx.files, chain);
  if (!code.mentionsDjango) return;
  django.push({ index, step, program: server.kind, search, cwd, server, input: { code, ...envSelection(ctx, step) } });
}

/** gunicorn may get `chdir`/`pythonpath` from its config file or GUNICORN_CMD_ARGS: then sys.path is not what the command line says. */
function gunicornPathUnknown(ctx: ServiceCtx, server: ServerFact): string | undefined {
  // an unreadable env_file is not taken to set GUNICORN_CMD_ARGS: only what drydock sees counts here
  const cmdArgs = ctx.opaqueEnvFile && !effectiveEnv(ctx.env, ctx.svc).has('GUNICORN_CMD_ARGS') ? undefined : ctx.envAt('GUNICORN_CMD_ARGS');
  if (cmdArgs === null) return 'GUNICORN_CMD_ARGS is set from the deploying shell';
  if (cmdArgs && /--pythonpath/.test(cmdArgs)) return 'GUNICORN_CMD_ARGS sets --pythonpath';
  if (!server.configFile) return undefined;
  const pr = pathPresence(ctx.view, server.configFile);
  if (pr.exists === false) return undefined;
  if (pr.exists === undefined || !pr.repoPath) return `the config file ${server.configFile} may set chdir or pythonpath`;
  const text = ctx.files.read(pr.repoPath)?.text;
  if (text === undefined || /\b(?:chdir|pythonpath|wsgi_app)\b|sys\.path/.test(text)) return `${pr.repoPath} sets chdir, pythonpath or the app`;
  return undefined;
}

function celeryWorker(ctx: ServiceCtx, out: ServicePython, django: DjangoStep[], step: StartStep, index: number, server: ServerFact): void {
  const inv = invocationOf(step);
  const o = parseOptions(inv.args, new Set(['--workdir', '-A', '--app', '-b', '--broker', '-l', '--loglevel', '-c', '--concurrency', '-Q', '--queues', '-n', '--hostname', '-P', '--pool', '--config', '--loader', '--result-backend']), { '-A': '--app' });
  const workdir = o.opts.get('--workdir')?.at(-1);
  const cwd = workdir && !workdir.includes('$') ? posix.resolve(step.cwd, workdir) : step.cwd;
  let app = server.app;
  let loc: Location | undefined = app ? wordLoc(ctx, step.loc, app) : undefined;
  if (!app) {
    const s = ctx.scriptAssign('CELERY_APP');
    const v = effectiveEnv(ctx.env, ctx.svc).get('CELERY_APP');
    const val = s ? s.value : v?.value;
    if (val) {
      app = val;
      loc = s?.loc ?? v!.loc;
    }
  }
  if (!app || !loc || app.includes('$')) return;
  const search = searchPath([{ dir: cwd, why: workdir ? '--workdir' : 'the working directory' }], ctx.pythonPath, cwd);
  const r = findCeleryApp({ view: ctx.view, search, installed: ctx.installed, read: (p) => ctx.files.read(p) }, app);
  const fact: CeleryAppFact = { app, loc, step: index, command: server.kind === 'celery-beat' ? 'beat' : 'worker', ...r };
  if (r.status === 'module-missing' || r.status === 'no-app') {
    const names = r.status === 'module-missing' ? (r.module?.available ?? []) : [];
    const suggestions: string[] = [];
    for (const n of names.slice(0, 8)) {
      const c = findCeleryApp({ view: ctx.view, search, installed: ctx.installed, read: (p) => ctx.files.read(p) }, n);
      if (c.status === 'found') suggestions.push(n);
    }
    if (suggestions.length) fact.suggestions = suggestions;
  }
  out.celery.push(fact);
  if (r.status !== 'found' || !r.resolved) {
    // the app does not load, but the service is still set up to run Django: keep its settings facts
    if (r.status !== 'unknown' && effectiveEnv(ctx.env, ctx.svc).has('DJANGO_SETTINGS_MODULE'))
      django.push({ index, step, program: `celery ${fact.command}`, search, cwd, server, input: { code: {}, ...envSelection(ctx, step) } });
    return;
  }
  const module = r.resolved.split(':')[0]!;
  const chain = importChain({ files: ctx.files, view: ctx.view, search, installed: ctx.installed }, module);
  const code = chainSettings(ctx.files, chain);
  if (!code.mentionsDjango) return;
  django.push({ index, step, program: `celery ${fact.command}`, search, cwd, server, input: { code, ...envSelection(ctx, step) } });
}

function manageCommand(ctx: ServiceCtx, django: DjangoStep[], step: StartStep, index: number, args: string[], server: ServerFact | undefined): void {
  const script = step.argv.find((w) => posix.basename(w) === 'manage.py');
  let first: SearchEntry[];
  let chain: string[] = [];
  if (script) {
    const imagePath = posix.resolve(step.cwd, script);
    const pr = pathPresence(ctx.view, imagePath);
    if (pr.exists !== true || !pr.repoPath) return; // migrations/wrong-cwd reports a missing manage.py
    first = [{ dir: posix.dirname(imagePath), why: `the directory of ${posix.basename(imagePath)}` }];
    chain = [pr.repoPath];
  } else first = [{ dir: step.cwd, why: 'the working directory' }];
  const o = parseOptions(args, new Set(['--settings', '--pythonpath', '-v', '--verbosity']), {});
  for (const p of o.opts.get('--pythonpath') ?? []) first.push({ dir: posix.resolve(step.cwd, p), why: '--pythonpath' });
  const search = searchPath(first, ctx.pythonPath, step.cwd);
  const code = chainSettings(ctx.files, chain);
  const input: SelectionInput = { code, ...envSelection(ctx, step) };
  const flag = o.opts.get('--settings')?.at(-1);
  if (flag && !flag.includes('$')) input.flag = { module: flag, loc: wordLoc(ctx, step.loc, flag) };
  const d: DjangoStep = { index, step, program: `manage.py ${o.positionals[0] ?? ''}`.trim(), search, cwd: step.cwd, input };
  if (server) d.server = server;
  if (o.positionals[0]) d.subcommand = o.positionals[0];
  django.push(d);
}

/** `python -m mod` for a module that is the app's own (tools and the standard library are other rules' business). */
function pythonModule(ctx: ServiceCtx, out: ServicePython, step: StartStep, index: number): void {
  if (!/^(?:python(?:\d+(?:\.\d+)?)?|pypy\d*)$/.test(step.name)) return;
  const args = step.argv.slice(1);
  let mod: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-m') {
      mod = args[i + 1];
      break;
    }
    if (a === '-c' || a === '--' || !a.startsWith('-')) return;
    if (a === '-X' || a === '-W') i++;
  }
  if (!mod || !MODULE_NAME.test(mod)) return;
  const top = mod.split('.')[0]!;
  if (isStdlibModule(top) || knownThirdParty(top)) return;
  const search = searchPath([{ dir: step.cwd, why: 'the working directory' }], ctx.pythonPath, step.cwd);
  out.references.push({ kind: 'main', name: mod, tool: 'python -m', step: index, loc: wordLoc(ctx, step.loc, mod), result: resolveModule(ctx.view, mod, search, ctx.installed) });
}

function djangoContext(ctx: ServiceCtx, view: ImageView, search: SearchEntry[], cwd: string, env: (n: string) => string | null | undefined): DjangoContext {
  return { files: ctx.files, view, search, installed: ctx.installed, env, cwd };
}

async function djangoRuntime(ctx: ServiceCtx, main: DjangoStep, all: DjangoStep[]): Promise<DjangoRuntime> {
  const selection = selectSettings(main.input);
  const out: DjangoRuntime = {
    step: main.index,
    program: main.program,
    selection,
    productionCandidates: [],
    servesHttp: main.server !== undefined && HTTP_KINDS.has(main.server.kind),
    collectsAtStart: all.some((d) => d.subcommand === 'collectstatic' && (!d.step.conditional || d.step.conditionHolds !== false)),
  };
  if (selection.status !== 'set' || !selection.module) return out;
  const dctx = djangoContext(ctx, ctx.view, main.search, main.cwd, (n) => (n === 'DJANGO_SETTINGS_MODULE' ? selection.module : ctx.envAt(n)));
  const resolution = resolveModule(ctx.view, selection.module, main.search, ctx.installed);
  out.resolution = resolution;
  if (resolution.status !== 'found') return out;
  const facts = await new SettingsEvaluator(dctx).facts(resolution);
  if (facts) {
    checkPaths(ctx.view, facts);
    for (const a of facts.installedApps ?? []) {
      // `blog.apps.BlogConfig` names the AppConfig; the app package is the module before `.apps.`
      const mod = a.name.replace(/\.apps\.\w+$/, '');
      if (!MODULE_NAME.test(mod)) continue;
      const r = resolveModule(ctx.view, mod, main.search, ctx.installed);
      if (r.status !== 'found' || r.provider !== 'image' || !r.packageDirs?.length) continue;
      const m = pathPresence(ctx.view, posix.join(r.packageDirs[0]!, 'migrations', '__init__.py'));
      if (m.exists !== undefined) a.migrations = m.exists;
    }
    out.settings = facts;
  }
  out.productionCandidates = await productionCandidates(dctx, resolution, facts);
  return out;
}

/** Whether each path setting's directory exists in the container, and where the same tail does exist. */
function checkPaths(view: ImageView, facts: DjangoSettingsFacts): void {
  for (const e of facts.pathEntries) {
    const pr = pathPresence(view, e.path);
    if (pr.exists === true) e.exists = pr.kind === 'dir';
    else if (pr.exists === false) e.exists = false;
    if (e.exists !== false) continue;
    const name = posix.basename(e.path);
    const ctxDir = view.contextDir;
    if (ctxDir !== undefined && name) {
      const prefix = ctxDir ? `${ctxDir}/` : '';
      const found: string[] = [];
      for (const d of view.tree.dirs) {
        if (d.startsWith(prefix) && posix.basename(d) === name && !d.split('/').some((x) => x === 'node_modules' || x === '.venv' || x === 'site-packages')) found.push(d);
        if (found.length >= 3) break;
      }
      if (found.length) e.inRepo = found.sort();
    }
    if (!e.from) continue;
    let base = e.from.base;
    for (let up = 1; up <= 3 && base !== '/'; up++) {
      base = posix.dirname(base);
      const cand = posix.join(base, ...e.from.tail);
      // the image's own content: a volume mounted there at runtime does not make the suggestion wrong
      const c = pathPresence({ ...view, mounts: [] }, cand);
      if (c.exists === true && c.kind === 'dir') {
        e.alternative = { path: cand, base, levelsUp: up };
        break;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// build-time Django commands

const BUILD_COMMAND = /(?:^|[\s;&|(])((?:\S*\/)?manage\.py|django-admin)\s+(?:(?:-\S+\s+)*)(collectstatic|compress|compilemessages)\b/;

async function buildCommands(ctx: ServiceCtx, stage: StageModel): Promise<DjangoBuildCommand[]> {
  const stages = ctx.svc.runtime.dockerfile?.stages ?? [stage];
  const chain: StageModel[] = [];
  for (let s: StageModel | undefined = stage; s && !chain.includes(s); s = s.baseStage === undefined ? undefined : stages[s.baseStage]) chain.unshift(s);
  const out: DjangoBuildCommand[] = [];
  const envSoFar = new Map<string, { value: string | null; loc: Location }>();
  const args = new Set<string>();
  let workdir = '/';
  for (const st of chain) {
    for (const ins of st.instructions) {
      if (ins.keyword === 'WORKDIR') {
        const w = ins.args[0]?.value.replace(/^["']|["']$/g, '');
        if (w && !w.includes('$')) workdir = posix.resolve(workdir, w);
      } else if (ins.keyword === 'ARG') for (const a of ins.args) args.add(a.value.split('=')[0]!);
      else if (ins.keyword === 'ENV') {
        const [first] = ins.args;
        if (!first) continue;
        const pairs: [string, string, Location][] = first.value.includes('=')
          ? ins.args.map((a) => [a.value.split('=')[0]!, a.value.slice(a.value.indexOf('=') + 1), a.loc])
          : [[first.value, ins.argsText.replace(/^\S+\s*/, ''), ins.loc]];
        for (const [k, v, loc] of pairs) {
          const raw = v.replace(/^["']|["']$/g, '');
          envSoFar.set(k, { value: raw.includes('$') ? null : raw, loc });
        }
      } else if (ins.keyword === 'RUN') {
        const text = ins.argsText + ins.heredocs.map((h) => `\n${h.body}`).join('');
        const m = BUILD_COMMAND.exec(text);
        if (!m) continue;
        const view = buildStepView(ctx.view, st, ins);
        const inline = new Map<string, string | null>();
        for (const a of text.matchAll(/(?:^|[\s;&|(])(?:export\s+)?([A-Za-z_]\w*)=("[^"]*"|'[^']*'|[^\s;&|]*)/g)) {
          const raw = a[2]!.replace(/^["']|["']$/g, '');
          inline.set(a[1]!, raw.includes('$') ? null : raw);
        }
        const envAt = (n: string): string | null | undefined => (inline.has(n) ? inline.get(n)! : envSoFar.has(n) ? envSoFar.get(n)!.value : args.has(n) ? null : undefined);
        const script = m[1]!;
        let first: SearchEntry[];
        let codeChain: string[] = [];
        if (script !== 'django-admin') {
          const imagePath = posix.resolve(workdir, script);
          const pr = pathPresence(view, imagePath);
          if (pr.exists !== true || !pr.repoPath) continue;
          first = [{ dir: posix.dirname(imagePath), why: `the directory of ${posix.basename(imagePath)}` }];
          codeChain = [pr.repoPath];
        } else first = [{ dir: workdir, why: 'the working directory' }];
        const pythonPath = envAt('PYTHONPATH');
        const search = searchPath(first, pythonPath, workdir);
        const input: SelectionInput = { code: chainSettings(ctx.files, codeChain) };
        const flag = /--settings(?:=|\s+)([\w.]+)/.exec(text);
        const src = ctx.svc.runtime.dockerfile?.source;
        if (flag) {
          const at = text.indexOf(flag[0]) + flag[0].indexOf(flag[1]!);
          const loc = src && at < ins.argsText.length ? src.location(ins.argsRange[0] + at, ins.argsRange[0] + at + flag[1]!.length) : ins.loc;
          input.flag = { module: flag[1]!, loc };
        }
        if (inline.has('DJANGO_SETTINGS_MODULE')) {
          const at = text.indexOf('DJANGO_SETTINGS_MODULE=');
          const loc = src && at >= 0 && at < ins.argsText.length ? src.location(ins.argsRange[0] + at, ins.argsRange[0] + at + 'DJANGO_SETTINGS_MODULE='.length + (inline.get('DJANGO_SETTINGS_MODULE') ?? '').length) : ins.loc;
          input.commandEnv = { value: inline.get('DJANGO_SETTINGS_MODULE')!, loc };
        } else if (envSoFar.has('DJANGO_SETTINGS_MODULE')) {
          const e = envSoFar.get('DJANGO_SETTINGS_MODULE')!;
          input.variable = { value: e.value, loc: e.loc, from: 'dockerfile', overrode: [] };
        }
        const selection = selectSettings(input);
        const cmd: DjangoBuildCommand = { command: m[2] as DjangoBuildCommand['command'], loc: ins.loc, stage: st.index, selection };
        if (selection.status === 'set' && selection.module) {
          const resolution = resolveModule(view, selection.module, search, ctx.installed);
          if (resolution.status === 'found') {
            const facts = await new SettingsEvaluator(djangoContext(ctx, view, search, workdir, (n) => (n === 'DJANGO_SETTINGS_MODULE' ? selection.module : envAt(n)))).facts(resolution);
            if (facts) cmd.settings = facts;
          }
        }
        out.push(cmd);
      }
    }
  }
  return out;
}
