/**
 * Lock files: uv.lock and poetry.lock (TOML, `[[package]] name/version`) and package-lock.json
 * (v1, v2, v3). Each becomes name → locked versions, plus what the lock recorded about the root
 * project, so the model can tell whether a lock still matches its manifest.
 *
 * Whether a lock matches is judged by sets, as the tools themselves describe it, not by hashes:
 * poetry.lock's `content-hash` cannot be recomputed reliably (it depends on Poetry's version), so
 * a manifest dependency missing from the lock, or a locked version outside the manifest's range,
 * is what "out of sync" means here (uv docs, "Locking and syncing": a new dependency, or a changed
 * constraint that excludes the locked version, makes the lock outdated).
 */
import { satisfies as pep440Satisfies, validRange as pep440ValidRange } from '@renovatebot/pep440';
import semver from 'semver';
import { parse as parseToml, TomlError } from 'smol-toml';
import type { Location } from '../../core/location.js';
import type { SourceFile } from '../../core/source-file.js';
import type { NpmDependency, PackageJsonFile } from './package-json.js';
import { normalizeDistName } from './pep508.js';
import type { PyprojectFile } from './pyproject.js';
import type { PyRequirement } from './requirements.js';

export type LockKind = 'uv' | 'poetry' | 'npm';

export interface LockFile {
  path: string;
  kind: LockKind;
  /** Python: PEP 503 name → versions; npm: package name → versions (nested copies included) */
  packages: Map<string, string[]>;
  /** npm v2/v3: `packages[""]` dependency ranges by name, as the lock recorded them */
  npmRoot?: Map<string, string>;
  /** npm: the top-level copy of each package (`node_modules/<name>`), which satisfies root dependencies */
  npmTop?: Map<string, string>;
  /** npm `lockfileVersion` */
  lockfileVersion?: number;
  errors: { message: string; loc: Location }[];
}

type Table = Record<string, unknown>;
const isTable = (v: unknown): v is Table => typeof v === 'object' && v !== null && !Array.isArray(v);

export function lockKindOf(path: string): LockKind | undefined {
  const name = path.slice(path.lastIndexOf('/') + 1);
  if (name === 'uv.lock') return 'uv';
  if (name === 'poetry.lock') return 'poetry';
  if (name === 'package-lock.json' || name === 'npm-shrinkwrap.json') return 'npm';
  return undefined;
}

export function parseLock(source: SourceFile): LockFile | undefined {
  const kind = lockKindOf(source.path);
  if (!kind) return undefined;
  return kind === 'npm' ? parseNpmLock(source) : parseTomlLock(source, kind);
}

function add(map: Map<string, string[]>, key: string, version: string): void {
  const list = map.get(key);
  if (!list) map.set(key, [version]);
  else if (!list.includes(version)) list.push(version);
}

function parseTomlLock(source: SourceFile, kind: 'uv' | 'poetry'): LockFile {
  const res: LockFile = { path: source.path, kind, packages: new Map(), errors: [] };
  let doc: Table;
  try {
    doc = parseToml(source.text.replace(/^\uFEFF/, '')) as Table;
  } catch (e) {
    const err = e as TomlError;
    res.errors.push({ message: String(err.message ?? e).split('\n')[0]!, loc: typeof err.line === 'number' ? source.lineLocation(err.line) : { file: source.path } });
    return res;
  }
  const pkgs = Array.isArray(doc.package) ? doc.package : [];
  for (const p of pkgs) {
    if (!isTable(p) || typeof p.name !== 'string') continue;
    // uv records the project itself (editable/virtual source) with or without a version
    add(res.packages, normalizeDistName(p.name), typeof p.version === 'string' ? p.version : '');
  }
  return res;
}

