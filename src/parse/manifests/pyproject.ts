/**
 * pyproject.toml dependencies: PEP 621 `[project] dependencies` and `optional-dependencies`,
 * PEP 735 `[dependency-groups]`, Poetry `[tool.poetry.dependencies]` with its groups and the
 * legacy `dev-dependencies`, and uv's legacy `[tool.uv] dev-dependencies` (the `dev` group).
 * Poetry's `^`/`~` constraints are translated to PEP 440 (poetryToPep440).
 */
import { parse as parseToml, TomlError } from 'smol-toml';
import type { Location } from '../../core/location.js';
import type { SourceFile } from '../../core/source-file.js';
import { normalizeDistName, parsePep508, poetryToPep440 } from './pep508.js';
import type { PyRequirement } from './requirements.js';
import { TomlLocator } from './toml-locate.js';

export interface PyprojectFile {
  path: string;
  /** `[project] name` or `[tool.poetry] name`, normalised */
  name?: string;
  /** what a plain install of the project pulls in */
  dependencies: PyRequirement[];
  /** extras: PEP 621 optional-dependencies, Poetry `[tool.poetry.extras]` */
  optional: Map<string, PyRequirement[]>;
  /** dependency groups: PEP 735, Poetry groups (`dev` for legacy dev-dependencies), uv's legacy dev-dependencies (`dev`) */
  groups: Map<string, PyRequirement[]>;
  /** Poetry groups declared `optional = true` (installed only with `--with`) */
  optionalGroups: Set<string>;
  /** `[tool.uv] default-groups` when written (uv's default is `["dev"]`) */
  uvDefaultGroups?: string[];
  /** has a `[tool.poetry]` table */
  poetry: boolean;
  /** `[project]` lists `dependencies` in `dynamic` (setuptools reads them from elsewhere): unknown */
  dynamicDependencies: boolean;
  /** has a `[project]` or `[tool.poetry]` table, i.e. it describes an installable project */
  isProject: boolean;
  /** `[tool.uv.workspace]`: other members' dependencies are installed too */
  workspace: boolean;
  buildBackend?: string;
  errors: { message: string; loc: Location }[];
}

