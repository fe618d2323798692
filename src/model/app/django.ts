/**
 * Django as a deployed process sees it: which settings module it loads, and what that module's
 * path settings evaluate to inside the container.
 *
 * DJANGO_SETTINGS_MODULE, in the order Django honours it:
 * 1. `manage.py <cmd> --settings=X` / `django-admin --settings=X`: ManagementUtility writes it into
 *    `os.environ` before the command runs (django/core/management/base.py `handle_default_options`;
 *    https://docs.djangoproject.com/en/stable/ref/django-admin/#cmdoption-settings);
 * 2. `os.environ["DJANGO_SETTINGS_MODULE"] = "X"` in code on the import path (overrides the env);
 * 3. the process environment: a `VAR=x cmd` prefix or `export` in a start script, compose
 *    `environment` > `env_file` > Dockerfile `ENV`;
 * 4. `os.environ.setdefault("DJANGO_SETTINGS_MODULE", "X")` in the code the command goes through
 *    (manage.py, the wsgi/asgi module, the Celery app module and the package `__init__` modules
 *    imported before it); the first one executed wins, and only when nothing above set it
 *    (https://docs.djangoproject.com/en/stable/topics/settings/#designating-the-settings).
 *
 * Settings modules are Python: assignments are evaluated in order, following `from .base import *`
 * (star imports copy the other module's names at that point), with `__file__` set to the module's
 * path in the image, so `BASE_DIR = Path(__file__).resolve().parent.parent` gives the directory
 * the running process computes. Assignments inside `if`/`try` blocks, mutations and dynamic
 * namespaces (`globals()`, `exec`, django-split-settings) make the names they touch unknown.
 */
import { posix } from 'node:path';
import type { Location } from '../../core/location.js';
import type { SourceFile } from '../../core/source-file.js';
import type { PyModule } from '../../parse/python/module-types.js';
import { asPath, evaluate, UNKNOWN, type EvalScope, type PyItem, type PyVal } from './py-eval.js';
import { pathPresence, resolveModule, type ImageView, type InstalledNames, type ModuleResolution, type SearchEntry } from './python-modules.js';
import type { DjangoSettingsFacts, PathSettingEntry, ProductionSettingsCandidate, SettingFact, SettingsSelection } from './runtime-types.js';

export interface PyFiles {
  /** a repository file's text */
  read(repoPath: string): SourceFile | undefined;
  /** the parsed module (cached) */
  parse(repoPath: string): Promise<PyModule | undefined>;
}

/** The filesystem and import context a Django process (or build step) runs in. */
export interface DjangoContext {
  files: PyFiles;
  view: ImageView;
  search: SearchEntry[];
  installed: InstalledNames;
  /** the process environment: a value, null (unknown), undefined (unset) */
  env(name: string): string | null | undefined;
  cwd: string;
}

// ------------------------------------------------------------------ the import path's defaults

export interface CodeSetting {
  module: string;
  /** `setdefault` (a default) or `assignment` (forces the value) */
  how: 'setdefault' | 'assignment';
  loc: Location;
  repoPath: string;
}

const SETDEFAULT = /os\.environ\.setdefault\(\s*["']DJANGO_SETTINGS_MODULE["']\s*,\s*(["'])([\w.]+)\1\s*\)/g;
const FORCED = /os\.environ\[\s*["']DJANGO_SETTINGS_MODULE["']\s*\]\s*=\s*(["'])([\w.]+)\1/g;

/** DJANGO_SETTINGS_MODULE defaults and assignments in one file, in text order. */
export function codeSettings(src: SourceFile): CodeSetting[] {
  const out: CodeSetting[] = [];
  for (const [re, how] of [[SETDEFAULT, 'setdefault'], [FORCED, 'assignment']] as const) {
    re.lastIndex = 0;
    for (const m of src.text.matchAll(re)) {
      const start = m.index + m[0].lastIndexOf(m[2]!) - 1;
      out.push({ module: m[2]!, how, loc: src.location(start, start + m[2]!.length + 2), repoPath: src.path });
    }
  }
  return out.sort((a, b) => (a.loc.startLine ?? 0) - (b.loc.startLine ?? 0));
}