function parseNpmLock(source: SourceFile): LockFile {
  const res: LockFile = { path: source.path, kind: 'npm', packages: new Map(), errors: [] };
  let doc: unknown;
  try {
    doc = JSON.parse(source.text.replace(/^\uFEFF/, ''));
  } catch (e) {
    res.errors.push({ message: String((e as Error).message), loc: { file: source.path } });
    return res;
  }
  if (!isTable(doc)) return res;
  if (typeof doc.lockfileVersion === 'number') res.lockfileVersion = doc.lockfileVersion;
  if (isTable(doc.packages)) {
    for (const [key, entry] of Object.entries(doc.packages)) {
      if (!isTable(entry)) continue;
      if (key === '') {
        const root = new Map<string, string>();
        for (const k of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'])
          if (isTable(entry[k])) for (const [n, r] of Object.entries(entry[k])) if (typeof r === 'string') root.set(n, r);
        res.npmRoot = root;
        continue;
      }
      const i = key.lastIndexOf('node_modules/');
      if (i < 0) continue; // workspace folders
      const name = key.slice(i + 'node_modules/'.length);
      const version = typeof entry.version === 'string' ? entry.version : '';
      add(res.packages, name, version);
      if (i === 0) (res.npmTop ??= new Map()).set(name, version);
    }
  } else if (isTable(doc.dependencies)) {
    // lockfileVersion 1: nested `dependencies` maps
    const top = new Map<string, string>();
    const walk = (deps: Table, depth: number): void => {
      for (const [name, entry] of Object.entries(deps)) {
        if (!isTable(entry)) continue;
        if (typeof entry.version === 'string') {
          add(res.packages, name, entry.version);
          if (depth === 0) top.set(name, entry.version);
        }
        if (isTable(entry.dependencies)) walk(entry.dependencies, depth + 1);
      }
    };
    walk(doc.dependencies, 0);
    res.npmTop = top;
  }
  return res;
}

// ---------------------------------------------------------------- does the lock match?

export interface LockMismatch {
  /** the manifest entry (its name, as written) */
  name: string;
  /** `missing`: not in the lock at all; `version`: no locked version satisfies the manifest range */
  problem: 'missing' | 'version';
  /** the manifest's range (PEP 440 or npm) */
  range: string;
  /** the versions the lock holds (for `version`) */
  locked: string[];
  loc: Location;
}

/** PEP 440 check that never throws; undefined when the range or version cannot be read. */
export function pep440Allows(version: string, specifier: string): boolean | undefined {
  if (specifier === '') return true;
  try {
    if (!pep440ValidRange(specifier)) return undefined;
    return pep440Satisfies(version, specifier);
  } catch {
    return undefined;
  }
}

/**
 * Python manifests against uv.lock / poetry.lock. Both tools lock every extra and group and every
 * platform (universal locks), so every declared name must appear. Path/URL dependencies and
 * constraints we cannot express are skipped.
 */
export function pythonLockMismatches(requirements: PyRequirement[], lock: LockFile, project?: PyprojectFile): LockMismatch[] {
  const out: LockMismatch[] = [];
  const seen = new Set<string>();
  for (const r of requirements) {
    if (seen.has(r.key) || r.url !== undefined || r.specifier === null) continue;
    if (project?.name && r.key === project.name) continue; // self-reference (`app[dev]` in a group)
    seen.add(r.key);
    const locked = lock.packages.get(r.key);
    if (!locked) {
      out.push({ name: r.name, problem: 'missing', range: r.specifier, locked: [], loc: r.loc });
      continue;
    }
    const versions = locked.filter(Boolean);
    if (!r.specifier || !versions.length) continue;
    const verdicts = versions.map((v) => pep440Allows(v, r.specifier!));
    if (verdicts.every((v) => v === false)) out.push({ name: r.name, problem: 'version', range: r.specifier, locked: versions, loc: r.loc });
  }
  return out;
}

/** Every requirement a pyproject declares (dependencies, extras, groups): what a universal lock must hold. */
export function allPyprojectRequirements(p: PyprojectFile): PyRequirement[] {
  return [...p.dependencies, ...[...p.optional.values()].flat(), ...[...p.groups.values()].flat()];
}

/** An npm range we can check with semver, or undefined (workspace:, file:, git, URLs, tags). */
export function npmCheckableRange(range: string): { name?: string; range: string } | undefined {
  let r = range.trim();
  let name: string | undefined;
  const alias = /^npm:((?:@[^/@]+\/)?[^@]+)(?:@(.*))?$/.exec(r);
  if (alias) {
    name = alias[1]!;
    r = alias[2] ?? '*';
  }
  if (r === '' || r === 'latest') r = '*';
  if (/^[a-z+]+:/i.test(r) || r.includes('/')) return undefined;
  if (semver.validRange(r, { loose: true }) === null) return undefined;
  return name ? { name, range: r } : { range: r };
}

/**
 * package.json against package-lock.json as `npm ci` checks it: every dependency (prod, dev,
 * optional) must be in the lock, at a version its range allows ("Missing: x from lock file",
 * "Invalid: lock file's x@1.0.0 does not satisfy x@^2.0.0"). Top-level `node_modules/<name>` is
 * what satisfies a root dependency.
 */
export function npmLockMismatches(pkg: PackageJsonFile, lock: LockFile): LockMismatch[] {
  const out: LockMismatch[] = [];
  for (const d of pkg.dependencies) {
    if (d.kind === 'peerDependencies') continue;
    const mismatch = npmDependencyMismatch(d, lock);
    if (mismatch) out.push(mismatch);
  }
  return out;
}

function npmDependencyMismatch(d: NpmDependency, lock: LockFile): LockMismatch | undefined {
  const locked = lock.packages.get(d.name);
  const inRoot = lock.npmRoot?.has(d.name) ?? false;
  if (!locked && !inRoot) {
    // links and workspace packages are recorded without node_modules versions in some layouts
    if (npmCheckableRange(d.range) === undefined) return undefined;
    return { name: d.name, problem: 'missing', range: d.range, locked: [], loc: d.loc };
  }
  const check = npmCheckableRange(d.range);
  if (!check) return undefined;
  // the copy that satisfies a root dependency is the top-level one
  const top = lock.npmTop?.get(d.name);
  if (!top || /^(?:file|link|git|https?):/.test(top)) return undefined;
  const ok = semver.satisfies(top, check.range, { loose: true, includePrerelease: true });
  return ok ? undefined : { name: d.name, problem: 'version', range: d.range, locked: [top], loc: d.loc };
}
