/**
 * The deployment model: what rules read. Built once per scan by `build-model.ts` from the parse
 * layer's trees. Every value that came from a file carries the Location it came from.
 */
import type { Location } from '../core/location.js';
import type { SourceFile } from '../core/source-file.js';
import type { YamlMapNode, YamlScalarNode } from '../parse/compose/yaml-tree.js';
import type { DockerfileAst, DockerInstruction } from '../parse/dockerfile/types.js';
import type { DotenvFile } from '../parse/dotenv/types.js';
import type { ShellCommand } from '../parse/shell/types.js';
import type { FileKind, GitFacts } from '../discover/types.js';
import type { AppModel, ServiceApp } from './app/types.js';
import type { ProxyConfig, ServicePython } from './app/runtime-types.js';
import type { RouteSet } from './app/route-types.js';
import type { DepsModel } from './deps/types.js';
import type { ImageModel } from './image/types.js';
import type { PinnedImageStaleness } from './pinned-image-types.js';

export type { FileKind, GitFacts };
export type * from './app/types.js';
export type * from './app/runtime-types.js';
export type * from './app/route-types.js';

export type * from './image/types.js';
export type * from './pinned-image-types.js';

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
  healthcheck?: ImageHealthcheck;
  copies: CopyStep[];
  /** what the image contains after each instruction (src/model/image-fs.ts); set after the model is built */
  image?: ImageModel;
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
  /**
   * What the check runs, parsed (model/healthcheck-commands.ts): a CMD-SHELL string as parseShell
   * reads it (`joinedBy` tells a plain `&&`/`||`/`|` list), a CMD list as one command with literal
   * words followed by the commands of its `sh -c` string (inShellString). Locations point into
   * the compose file (the whole string when its YAML escapes or interpolation cannot be mapped
   * back). Absent for NONE, an empty test, or a disabled check.
   */
  commands?: ShellCommand[];
}

/** A Dockerfile HEALTHCHECK; a stage built FROM another stage shares its object. */
export interface ImageHealthcheck extends Sourced<string[]> {
  /** the HEALTHCHECK instruction */
  instruction?: DockerInstruction;
  /** as Healthcheck.commands, with locations in the Dockerfile */
  commands?: ShellCommand[];
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
  /** the part of the application (settings, env reads, guards) its build context contains; see model/app */
  app?: ServiceApp;
  /** what the container executes when it starts (ENTRYPOINT/CMD/compose, through its scripts); see StartPlan */
  start?: StartPlan;
  /** Python modules its start path names, the Celery app and the Django settings it runs with, resolved in its image (model/app/python-runtime.ts) */
  python?: ServicePython;
  /** production services only: a pinned `image:` the repository also builds, and the build inputs git changed after the pin (model/pinned-images.ts) */
  pinnedImage?: PinnedImageStaleness;
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
  /** what the compose-spec JSON schema rejects in this file (model/compose/schema-check.ts) */
  schemaProblems?: ComposeSchemaProblem[];
}

