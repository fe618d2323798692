/**
 * Build one environment: load its compose files (and what they `include` / `extends`),
 * interpolate each file from the project's `.env`, merge them in order with Compose's rules,
 * then model each service and link it to the Dockerfile stage it builds.
 */
import { posix } from 'node:path';
import type { Location } from '../../core/location.js';
import type { SourceFile } from '../../core/source-file.js';
import { mapGet, scalarText, type YamlMapNode, type YamlNode } from '../../parse/compose/yaml-tree.js';
import type { DotenvFile } from '../../parse/dotenv/types.js';
import type { DockerfileModel, EnvironmentModel, InterpolationUse, ParseProblem, ServiceImage, ServiceModel } from '../types.js';
import { dockerignoreFor } from '../build-context.js';
import { parseImageName } from '../image-name.js';
import { interpolateTree, type VariableSource } from './interpolate-tree.js';
import { mergeNodes, normaliseService } from './merge.js';
import { buildService, resolveComposePath } from './service.js';

export interface EnvironmentInput {
  name: string;
  composeFiles: string[];
  production: boolean;
  origin: EnvironmentModel['origin'];
  envFiles?: string[];
}

export interface ComposeLoader {
  /** parsed compose file, or undefined when missing/unparseable (a problem is recorded) */
  compose(path: string): { source: SourceFile; root: YamlMapNode | null } | undefined;
  dotenv(path: string, lookup: (name: string) => string | undefined): DotenvFile | undefined;
  dockerfile(path: string, args: ReadonlyMap<string, string | null>): DockerfileModel | undefined;
  isFile(path: string): boolean;
  /** a text file of the tree (e.g. a `.dockerignore`), or undefined when absent/unreadable */
  readText(path: string): SourceFile | undefined;
  problem(p: ParseProblem): void;
}

/** Variables every shell that runs `docker compose` has; Compose would take them from there. */
const SHELL_VARIABLES = new Set(['HOME', 'USER', 'PWD', 'PATH', 'SHELL', 'HOSTNAME', 'LOGNAME']);

interface ServiceEntry {
  node: YamlMapNode;
  definedIn: Location[];
  projectDir: string;
}

export function buildEnvironment(input: EnvironmentInput, loader: ComposeLoader): EnvironmentModel {
  const projectDir = posix.dirname(input.composeFiles[0] ?? '.');
  // interpolation source: config's env files, else <project dir>/.env (KNOWLEDGE.md C10)
  const dotenvPaths = input.envFiles ?? [resolveComposePath(projectDir, '.env')].filter((p) => loader.isFile(p));
  const vars = new Map<string, VariableSource>();
  let dotenv: DotenvFile | undefined;
  for (const p of dotenvPaths) {
    const f = loader.dotenv(p, (n) => vars.get(n)?.value);
    if (!f) continue;
    dotenv ??= f;
    for (const e of f.values.values()) if (e.value !== null) vars.set(e.key, { value: e.value, from: e.loc });
  }
  const lookup = (name: string): VariableSource | undefined => vars.get(name) ?? (SHELL_VARIABLES.has(name) ? { value: `\${${name}}`, from: 'shell' } : undefined);

  const uses: InterpolationUse[] = [];
  const services = new Map<string, ServiceEntry>();
  const volumes = new Set<string>();
  const loading = new Set<string>();

  const loadFile = (path: string, dir: string, mergeInto: boolean): Map<string, ServiceEntry> => {
    const local = new Map<string, ServiceEntry>();
    if (loading.has(path)) return local; // include cycle
    loading.add(path);
    const parsed = loader.compose(path);
    if (!parsed?.root) return local;
    const it = interpolateTree(parsed.root, lookup);
    uses.push(...it.uses);
    for (const e of it.errors) loader.problem({ message: e.message, loc: e.loc, kind: 'compose' });
    const root = it.root;
    for (const inc of includePaths(mapGet(root, 'include'), posix.dirname(path))) {
      for (const [name, entry] of loadFile(inc, posix.dirname(inc), false)) if (!services.has(name)) services.set(name, entry);
    }
    const vols = mapGet(root, 'volumes');
    if (vols?.kind === 'map') for (const k of vols.entries.keys()) volumes.add(k);
    const svcs = mapGet(root, 'services');
    if (svcs && svcs.kind !== 'map') {
      loader.problem({ message: '`services` must be a mapping of service names', loc: svcs.loc, kind: 'compose' });
      return local;
    }
    if (svcs?.kind !== 'map') return local;
    for (const [name, e] of svcs.entries) {
      if (e.value.kind !== 'map') continue;
      const resolved = resolveExtends(e.value, svcs, path, loader, lookup, 0);
      local.set(name, { node: normaliseService(resolved), definedIn: [e.keyLoc], projectDir: dir });
    }
    if (mergeInto)
      for (const [name, entry] of local) {
        const prev = services.get(name);
        if (!prev) services.set(name, entry);
        else {
          const merged = mergeNodes(prev.node, entry.node, ['services', name]);
          services.set(name, { node: (merged as YamlMapNode) ?? prev.node, definedIn: [...prev.definedIn, ...entry.definedIn], projectDir: prev.projectDir });
        }
      }
    return local;
  };
  for (const f of input.composeFiles) loadFile(f, projectDir, true);

  const models: ServiceModel[] = [];
  for (const [name, entry] of [...services].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const base = buildService(name, entry.node, entry.definedIn, {
      environment: input.name,
      projectDir: entry.projectDir,
      envFile: (p) => (loader.isFile(p) ? loader.dotenv(p, (n) => lookup(n)?.value) : undefined),
    });
    const b = base.build;
    if (b?.context !== undefined && !isOutside(b.context)) {
      const ignore = dockerignoreFor(b.context, b.dockerfile && !isOutside(b.dockerfile) ? b.dockerfile : undefined, (p) => loader.readText(p));
      if (ignore) b.dockerignore = ignore;
    }
    models.push({ ...base, runtime: serviceImage(base, loader) });
  }
  return {
    name: input.name,
    composeFiles: input.composeFiles,
    projectDir,
    production: input.production,
    origin: input.origin,
    dotenv,
    services: models,
    interpolations: uses,
    volumes,
  };
}

