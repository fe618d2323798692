/**
 * model: turn what discovery found into the deployment model that rules read. Each file is
 * parsed once; a file that does not parse becomes a ParseProblem and the scan goes on.
 */
import type { Discovery } from '../discover/index.js';
import type { SourceFile } from '../core/source-file.js';
import { parseYaml, type YamlMapNode } from '../parse/compose/yaml-tree.js';
import { parseDockerfile } from '../parse/dockerfile/parse-dockerfile.js';
import { parseDotenv } from '../parse/dotenv/parse-dotenv.js';
import type { DotenvFile } from '../parse/dotenv/types.js';
import { dockerignoreFor } from './build-context.js';
import { buildEnvironment, type ComposeLoader } from './compose/build-environment.js';
import { checkComposeSchema } from './compose/schema-check.js';
import { readApp } from './app/build-app.js';
import { addPythonRuntime } from './app/python-runtime.js';
import { addRoutes } from './app/routes.js';
import { buildDockerfileModel } from './dockerfile-model.js';
import { addHealthcheckCommands } from './healthcheck-commands.js';
import { addImageModels } from './image-fs.js';
import { buildDepsModel } from './deps/build-deps.js';
import { addPinnedImageFacts } from './pinned-images.js';
import { addStartPlans, detectMigrationTools } from './start/index.js';
import type { ComposeFileModel, DockerfileModel, ParseProblem, ProjectModel } from './types.js';

const KIND_LABEL: Record<string, string> = { dockerfile: 'Dockerfile', compose: 'compose file', dotenv: 'env file', shell: 'shell script', dockerignore: '.dockerignore' };

export async function buildModel(d: Discovery): Promise<ProjectModel> {
  const sources = new Map<string, SourceFile>(d.sources);
  const problems: ParseProblem[] = d.problems.map((p) => ({ message: p.reason, loc: { file: p.path }, kind: KIND_LABEL[p.kind] ?? p.kind }));
  const reported = new Set<string>(d.problems.map((p) => p.path));
  const source = (path: string): SourceFile | undefined => {
    const s = sources.get(path);
    if (s) return s;
    const r = d.read(path);
    if (r.ok) {
      sources.set(path, r.source);
      return r.source;
    }
    return undefined;
  };

  const composeFiles = new Map<string, ComposeFileModel>();
  const compose = (path: string): ComposeFileModel | undefined => {
    const cached = composeFiles.get(path);
    if (cached) return cached;
    const src = source(path);
    if (!src) return undefined;
    const r = parseYaml(path, src.text);
    for (const e of r.errors) problems.push({ message: e.message, loc: e.loc, kind: 'compose file' });
    let root: YamlMapNode | null = null;
    if (r.root?.kind === 'map') root = r.root;
    else if (r.root && !r.errors.length) problems.push({ message: 'a compose file must be a mapping (services:, volumes:, ...)', loc: r.root.loc, kind: 'compose file' });
    const model = { path, source: src, root };
    composeFiles.set(path, model);
    return model;
  };

  const envFiles = new Map<string, DotenvFile>();
  const dotenvCache = new Map<string, DotenvFile>();
  const dotenv = (path: string, lookup: (n: string) => string | undefined, key = ''): DotenvFile | undefined => {
    const k = `${key}\0${path}`;
    const cached = dotenvCache.get(k);
    if (cached) return cached;
    const src = source(path);
    if (!src) return undefined;
    const f = parseDotenv(src, lookup);
    dotenvCache.set(k, f);
    if (!envFiles.has(path)) {
      envFiles.set(path, f);
      for (const e of f.errors) problems.push({ message: e.message, loc: e.loc, kind: 'env file' });
    }
    return f;
  };

  const readText = (path: string): SourceFile | undefined => (d.walk.files.has(path) ? source(path) : undefined);
  const dockerfiles = new Map<string, DockerfileModel>();
  const dockerfileVariants = new Map<string, DockerfileModel>();
  const dockerfile = (path: string, args: ReadonlyMap<string, string | null> = new Map()): DockerfileModel | undefined => {
    const key = `${path}\0${JSON.stringify([...args].sort())}`;
    const cached = dockerfileVariants.get(key);
    if (cached) return cached;
    const src = source(path);
    if (!src) return undefined;
    const base = dockerfiles.get(path);
    const ast = base?.ast ?? parseDockerfile(src);
    if (!base) for (const e of ast.errors) problems.push({ message: e.message, loc: e.loc, kind: 'Dockerfile' });
    const model = buildDockerfileModel(src, ast, args);
    const dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
    model.dockerignore = dockerignoreFor(dir, path, readText);
    if (!base) dockerfiles.set(path, args.size ? { ...buildDockerfileModel(src, ast), dockerignore: model.dockerignore } : model);
    dockerfileVariants.set(key, model);
    return model;
  };

  const kinds = [...d.walk.kinds].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [path, kind] of kinds) {
    if (reported.has(path)) continue;
    if (kind === 'dockerfile') dockerfile(path);
    else if (kind === 'compose') compose(path);
    else if (kind === 'dotenv') dotenv(path, () => undefined);
  }

  const loader: ComposeLoader = {
    compose: (p) => {
      if (!d.walk.files.has(p) && !reported.has(p)) return undefined;
      return compose(p);
    },
    dotenv: (p, lookup) => dotenv(p, lookup, 'env'),
    dockerfile: (p, args) => dockerfile(p, args),
    isFile: (p) => d.walk.files.has(p),
    readText,
    problem: (p) => problems.push(p),
  };
  const environments = d.environments.map((spec) => buildEnvironment(spec, loader));
  for (const f of composeFiles.values()) if (f.root) f.schemaProblems = await checkComposeSchema(f.path, f.root);
  const app = await readApp(d, environments, sources, problems);
  const tree = { root: d.root, files: d.walk.files, dirs: d.walk.dirs, kinds: d.walk.kinds, git: d.git };
  await addStartPlans(environments, tree, readText);
  const migrations = detectMigrationTools(tree, readText);

  const model: ProjectModel = {
    root: d.root,
    tree,
    environments,
    dockerfiles,
    composeFiles,
    envFiles,
    sources,
    problems,
    migrations,
    ...(app ? { app } : {}),
  };
  await addImageModels(model, readText);
  await addHealthcheckCommands(model);
  model.deps = await buildDepsModel({ model, read: readText, problem: (p) => problems.push(p) });
  addPinnedImageFacts(model);
  // routes look modules up in the image filesystem model (python-modules.ts), so they come after it
  await addRoutes(environments, tree, readText);
  await addPythonRuntime(model, readText);
  return model;
}