/**
 * The repository files Python executes when it imports `module`, in order: each package's
 * `__init__.py` (and the sibling modules it imports at its top level), then the module itself.
 */
export function importChain(ctx: Pick<DjangoContext, 'view' | 'search' | 'installed'> & { files: Pick<PyFiles, 'read'> }, module: string): string[] {
  const out: string[] = [];
  const parts = module.split('.');
  const addWithImports = (repoPath: string, imagePath: string, depth: number): void => {
    if (out.includes(repoPath)) return;
    out.push(repoPath);
    if (depth > 1) return;
    const src = ctx.files.read(repoPath);
    if (!src) return;
    const dir = posix.dirname(imagePath);
    for (const m of src.text.matchAll(/^from\s+(\.+)([\w.]*)\s+import\s+([\w ,()]+)/gm)) {
      let base = dir;
      for (let i = 1; i < m[1]!.length; i++) base = posix.dirname(base);
      const targets = m[2] ? [m[2]] : m[3]!.replace(/[()]/g, '').split(',').map((s) => s.trim().split(/\s+/)[0]!).filter(Boolean);
      for (const t of targets) {
        const p = posix.join(base, ...t.split('.'));
        for (const cand of [`${p}.py`, `${p}/__init__.py`]) {
          const pr = pathPresence(ctx.view, cand);
          if (pr.exists === true && pr.repoPath) {
            addWithImports(pr.repoPath, cand, depth + 1);
            break;
          }
        }
      }
    }
  };
  for (let i = 1; i <= parts.length; i++) {
    const r = resolveModule(ctx.view, parts.slice(0, i).join('.'), ctx.search, ctx.installed);
    if (r.status !== 'found' || !r.repoPath || !r.imagePath) break;
    addWithImports(r.repoPath, r.imagePath, i === parts.length ? 1 : 0);
  }
  return out;
}

/** The first DJANGO_SETTINGS_MODULE default and the last forced assignment along the files Python executes. */
export function chainSettings(files: Pick<PyFiles, 'read'>, chain: readonly string[]): { setdefault?: CodeSetting; assignment?: CodeSetting; mentionsDjango: boolean } {
  let setdefault: CodeSetting | undefined;
  let assignment: CodeSetting | undefined;
  let mentionsDjango = false;
  for (const f of chain) {
    const src = files.read(f);
    if (!src) continue;
    if (/\bdjango\b|DJANGO_SETTINGS_MODULE/.test(src.text)) mentionsDjango = true;
    for (const c of codeSettings(src)) {
      if (c.how === 'setdefault') setdefault ??= c;
      else assignment = c;
    }
  }
  return { ...(setdefault ? { setdefault } : {}), ...(assignment ? { assignment } : {}), mentionsDjango };
}

export interface SelectionInput {
  flag?: { module: string; loc: Location };
  code: { setdefault?: CodeSetting; assignment?: CodeSetting };
  /** an assignment on the command line or in a start script (null: not a literal) */
  commandEnv?: { value: string | null; loc: Location };
  /** the container's environment variable */
  variable?: { value: string | null; loc: Location; from: 'environment' | 'env_file' | 'dockerfile'; overrode: { value: string | null; loc: Location }[] };
}