/** a path outside the scanned tree: absolute, `~`, or climbing above the root */
function isOutside(p: string): boolean {
  return p.startsWith('/') || p.startsWith('~') || p === '..' || p.startsWith('../');
}

function includePaths(n: YamlNode | undefined, dir: string): string[] {
  if (n?.kind !== 'seq') return [];
  return n.items.flatMap((it) => {
    const p = it.kind === 'map' ? mapGet(it, 'path') : it;
    const list = p?.kind === 'seq' ? p.items : p ? [p] : [];
    return list.flatMap((x) => {
      const s = scalarText(x);
      return s ? [resolveComposePath(dir, s)] : [];
    });
  });
}

/** `extends: {service, file}`: the base service's mapping with this one merged over it. */
function resolveExtends(
  svc: YamlMapNode,
  siblings: YamlMapNode,
  file: string,
  loader: ComposeLoader,
  lookup: (n: string) => VariableSource | undefined,
  depth: number,
): YamlMapNode {
  const ext = mapGet(svc, 'extends');
  if (!ext || depth > 10) return svc;
  const baseName = scalarText(ext.kind === 'map' ? mapGet(ext, 'service') : ext);
  const otherFile = ext.kind === 'map' ? scalarText(mapGet(ext, 'file')) : undefined;
  let pool: YamlNode | undefined = siblings;
  let baseFile = file;
  if (otherFile) {
    baseFile = resolveComposePath(posix.dirname(file), otherFile);
    const parsed = loader.compose(baseFile);
    pool = parsed?.root ? mapGet(interpolateTree(parsed.root, lookup).root, 'services') : undefined;
  }
  const base = baseName ? mapGet(pool, baseName) : undefined;
  const own: YamlMapNode = { ...svc, entries: new Map([...svc.entries].filter(([k]) => k !== 'extends')) };
  if (base?.kind !== 'map') return own;
  const resolvedBase = resolveExtends(base, pool as YamlMapNode, baseFile, loader, lookup, depth + 1);
  const merged = mergeNodes(normaliseService({ ...resolvedBase, entries: new Map([...resolvedBase.entries].filter(([k]) => k !== 'extends')) }), normaliseService(own), ['services', '_']);
  return (merged as YamlMapNode) ?? own;
}

function serviceImage(svc: Omit<ServiceModel, 'runtime'>, loader: ComposeLoader): ServiceImage {
  if (svc.build?.dockerfile) {
    const df = loader.dockerfile(svc.build.dockerfile, svc.build.args);
    if (df && df.stages.length) {
      const target = svc.build.target?.value;
      const stage = target ? df.stages.find((s) => s.name?.toLowerCase() === target.toLowerCase()) : df.stages[df.stages.length - 1];
      return { dockerfile: df, stage, implicitTarget: !target && df.stages.length > 1 };
    }
    return { dockerfile: df, implicitTarget: false };
  }
  return { implicitTarget: false, external: svc.image ? parseImageName(svc.image.value) : undefined };
}