type Table = Record<string, unknown>;
const isTable = (v: unknown): v is Table => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export function parsePyproject(source: SourceFile): PyprojectFile {
  const res: PyprojectFile = {
    path: source.path,
    dependencies: [],
    optional: new Map(),
    groups: new Map(),
    optionalGroups: new Set(),
    poetry: false,
    dynamicDependencies: false,
    isProject: false,
    workspace: false,
    errors: [],
  };
  let doc: Table;
  try {
    doc = parseToml(source.text.replace(/^\uFEFF/, '')) as Table;
  } catch (e) {
    const err = e as TomlError;
    const line = typeof err.line === 'number' ? err.line : undefined;
    const first = String(err.message ?? e).split('\n')[0]!;
    res.errors.push({ message: first, loc: line ? source.lineLocation(line) : { file: source.path } });
    return res;
  }
  const loc = new TomlLocator(source);
  const project = isTable(doc.project) ? doc.project : undefined;
  const tool = isTable(doc.tool) ? doc.tool : undefined;
  const poetry = tool && isTable(tool.poetry) ? tool.poetry : undefined;
  const uv = tool && isTable(tool.uv) ? tool.uv : undefined;
  const build = isTable(doc['build-system']) ? doc['build-system'] : undefined;
  if (typeof build?.['build-backend'] === 'string') res.buildBackend = build['build-backend'];
  res.isProject = project !== undefined || poetry !== undefined;
  res.poetry = poetry !== undefined;
  const name = typeof project?.name === 'string' ? project.name : typeof poetry?.name === 'string' ? poetry.name : undefined;
  if (name) res.name = normalizeDistName(name);

  const pep508List = (table: string, key: string, values: unknown, section: string): PyRequirement[] => {
    const list = strings(values);
    const locs = loc.arrayStrings(table, key, list);
    const out: PyRequirement[] = [];
    list.forEach((s, i) => {
      const r = parsePep508(s);
      if (!r) {
        res.errors.push({ message: `cannot read requirement "${s}"`, loc: locs[i]! });
        return;
      }
      const req: PyRequirement = { name: r.name, key: normalizeDistName(r.name), extras: r.extras, specifier: r.specifier, loc: locs[i]!, section };
      if (r.url) req.url = r.url;
      if (r.marker) req.marker = r.marker;
      out.push(req);
    });
    return out;
  };

  if (project) {
    res.dependencies.push(...pep508List('project', 'dependencies', project.dependencies, 'project'));
    res.dynamicDependencies = strings(project.dynamic).includes('dependencies');
    const opt = project['optional-dependencies'];
    if (isTable(opt))
      for (const [extra, list] of Object.entries(opt)) {
        // either `[project.optional-dependencies]` with `extra = [...]`, or inline in [project]
        const table = loc.keyRange('project.optional-dependencies', extra) ? 'project.optional-dependencies' : 'project';
        res.optional.set(extra, pep508List(table, extra, list, `optional:${extra}`));
      }
  }

  // PEP 735 dependency groups (`{include-group = "x"}` resolved below)
  const depGroups = isTable(doc['dependency-groups']) ? doc['dependency-groups'] : undefined;
  const includes = new Map<string, string[]>();
  if (depGroups)
    for (const [g, list] of Object.entries(depGroups)) {
      res.groups.set(g, pep508List('dependency-groups', g, list, `group:${g}`));
      const inc = Array.isArray(list) ? list.filter(isTable).map((t) => t['include-group']).filter((x): x is string => typeof x === 'string') : [];
      if (inc.length) includes.set(g, inc);
    }
  const resolving = new Set<string>();
  const resolveGroup = (g: string): PyRequirement[] => {
    const own = res.groups.get(g) ?? [];
    if (resolving.has(g)) return own;
    resolving.add(g);
    const all = [...own, ...(includes.get(g) ?? []).flatMap(resolveGroup)];
    resolving.delete(g);
    return all;
  };
  for (const g of includes.keys()) res.groups.set(g, resolveGroup(g));

  // uv: legacy `[tool.uv] dev-dependencies` join the `dev` group
  if (uv) {
    res.workspace = isTable(uv.workspace);
    const table = loc.keyRange('tool.uv', 'dev-dependencies') ? 'tool.uv' : 'tool';
    const dev = pep508List(table, 'dev-dependencies', uv['dev-dependencies'], 'group:dev');
    if (dev.length) res.groups.set('dev', [...(res.groups.get('dev') ?? []), ...dev]);
    if (Array.isArray(uv['default-groups'])) res.uvDefaultGroups = strings(uv['default-groups']);
    else if (uv['default-groups'] === 'all') res.uvDefaultGroups = [...res.groups.keys()];
  }

  if (poetry) {
    const deps = poetryDeps(poetry.dependencies, 'tool.poetry.dependencies', 'poetry', loc, res);
    // Poetry 2 may list the same names in [project] too: keep one entry per name
    const known = new Set(res.dependencies.map((d) => d.key));
    for (const d of deps) if (!known.has(d.key)) res.dependencies.push(d);
    const dev = poetryDeps(poetry['dev-dependencies'], 'tool.poetry.dev-dependencies', 'poetry-group:dev', loc, res);
    if (dev.length) res.groups.set('dev', [...(res.groups.get('dev') ?? []), ...dev]);
    const groups = isTable(poetry.group) ? poetry.group : {};
    for (const [g, spec] of Object.entries(groups)) {
      if (!isTable(spec)) continue;
      if (spec.optional === true) res.optionalGroups.add(g);
      const list = poetryDeps(spec.dependencies, `tool.poetry.group.${g}.dependencies`, `poetry-group:${g}`, loc, res);
      res.groups.set(g, [...(res.groups.get(g) ?? []), ...list]);
    }
    if (isTable(poetry.extras))
      for (const [extra, names] of Object.entries(poetry.extras)) {
        const keys = new Set(strings(names).map((n) => normalizeDistName(n.replace(/\[.*$/, '').trim())));
        res.optional.set(extra, [...(res.optional.get(extra) ?? []), ...deps.filter((d) => keys.has(d.key))]);
      }
  }
  return res;
}

/** `[tool.poetry.dependencies]`-style tables: `name = "^1.2"` or `name = { version = "...", extras = [...], optional = true }`. */
function poetryDeps(table: unknown, tableName: string, section: string, loc: TomlLocator, res: PyprojectFile): PyRequirement[] {
  if (!isTable(table)) return [];
  const out: PyRequirement[] = [];
  for (const [name, spec] of Object.entries(table)) {
    if (name.toLowerCase() === 'python') continue;
    const where = loc.keyLoc(tableName, name);
    const req: PyRequirement = { name, key: normalizeDistName(name), extras: [], specifier: '', loc: where, section };
    if (typeof spec === 'string') {
      const s = poetryToPep440(spec);
      req.specifier = s ?? null;
    } else if (isTable(spec)) {
      req.extras = strings(spec.extras);
      if (typeof spec.version === 'string') req.specifier = poetryToPep440(spec.version) ?? null;
      if (spec.optional === true) req.optional = true;
      if (typeof spec.markers === 'string') req.marker = spec.markers;
      for (const k of ['path', 'git', 'url'] as const) if (typeof spec[k] === 'string') req.url = spec[k] as string;
    } else if (Array.isArray(spec)) {
      // multiple-constraint dependencies (per python version / platform): the range is not one set
      req.specifier = null;
    } else {
      res.errors.push({ message: `cannot read the constraint of ${name}`, loc: where });
      continue;
    }
    out.push(req);
  }
  return out;
}
