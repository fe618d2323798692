/**
 * The deployment model: what rules read. Built once per scan by `build-model.ts` from the parse
 * layer's trees. Every value that came from a file carries the Location it came from.
 */
import type { Location } from '../core/location.js';
import type { SourceFile } from '../core/source-file.js';
import type { YamlMapNode, YamlScalarNode } from '../parse/compose/yaml-tree.js';
import type { DockerfileAst, DockerInstruction } from '../parse/dockerfile/types.js';
import type { DotenvFile } from '../parse/dotenv/types.js';
import type { FileKind, GitFacts } from '../discover/types.js';

export type { FileKind, GitFacts };

export interface Sourced<T> {
  value: T;
  loc: Location;
}

// ---------------------------------------------------------------- repository tree

/** The scanned tree as discovery saw it: pure lookups, no I/O. */
export interface RepoTree {
  /** absolute path of the scanned root */
  root: string;
  /** every regular file (relative path) except inside skipped folders */
  files: ReadonlySet<string>;
  /** every directory (relative path; '' is the root) */
  dirs: ReadonlySet<string>;
  /** files discovery classified (only those not ignored by .gitignore or config) */
  kinds: ReadonlyMap<string, FileKind>;
  /** git facts, or null when the root is not inside a git work tree */
  git: GitFacts | null;
}


// ---------------------------------------------------------------- images

export interface ImageName {
  raw: string;
  /** registry/repository without tag or digest, e.g. `python`, `ghcr.io/acme/api` */
  repository: string;
  tag?: string;
  digest?: string;
}

export interface CommandSpec {
  /** exec form: argv as written; shell form: argv is ['/bin/sh', '-c', text] */
  form: 'exec' | 'shell';
  argv: string[];
  /** the text as written (shell form) or the JSON/YAML list joined by spaces */
  text: string;
  loc: Location;
}

export interface CopyStep {
  keyword: 'COPY' | 'ADD';
  instruction: DockerInstruction;
  sources: Sourced<string>[];
  dest: string;
  /** `--from` value: a stage name/index or an external image */
  from?: string;
  chown?: string;
  chmod?: string;
  /** COPY with a heredoc body creates its file from the Dockerfile itself */
  heredoc: boolean;
  loc: Location;
}

export interface StageModel {
  index: number;
  name?: string;
  loc: Location;
  /** FROM image after ARG expansion */
  base: ImageName & { loc: Location };
  /** the earlier stage this one builds FROM, when FROM names a stage */
  baseStage?: number;
  instructions: DockerInstruction[];
  /** final USER of this stage (inherited through baseStage), undefined = root by default */
  user?: Sourced<string>;
  /** WORKDIR at the end of the stage ('/' by default) */
  workdir: string;
  env: Map<string, Sourced<string>>;
  entrypoint?: CommandSpec;
  cmd?: CommandSpec;
  expose: Sourced<string>[];
  /** HEALTHCHECK test; ['NONE'] when disabled */
  healthcheck?: Sourced<string[]>;
  copies: CopyStep[];
}

export interface DockerfileModel {
  path: string;
  source: SourceFile;
  ast: DockerfileAst;
  stages: StageModel[];
  /** ARGs declared before the first FROM, with their defaults */
  globalArgs: Map<string, string | undefined>;
  /** the ignore file that applies when the build context is the Dockerfile's own directory */
  dockerignore?: DockerignoreModel;
}

// ---------------------------------------------------------------- compose

export interface InterpolationUse {
  name: string;
  /** how the compose file asked for it */
  form: 'plain' | 'default-unset-or-empty' | 'default-unset' | 'required' | 'required-unset' | 'alt' | 'alt-unset';
  loc: Location;
  /** where the value was found: a `.env` line, the shell environment, or nowhere */
  resolvedFrom?: Location | 'shell';
}

export interface EnvVar {
  name: string;
  /** null: `environment: [KEY]` or `KEY:` with no value, taken from the shell at `up` time */
  value: string | null;
  loc: Location;
  from: 'environment' | 'env_file';
  /** the YAML scalar the value came from, when it came from compose `environment` */
  node?: YamlScalarNode;
  /** values this one replaced, earliest first (overlays, later env_files) */
  overrode: Sourced<string | null>[];
}

export interface EnvFileRef {
  /** path relative to the scanned root */
  path: string;
  /** as written in the compose file */
  written: string;
  required: boolean;
  loc: Location;
}

export interface PortMapping {
  hostIp?: string;
  published?: string;
  target: string;
  protocol: string;
  loc: Location;
  /** as written (short syntax) */
  raw: string;
}