/** One defect the compose-spec schema finds in one compose file, at the located YAML node. */
export interface ComposeSchemaProblem {
  kind: 'unknown-key' | 'type' | 'enum' | 'other';
  /** the JSON path of the offending value (for unknown keys, including the key) */
  path: string[];
  /** compose-go's wording: `services.web additional property enviroment is not allowed` */
  message: string;
  /** unknown-key: the key, and the allowed key within edit distance 2 when there is one */
  key?: string;
  suggestion?: string;
  loc: Location;
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

// ---------------------------------------------------------------- start path (model/start/*)

/** Where the words of a start step are written. */
export type StartOrigin = 'compose-command' | 'compose-entrypoint' | 'dockerfile-cmd' | 'dockerfile-entrypoint' | 'script';

/** The ENTRYPOINT or CMD part of the container's argv, after Compose's overrides. */
export interface StartCommandPart {
  /** the words Docker passes (shell form: `['/bin/sh', '-c', text]`, or the SHELL in force) */
  argv: string[];
  form: 'exec' | 'shell';
  origin: StartOrigin;
  loc: Location;
}

/** One program the container runs on its way up, in the order the shell reaches it. */
export interface StartStep {
  /** basename of the program after peeling wrappers (`tini --`, `gosu app`, `exec`, `env X=1`, …): `gunicorn`, `python`, `entrypoint.sh` */
  name: string;
  /** the program and its arguments after the wrappers; shell-expanded where the shell expands (known variables substituted, unknown ones left as written); exec-form words are literal */
  argv: string[];
  /** wrappers peeled off, outermost first (`tini`, `gosu`, `exec`, `env`, …) */
  wrappers: string[];
  /** working directory: WORKDIR (or compose `working_dir`), then `cd` in scripts and `env --chdir` */
  cwd: string;
  /** compose `user`, else the Dockerfile USER, changed by gosu/su-exec/setpriv; undefined: the image default (root) */
  user?: string;
  /** the program replaces its parent (PID 1 for the top-level step; `exec` in a script) rather than running as a child */
  exec: boolean;
  /** runs only in some cases: inside an `if`/`case` branch, after `||`, after `[ … ] &&`, or inside a script or string that itself runs conditionally */
  conditional: boolean;
  /** the guards as written, outermost first; `!(…)` for else branches and `||` */
  conditions?: string[];
  /** the guards evaluated with the service's known environment: true (always taken), false (never taken), undefined (unknown or not conditional) */
  conditionHolds?: boolean;
  /** inside a `while`/`until` loop (wait-for loops) */
  inLoop: boolean;
  /** started in the background (`cmd &`) */
  background: boolean;
  /** where the program name is written: a script line, the Dockerfile CMD/ENTRYPOINT, the compose command */
  loc: Location;
  /** the script line that ran it when the words came from elsewhere (`exec "$@"` running the CMD) */
  via?: Location;
  origin: StartOrigin;
  /** the image path of the script (or package.json) the step is written in */
  scriptPath?: string;
  /** nesting: 0 for the container's own argv, +1 inside each script, `sh -c` string or package script */
  depth: number;
  /** set when the step's body was expanded into the steps that follow it (with depth + 1) */
  expands?: 'script' | 'shell-string' | 'package-script';
  /** the image path of the shell script this step runs, when it was found and read */
  runsScript?: string;
}

/** A shell script on the start path, as the image holds it. */
export interface StartScript {
  /** path inside the container */
  path: string;
  /** the repository file that provides it */
  repoPath: string;
  /** provided by a COPY/ADD step, or by a compose bind mount over the image */
  providedBy: 'image' | 'bind-mount';
  /** the COPY/ADD instruction that put it in the image (image only) */
  copyLoc?: Location;
  /** `--chmod` on that COPY/ADD */
  copyChmod?: string;
  /** `direct`: executed as a program (needs the exec bit and a valid shebang); `interpreter`: `sh script.sh`; `sourced`: `. script` */
  invocation: 'direct' | 'interpreter' | 'sourced';
  /** where it is invoked */
  loc: Location;
  errexit: boolean;
  /** the last top-level command is `exec …` */
  lastCommandExec: boolean;
  shebang?: string;
  /** the text contains CRLF line endings */
  crlf: boolean;
  /** git index mode (0o100755, 0o100644, …) when git facts are on */
  gitMode?: number;
  hasErrors: boolean;
}

export type ServerKind =
  | 'gunicorn' | 'uvicorn' | 'daphne' | 'hypercorn' | 'flask' | 'django-runserver'
  | 'node' | 'nodemon' | 'next' | 'celery-worker' | 'celery-beat' | 'rq-worker' | 'nginx';

/** A server (or worker) the start path launches, with its listening address as it will be. */
export interface ServerFact {
  kind: ServerKind;
  /** host it listens on; '0.0.0.0'/'::' reach the container from outside; undefined when unknown or not TCP */
  host?: string;
  port?: number;
  /** unix socket path or `fd://N` instead of TCP */
  socket?: string;
  /** where host/port came from: the command line, an environment variable, a config file (values unknown), or the server's default */
  bindFrom: 'argv' | 'env' | 'config' | 'default' | 'none';
  reload: boolean;
  /** a development-only server (`flask run`, `manage.py runserver`, `next dev`, `nodemon`) */
  devServer: boolean;
  /** config file path inside the image (gunicorn: `-c`, else `./gunicorn.conf.py` in the working directory) */
  configFile?: string;
  configFileExplicit?: boolean;
  /** the config file exists in the image (from COPY/ADD or a bind mount); undefined when unknown */
  configFileExists?: boolean;
  /** the application: `pkg.mod:app`, the celery `-A` value, the node script */
  app?: string;
  workers?: number;
  workerClass?: string;
  /** gunicorn `--chdir`, uvicorn `--app-dir`, resolved against cwd */
  chdir?: string;
  /** index of the step in StartPlan.steps */
  step: number;
  loc: Location;
  /** the HTTP routes the application serves (model/app/routes.ts); undefined when drydock cannot read them */
  routes?: RouteSet;
}

export type MigrationToolName = 'alembic' | 'flask-migrate' | 'django' | 'prisma' | 'knex' | 'sequelize' | 'typeorm' | 'rails';

/** A migration tool the repository uses (project level). */
export interface MigrationTool {
  tool: MigrationToolName;
  /** its config file (`alembic.ini`, `manage.py`, `schema.prisma`, `knexfile.js`, …) */
  configPath?: string;
  /** the migrations folder (relative to the root) */
  dir: string;
  /** every migrations folder (Django: one per app) */
  dirs: string[];
  /** migration files found */
  count: number;
  loc: Location;
}

/** A start step that applies migrations. */
export interface MigrationStep {
  tool: MigrationToolName;
  /** index of the step in StartPlan.steps */
  step: number;
  argv: string[];
  cwd: string;
  /** `alembic -c FILE`, resolved against cwd */
  configFile?: string;
  conditional: boolean;
  conditions?: string[];
  conditionHolds?: boolean;
  loc: Location;
}

/** What a service's container runs when it starts. */
export interface StartPlan {
  /** the argv Docker starts: ENTRYPOINT + CMD after Compose's overrides (moby daemon `merge`) */
  argv: string[];
  entrypoint?: StartCommandPart;
  cmd?: StartCommandPart;
  /** the CMD is passed to a shell-form ENTRYPOINT, which ignores it */
  cmdIgnored: boolean;
  /** false for an external image: its own ENTRYPOINT/CMD are not modelled */
  imageKnown: boolean;
  /** no ENTRYPOINT is set by compose or the Dockerfile chain: the base image's, if any, runs first (not modelled) */
  baseEntrypointUnknown: boolean;
  cwd: string;
  user?: string;
  steps: StartStep[];
  scripts: StartScript[];
  servers: ServerFact[];
  migrationSteps: MigrationStep[];
  /** where the resolution stopped: a script path nothing in the repository provides, an unreadable package.json */
  unresolved: { message: string; loc: Location }[];
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
  /** the Python application's settings schema, environment reads and production guards (model/app) */
  app?: AppModel;
  /** migration tools the repository uses (model/start/migrations.ts) */
  migrations: MigrationTool[];
  /** dependency manifests, what each image build installs and what the application imports (model/deps) */
  deps?: DepsModel;
  /** reverse-proxy configurations (nginx, Caddy) bind-mounted into services (model/app/proxy.ts) */
  proxies?: ProxyConfig[];
}
