/**
 * The dependency model (model/deps/*): which manifests each image build installs and how, what
 * the installed manifests declare, and what the application's Python code imports.
 */
import type { Location } from '../../core/location.js';
import type { ImplicitNeed } from '../../knowledge/implicit-deps.js';
import type { LockFile } from '../../parse/manifests/locks.js';
import type { PackageJsonFile } from '../../parse/manifests/package-json.js';
import type { PyprojectFile } from '../../parse/manifests/pyproject.js';
import type { PyRequirement, RequirementsFile } from '../../parse/manifests/requirements.js';
import type { ModuleImport } from '../../parse/python/imports.js';
import type { DockerInstruction } from '../../parse/dockerfile/types.js';

/** `script`: a RUN that executes a script or make target, which may install anything */
export type InstallTool = 'pip' | 'uv-pip' | 'uv' | 'poetry' | 'pipenv' | 'pdm' | 'conda' | 'os' | 'npm' | 'yarn' | 'pnpm' | 'script';

/**
 * - `requirements`: `pip install -r <file>` (also `pip wheel -r`, `uv pip sync`, `pip-sync`); manifest = the requirements file
 * - `project`: `pip install .` / `-e .`, `poetry install`, `uv sync`; manifest = pyproject.toml
 * - `packages`: requirements named on the command line (`pip install gunicorn==22`, `apt-get install python3-x`)
 * - `node`: `npm ci`, `npm install`, `yarn install`, `pnpm install`; manifest = package.json
 * - `other`: a Python install we cannot map to a manifest (a variable, a wheel directory, Pipfile, conda, ...)
 */
export type InstallKind = 'requirements' | 'project' | 'packages' | 'node' | 'other';

/**
 * How the install treats a lock file: `strict` fails when the lock does not match the manifest
 * (`npm ci`, `uv sync --locked`, `poetry install`, `yarn --frozen-lockfile`, `pnpm --frozen-lockfile`);
 * `frozen` installs the lock as it is without checking (`uv sync --frozen`); `update` re-locks
 * when the lock is stale (`npm install`, plain `uv sync`).
 */
export type LockMode = 'strict' | 'frozen' | 'update';

export interface InstallStep {
  tool: InstallTool;
  kind: InstallKind;
  /** the command as written, words joined (`pip install -r requirements.txt`) */
  command: string;
  /** the repository file the install reads (requirements file, pyproject.toml, package.json) */
  manifest?: string;
  /** the path inside the image the command reads it from */
  imagePath?: string;
  /** the lock file present in the image when the command runs (repository path) */
  lock?: string;
  lockMode?: LockMode;
  /** the install takes its versions from `lock` */
  honoursLock: boolean;
  /** `pip install --no-deps`: dependencies of what is named are not installed */
  noDeps: boolean;
  /** `pip wheel`: builds wheels that a later step installs */
  wheel?: boolean;
  /** requirements named on the command line */
  packages: PyRequirement[];
  /** project installs: extras asked for (`.[dev]`, `--extra x`, `-E x`, `--all-extras` → `*`) */
  extras: string[];
  /** project installs: dependency groups that are installed (already resolved against the tool's defaults) */
  groups: string[];
  /** project installs: only the groups, not the project's own dependencies (`uv sync --only-group`, `poetry install --only dev`) */
  groupsOnly?: boolean;
  /** npm/yarn/pnpm: devDependencies skipped (`--omit=dev`, `--production`, NODE_ENV=production) */
  omitDev?: boolean;
  /** constraint files (`-c`), repository paths */
  constraints: string[];
  /** kind `other`, or a manifest we could not find: why */
  unresolved?: string;
  /** the index of the stage the RUN belongs to */
  stage: number;
  /** the command inside the RUN */
  loc: Location;
  instruction: DockerInstruction;
}

/** A distribution the image installs, with where it was declared. */
export interface DeclaredDist {
  /** PEP 503 name */
  key: string;
  requirement: PyRequirement;
  install: InstallStep;
  /** the manifest that declares it (repository path), absent for command-line packages */
  manifest?: string;
}

export interface PythonAppFacts {
  /** the build context's Python files that the image copies and that count as application code (tests, docs, migrations, scripts left out) */
  files: string[];
  /** their imports, in file order */
  imports: (ModuleImport & { file: string })[];
  /** features in the code that need a package it does not import by name */
  needs: { need: ImplicitNeed; loc: Location }[];
  /** every top-level module or package name the context itself provides (directories and `*.py` stems) */
  localModules: ReadonlySet<string>;
  /** files that imported sqlalchemy / flask_sqlalchemy / sqlmodel (a bare `postgresql://` goes to psycopg2 there) */
  usesSqlalchemy: boolean;
  usesCelery: boolean;
}

export interface BuildDeps {
  /** environment and service when compose builds it; absent for a Dockerfile no compose file builds */
  environment?: string;
  service?: string;
  dockerfile: string;
  /** build context, relative to the scanned root ('' = root) */
  context: string;
  /** the stage the build targets */
  target: number;
  /** the stages the build runs */
  stages: number[];
  installs: InstallStep[];
  /** the Python version of the target's base image (`3.12`), when the tag names one */
  pythonVersion?: string;
  /** the target's chain starts from an image we know ships no extra Python packages (python, debian, ubuntu, alpine, distroless) */
  cleanBase: boolean;
  /** Python distributions the installs declare (requirements files, pyproject selections, command-line packages) */
  declared: DeclaredDist[];
  /** locks the installs take their versions from */
  lockedPython: LockFile[];
  /** every Python install could be read and mapped to its manifests */
  pythonComplete: boolean;
  /** why pythonComplete is false */
  incompleteReason?: string;
  /** the installed set is known exactly (an honoured lock, or fully pinned requirement files) */
  exactSet: boolean;
  /** the application's Python code, when the image copies any */
  app?: PythonAppFacts;
  /** `<context>/pyproject.toml` when it exists (parsed into DepsModel.pyprojects) */
  contextPyproject?: string;
  /** requirement files at the context root (`requirements*.txt`, `requirements/*.txt`) */
  contextRequirements: string[];
}

export interface DepsModel {
  requirements: Map<string, RequirementsFile>;
  pyprojects: Map<string, PyprojectFile>;
  packageJsons: Map<string, PackageJsonFile>;
  locks: Map<string, LockFile>;
  builds: BuildDeps[];
}