export interface Mount {
  type: 'bind' | 'volume' | 'tmpfs' | 'npipe' | 'image' | 'cluster';
  /** as written (after interpolation) */
  source?: string;
  /** bind mounts: the host path relative to the scanned root, or absolute when outside it */
  hostPath?: string;
  target: string;
  readOnly: boolean;
  syntax: 'short' | 'long';
  /** long syntax `bind.create_host_path`; undefined when not written */
  createHostPath?: boolean;
  loc: Location;
  /** the YAML scalar holding the source path (for fixes) */
  sourceNode?: YamlScalarNode;
}

export interface Dependency {
  service: string;
  condition: 'service_started' | 'service_healthy' | 'service_completed_successfully';
  required: boolean;
  loc: Location;
}

export interface Healthcheck {
  /** normalised: ['CMD', ...], ['CMD-SHELL', cmd] or ['NONE'] */
  test: string[];
  disabled: boolean;
  loc: Location;
}

export interface BuildSpec {
  /** context relative to the scanned root ('' is the root); undefined for remote contexts */
  context?: string;
  contextWritten: string;
  contextLoc: Location;
  /** Dockerfile path relative to the scanned root */
  dockerfile?: string;
  dockerfileWritten?: string;
  dockerfileLoc?: Location;
  target?: Sourced<string>;
  args: Map<string, string | null>;
  loc: Location;
  /** the ignore file BuildKit applies to this build, when one exists */
  dockerignore?: DockerignoreModel;
}

/**
 * The `.dockerignore` a build uses: `<Dockerfile>.dockerignore` next to the Dockerfile when it
 * exists, else `.dockerignore` at the context root. Paths are relative to the build context.
 */
export interface DockerignoreModel {
  /** the ignore file, relative to the scanned root */
  path: string;
  /** true when Docker leaves this path (or a parent directory) out of the build context */
  excludes(relPathInContext: string): boolean;
  /** the pattern line that excludes the path, when `excludes` is true */
  excludedBy(relPathInContext: string): Sourced<string> | undefined;
  /** patterns Docker rejects (the build fails) */
  errors: string[];
}

export interface ServiceModel {
  name: string;
  environment: string;
  /** the service's key in the first file that defines it */
  loc: Location;
  /** the service's key in every file that contributes to it, in merge order */
  definedIn: Location[];
  /** false when a profile that is not active by default gates the service */
  enabled: boolean;
  profiles: string[];
  image?: Sourced<string>;
  build?: BuildSpec;
  command?: CommandSpec;
  entrypoint?: CommandSpec;
  /** environment given by compose (`environment` over `env_file`), not including the image's ENV */
  env: Map<string, EnvVar>;
  envFiles: EnvFileRef[];
  ports: PortMapping[];
  mounts: Mount[];
  tmpfs: Sourced<string>[];
  dependsOn: Dependency[];
  healthcheck?: Healthcheck;
  readOnly: boolean;
  user?: Sourced<string>;
  replicas?: Sourced<number>;
  restart?: Sourced<string>;
  stopGracePeriod?: Sourced<string>;
  privileged?: Sourced<boolean>;
  /** the merged compose mapping, for rules that need a key not modelled above */
  node: YamlMapNode;
  /** what the service runs: the Dockerfile stage it builds, or the external image */
  runtime: ServiceImage;
}

export interface ServiceImage {
  dockerfile?: DockerfileModel;
  stage?: StageModel;
  /** set when the service's stage is the last one only because `build.target` is absent */
  implicitTarget: boolean;
  /** the image name the service pulls when it does not build */
  external?: ImageName;
}

export interface ComposeFileModel {
  path: string;
  source: SourceFile;
  root: YamlMapNode | null;
}

export interface EnvironmentModel {
  name: string;
  /** compose files in merge order, relative paths */
  composeFiles: string[];
  /** Compose's project directory: the first compose file's directory */
  projectDir: string;
  production: boolean;
  /** how the environment was found */
  origin: 'config' | 'discovered' | 'command-line';
  /** the `.env` used for interpolation, when present */
  dotenv?: DotenvFile;
  services: ServiceModel[];
  interpolations: InterpolationUse[];
  /** named volumes declared at top level */
  volumes: Set<string>;
}

// ---------------------------------------------------------------- the whole project

export interface ParseProblem {
  message: string;
  loc: Location;
  /** the kind of file that failed, for the message */
  kind: string;
}

export interface ProjectModel {
  root: string;
  tree: RepoTree;
  environments: EnvironmentModel[];
  dockerfiles: Map<string, DockerfileModel>;
  composeFiles: Map<string, ComposeFileModel>;
  envFiles: Map<string, DotenvFile>;
  /** every text file the model read, by relative path (suppression comments, code frames) */
  sources: Map<string, SourceFile>;
  problems: ParseProblem[];
}