/** Which settings module wins, by Django's order (see the file comment). */
export function selectSettings(i: SelectionInput): SettingsSelection {
  const codeDefault = i.code.setdefault ? { module: i.code.setdefault.module, loc: i.code.setdefault.loc } : undefined;
  const withDefault = (s: SettingsSelection): SettingsSelection => (codeDefault && s.source !== 'setdefault' ? { ...s, codeDefault } : s);
  if (i.flag) return withDefault({ status: 'set', module: i.flag.module, source: 'settings-flag', loc: i.flag.loc });
  if (i.code.assignment) return withDefault({ status: 'set', module: i.code.assignment.module, source: 'code-assignment', loc: i.code.assignment.loc });
  if (i.commandEnv) {
    if (i.commandEnv.value === null || !/^[\w.]+$/.test(i.commandEnv.value)) return { status: 'unknown', reason: 'set by a start command to a value drydock cannot read', loc: i.commandEnv.loc };
    return withDefault({ status: 'set', module: i.commandEnv.value, source: 'command-env', loc: i.commandEnv.loc });
  }
  if (i.variable) {
    const v = i.variable.value;
    if (v === null) return { status: 'unknown', reason: i.variable.from === 'env_file' ? 'an env_file drydock cannot read may set it' : 'taken from the deploying shell', loc: i.variable.loc };
    if (v === '') {
      // an empty value: Django treats it as unset ("settings are not configured"), setdefault does not replace it
      return { status: 'unknown', reason: 'empty', loc: i.variable.loc };
    }
    if (!/^[\w.]+$/.test(v)) return { status: 'unknown', reason: 'not a module name', loc: i.variable.loc };
    return withDefault({ status: 'set', module: v, source: i.variable.from, loc: i.variable.loc, overrode: i.variable.overrode });
  }
  if (i.code.setdefault) return { status: 'set', module: i.code.setdefault.module, source: 'setdefault', loc: i.code.setdefault.loc };
  return { status: 'unset' };
}

// ------------------------------------------------------------------ evaluation

interface NsEntry {
  v: PyVal;
  loc: Location;
  text: string;
  /** repository path and image path of the module that assigned it */
  file: string;
  imageFile: string;
}

interface Namespace {
  names: Map<string, NsEntry>;
  opaque: boolean;
  files: string[];
  own: { name: string; loc: Location; text: string }[];
}

const MAX_STAR_DEPTH = 8;
const DYNAMIC = /\bglobals\(\)|\bexec\(|\bsplit_settings\b|\blocals\(\)\s*\[|\bvars\(\)\s*\[/;

/** Evaluate a settings module in a process context. (routes-django.ts `settingsVars` is the other settings reader; see the seam note there.) */
export class SettingsEvaluator {
  private readonly cache = new Map<string, Promise<Namespace | undefined>>();

  constructor(private readonly ctx: DjangoContext) {}

  async facts(resolution: ModuleResolution): Promise<DjangoSettingsFacts | undefined> {
    if (resolution.status !== 'found' || !resolution.imagePath || !resolution.repoPath) return undefined;
    const ns = await this.namespace(resolution.repoPath, resolution.imagePath, 0);
    if (!ns) return undefined;
    return extractFacts(resolution, ns, this.ctx.cwd);
  }

  private namespace(repoPath: string, imagePath: string, depth: number): Promise<Namespace | undefined> {
    const key = `${repoPath}\0${imagePath}`;
    let p = this.cache.get(key);
    if (!p) {
      p = this.build(repoPath, imagePath, depth);
      this.cache.set(key, p);
    }
    return p;
  }

  /** Where `from <target> import ...` written in the module at imagePath points. */
  private target(imagePath: string, written: string): { repoPath: string; imagePath: string } | undefined {
    if (written.startsWith('.')) {
      const dots = /^\.+/.exec(written)![0].length;
      let dir = posix.dirname(imagePath);
      for (let i = 1; i < dots; i++) dir = posix.dirname(dir);
      const rest = written.slice(dots);
      if (!rest) return undefined;
      const p = posix.join(dir, ...rest.split('.'));
      for (const cand of [`${p}.py`, `${p}/__init__.py`]) {
        const pr = pathPresence(this.ctx.view, cand);
        if (pr.exists === true && pr.repoPath) return { repoPath: pr.repoPath, imagePath: cand };
      }
      return undefined;
    }
    const r = resolveModule(this.ctx.view, written, this.ctx.search, this.ctx.installed);
    return r.status === 'found' && r.repoPath && r.imagePath ? { repoPath: r.repoPath, imagePath: r.imagePath } : undefined;
  }

  private async build(repoPath: string, imagePath: string, depth: number): Promise<Namespace | undefined> {
    const src = this.ctx.files.read(repoPath);
    const py = await this.ctx.files.parse(repoPath);
    if (!src || !py) return undefined;
    const ns: Namespace = { names: new Map(), opaque: DYNAMIC.test(src.text), files: [repoPath], own: [] };
    type Ev =
      | { line: number; col: number; kind: 'assign'; a: PyModule['assignments'][number] }
      | { line: number; col: number; kind: 'star'; module: string }
      | { line: number; col: number; kind: 'from'; module: string; name: string; local: string }
      | { line: number; col: number; kind: 'mutate'; name: string; list: boolean };
    const events: Ev[] = [];
    for (const a of py.assignments) events.push({ line: a.loc.startLine ?? 0, col: a.loc.startColumn ?? 1, kind: 'assign', a });
    for (const m of src.text.matchAll(/^([ \t]*)from[ \t]+([.\w]+)[ \t]+import[ \t]+\*/gm)) {
      const pos = src.position(m.index);
      events.push({ line: pos.line, col: m[1]!.length + 1, kind: 'star', module: m[2]! });
    }
    for (const imp of py.imports) if (imp.name && imp.name !== '*' && /^[A-Z][A-Z0-9_]*$/.test(imp.name)) events.push({ line: imp.loc.startLine ?? 0, col: imp.loc.startColumn ?? 1, kind: 'from', module: imp.module, name: imp.name, local: imp.local });
    for (const m of src.text.matchAll(/^([A-Z][A-Z0-9_]*)(?:\s*(\+=|\|=)|\s*\[[^\n]*\]\s*=[^=]|\.(append|extend|insert|update|setdefault|pop|remove)\()/gm)) {
      const pos = src.position(m.index);
      events.push({ line: pos.line, col: 1, kind: 'mutate', name: m[1]!, list: m[2] === '+=' || m[3] === 'append' || m[3] === 'extend' || m[3] === 'insert' });
    }
    events.sort((a, b) => a.line - b.line || a.col - b.col);
    const scope: EvalScope = {
      lookup: (n) => ns.names.get(n)?.v,
      env: (n) => this.ctx.env(n),
      file: imagePath,
      cwd: this.ctx.cwd,
    };
    for (const e of events) {
      if (e.kind === 'assign') {
        const a = e.a;
        if (!a.value) continue;
        const offset = src.offsetOf(a.value.loc.startLine ?? 1, a.value.loc.startColumn ?? 1);
        const conditional = e.col > 1;
        let v = conditional ? UNKNOWN : evaluate(a.value.text, scope, (s, t) => src.location(offset + s, offset + t));
        if (a.value.kind === 'call' && a.value.text.startsWith('environ.Env(')) v = { k: 'fn', name: 'env' };
        ns.names.set(a.name, { v, loc: a.loc, text: a.value.text, file: repoPath, imageFile: imagePath });
        if (!conditional && /^[A-Z][A-Z0-9_]*$/.test(a.name)) ns.own.push({ name: a.name, loc: a.loc, text: a.value.text });
      } else if (e.kind === 'star' || e.kind === 'from') {
        if (depth >= MAX_STAR_DEPTH) {
          ns.opaque = true;
          continue;
        }
        const t = this.target(imagePath, e.module);
        if (!t) {
          if (e.kind === 'star' && e.col === 1) ns.opaque = true; // an unconditional star import we cannot follow
          continue;
        }
        const other = await this.namespace(t.repoPath, t.imagePath, depth + 1);
        if (!other) {
          ns.opaque = true;
          continue;
        }
        if (other.opaque) ns.opaque = true;
        for (const f of other.files) if (!ns.files.includes(f)) ns.files.push(f);
        const conditional = e.col > 1;
        const copy = (name: string, entry: NsEntry): void => {
          ns.names.set(name, conditional ? { ...entry, v: UNKNOWN } : entry);
        };
        if (e.kind === 'star') {
          for (const [name, entry] of other.names) if (!name.startsWith('_')) copy(name, entry);
        } else {
          const entry = other.names.get(e.name);
          if (entry) copy(e.local, entry);
        }
      } else {
        const cur = ns.names.get(e.name);
        if (cur && !(e.list && cur.v.k === 'list')) ns.names.set(e.name, { ...cur, v: UNKNOWN });
      }
    }
    return ns;
  }
}

const DEFAULT_STATIC_STORAGE = 'django.contrib.staticfiles.storage.StaticFilesStorage';

function extractFacts(resolution: ModuleResolution, ns: Namespace, cwd: string): DjangoSettingsFacts {
  const out: DjangoSettingsFacts = {
    module: resolution.module,
    imagePath: resolution.imagePath!,
    repoPath: resolution.repoPath!,
    files: ns.files,
    opaque: ns.opaque,
    pathEntries: [],
    ownNames: ns.own,
    inherits: ns.files.slice(1),
  };
  const entry = (name: string): NsEntry | undefined => (ns.opaque ? undefined : ns.names.get(name));
  const pathFact = (name: string): SettingFact<string> | undefined => {
    const e = entry(name);
    const p = e ? asPath(e.v, cwd) : undefined;
    return e && p ? { value: p, loc: e.loc, text: e.text } : undefined;
  };
  const strFact = (name: string): SettingFact<string> | undefined => {
    const e = entry(name);
    return e && e.v.k === 'str' ? { value: e.v.s, loc: e.loc, text: e.text } : undefined;
  };
  const base = entry('BASE_DIR');
  const baseDir = pathFact('BASE_DIR');
  if (base && baseDir) {
    let up = 0;
    let p = base.imageFile;
    while (p !== '/' && p !== baseDir.value && up < 10) {
      p = posix.dirname(p);
      up++;
    }
    out.baseDir = p === baseDir.value ? { ...baseDir, up } : baseDir;
  }
  const sr = pathFact('STATIC_ROOT');
  if (sr) out.staticRoot = sr;
  const mr = pathFact('MEDIA_ROOT');
  if (mr) out.mediaRoot = mr;
  const su = strFact('STATIC_URL');
  if (su) out.staticUrl = su;
  const mu = strFact('MEDIA_URL');
  if (mu) out.mediaUrl = mu;
  const dbg = entry('DEBUG');
  if (dbg && dbg.v.k === 'bool') out.debug = { value: dbg.v.b, loc: dbg.loc, text: dbg.text };
  // static files storage
  const storages = entry('STORAGES');
  const legacy = entry('STATICFILES_STORAGE');
  if (storages) {
    const sf = storages.v.k === 'dict' ? storages.v.entries.get('staticfiles') : undefined;
    const be = sf?.v.k === 'dict' ? sf.v.entries.get('BACKEND') : undefined;
    if (be?.v.k === 'str') out.staticStorage = { value: be.v.s, loc: be.loc ?? storages.loc, text: be.text };
  } else if (legacy) {
    if (legacy.v.k === 'str') out.staticStorage = { value: legacy.v.s, loc: legacy.loc, text: legacy.text };
  } else if (!ns.opaque) out.staticStorage = { value: DEFAULT_STATIC_STORAGE, loc: { file: resolution.repoPath! }, text: '', defaulted: true };
  const apps = entry('INSTALLED_APPS');
  if (apps && apps.v.k === 'list') {
    out.installedApps = [];
    for (const it of apps.v.items) if (it.v.k === 'str') out.installedApps.push({ name: it.v.s, ...(it.loc ? { loc: it.loc } : {}) });
  }
  // path lists
  const pushPaths = (setting: string, v: PyVal, fallback: NsEntry, pair = false): void => {
    if (v.k !== 'list') return;
    for (const it of v.items) {
      let item: PyItem = it;
      if (pair && it.v.k === 'list' && it.v.items.length === 2) item = it.v.items[1]!;
      const p = asPath(item.v, cwd);
      if (!p) continue;
      const e: PathSettingEntry = { setting, path: p, loc: item.loc ?? fallback.loc, text: item.text };
      if (item.v.k === 'path' && item.v.from) e.from = item.v.from;
      out.pathEntries.push(e);
    }
  };
  const sd = entry('STATICFILES_DIRS');
  if (sd) pushPaths('STATICFILES_DIRS', sd.v, sd, true);
  const lp = entry('LOCALE_PATHS');
  if (lp) pushPaths('LOCALE_PATHS', lp.v, lp);
  const tpl = entry('TEMPLATES');
  if (tpl && tpl.v.k === 'list')
    for (const t of tpl.v.items) {
      if (t.v.k !== 'dict') continue;
      const dirs = t.v.entries.get('DIRS');
      if (dirs) pushPaths('TEMPLATES DIRS', dirs.v, tpl);
    }
  return out;
}

/** Django's `collectstatic` output goes through a manifest (hashed names, staticfiles.json). */
export function isManifestStorage(backend: string): boolean {
  return /Manifest/.test(backend.split('.').pop() ?? '');
}

// ------------------------------------------------------------------ production variants

const PROD_NAMES = ['production', 'prod', 'settings_production', 'settings_prod', 'production_settings', 'prod_settings'];
const PROD_RE = /(?:^|[._])(?:prod|production|live)(?:$|[._])/i;

/** Whether a settings module name reads as the production variant. */
export function isProductionModule(module: string): boolean {
  return PROD_RE.test(module.split('.').pop() ?? '');
}

/** Production-like settings modules next to the selected one that it does not load itself. */
export async function productionCandidates(ctx: DjangoContext, selected: ModuleResolution, facts: DjangoSettingsFacts | undefined): Promise<ProductionSettingsCandidate[]> {
  if (selected.status !== 'found' || !selected.imagePath || !selected.repoPath || isProductionModule(selected.module)) return [];
  const dir = posix.dirname(selected.imagePath);
  const inPackage = selected.imagePath.endsWith('/__init__.py') || /(?:^|\/)settings$/.test(dir);
  const pkgModule = selected.imagePath.endsWith('/__init__.py') ? selected.module : selected.module.split('.').slice(0, -1).join('.');
  const loaded = new Set([selected.repoPath, ...(facts?.files ?? [])]);
  const selectedTexts = [...loaded].map((f) => ctx.files.read(f)?.text ?? '').join('\n');
  const out: ProductionSettingsCandidate[] = [];
  for (const name of PROD_NAMES) {
    if (!inPackage && !name.includes('settings')) continue;
    const imagePath = posix.join(dir, `${name}.py`);
    const pr = pathPresence(ctx.view, imagePath);
    if (pr.exists !== true || !pr.repoPath || loaded.has(pr.repoPath)) continue;
    // the selected module may pick it at runtime (`from .production import *` under a condition, import_module)
    if (new RegExp(`(?:from|import)\\s+[.\\w]*\\b${name}\\b|import_module\\(|__import__\\(`).test(selectedTexts)) continue;
    const src = ctx.files.read(pr.repoPath);
    if (!src || !/^[A-Z][A-Z0-9_]*\s*=|^from\s+\S+\s+import\s+\*/m.test(src.text)) continue;
    const py = await ctx.files.parse(pr.repoPath);
    const sets = (py?.assignments ?? [])
      .filter((a) => a.value && (a.loc.startColumn ?? 1) === 1 && /^[A-Z][A-Z0-9_]*$/.test(a.name))
      .slice(0, 4)
      .map((a) => ({ name: a.name, text: a.value!.text.replace(/\s+/g, ' ').slice(0, 80), loc: a.loc }));
    out.push({ module: pkgModule ? `${pkgModule}.${name}` : name, repoPath: pr.repoPath, sets });
  }
  return out;
}
