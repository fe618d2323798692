/**
 * The image filesystem model: what a Dockerfile stage's image contains after each instruction.
 * Every answer is three-valued where the truth can be unknown: `true`/`false` only when the
 * base-image facts and the instructions we could interpret decide it, `undefined` otherwise
 * (an unknown base image, a `RUN ./script.sh`, a variable we cannot expand).
 */
import type { BaseImageFacts } from '../../knowledge/base-images.js';
import type { DockerInstruction } from '../../parse/dockerfile/types.js';
import type { ShellCommand } from '../../parse/shell/types.js';

export type PathKind = 'file' | 'dir' | 'symlink';

export interface ImagePathInfo {
  /** absolute, normalised */
  path: string;
  exists: boolean | undefined;
  kind?: PathKind;
  /** owner as the Dockerfile wrote it (user name, or uid as a string); undefined when unknown */
  owner?: string;
  /** the owner's uid when it could be resolved */
  ownerUid?: number;
  group?: string;
  /** permission bits including setuid/setgid/sticky (e.g. 0o1777); undefined when unknown */
  mode?: number;
  /** a file with an execute bit (from mode, `chmod +x`, or the git index for COPY) */
  executable?: boolean;
  /** symlink target as written */
  target?: string;
  /** the instruction that created the path; undefined for paths that come from the base image */
  createdBy?: DockerInstruction;
  /** the instruction that last changed it (created, chown, chmod, copied over) */
  changedBy?: DockerInstruction;
  /** COPY/ADD from the build context: the source, relative to the scanned root */
  contextSource?: string;
  /** 'base' (base-image facts), 'instruction' (this stage or the stage it builds FROM) */
  origin?: 'base' | 'instruction';
}

export interface ImageUser {
  /** the name or uid asked for */
  query: string;
  /** in /etc/passwd: true, false, or undefined when we cannot tell */
  exists: boolean | undefined;
  name?: string;
  uid?: number;
  gid?: number;
  /** passwd home; when the user does not exist the process gets HOME=/ */
  home?: string;
  homeExists: boolean | undefined;
  shell?: string;
  /** the instruction that created the account; undefined for base-image accounts */
  createdBy?: DockerInstruction;
  /** the uid was not given but deduced (first free uid >= 1000 on an image whose accounts we know) */
  uidInferred?: boolean;
}

export type PythonInstallMethod = 'pip' | 'pip-user' | 'pip-target' | 'pip-prefix' | 'pip-root' | 'pip-venv' | 'uv-pip';

export interface PythonPackageInstall {
  /** normalised distribution name (PEP 503) */
  name: string;
  /** the requirement as written (`gunicorn==22.0`, `uvicorn[standard]`) */
  spec: string;
  method: PythonInstallMethod;
  /** `--target`/`--prefix`/`--root` directory, or the virtualenv, when there is one */
  target?: string;
  /** where its console scripts are in this image; undefined when unknown */
  scriptsDir?: string;
  /** its console scripts (knowledge/python-packages); undefined when the distribution is not listed */
  scripts?: string[];
  /** scriptsDir is on the image's final PATH */
  scriptsOnPath: boolean | undefined;
  /** image path of the requirements file it was read from (`-r`) */
  requirementsFile?: string;
  instruction: DockerInstruction;
  /** set when the install happened in another stage and was copied here with COPY --from */
  copiedFromStage?: number;
}

export interface ProjectInstall {
  tool: 'pip' | 'uv' | 'poetry' | 'pipenv' | 'pdm' | 'npm' | 'yarn' | 'pnpm';
  /** the command as interpreted, e.g. `uv sync`, `pip install -r requirements.txt`, `npm ci` */
  command: string;
  /** image path of the manifest it installs from */
  manifest: string;
  /** the manifest in the repository when a COPY brought it in */
  contextSource?: string;
  /** npm: devDependencies skipped (`--omit=dev`, `--production`, NODE_ENV=production); undefined when unknown */
  omitDev?: boolean;
  /** `installs project dependencies from /app/requirements.txt` */
  description: string;
  instruction: DockerInstruction;
}

export interface OsPackageChange {
  manager: 'apt' | 'apk' | 'rpm';
  name: string;
  action: 'install' | 'remove';
  instruction: DockerInstruction;
}

export interface ExecutableInfo {
  /** true/false/undefined as for hasExecutable */
  found: boolean | undefined;
  /** where it is, when known */
  path?: string;
  /** what put it there */
  via?: 'base' | 'package' | 'pip' | 'file';
  instruction?: DockerInstruction;
}

export interface ImageModel {
  /** index of the stage */
  stage: number;
  /** facts about the external base image (inherited through FROM <stage>); undefined when unknown */
  base?: BaseImageFacts;
  /** the base image (or the stage chain's external base) is one we have no facts for */
  unknownBase: boolean;
  /** final PATH directories, in order */
  path: string[];
  /** `name` on PATH (or an absolute/relative path that is an executable file) after the last instruction */
  hasExecutable(name: string): boolean | undefined;
  /** like hasExecutable, with where and why */
  findExecutable(name: string): ExecutableInfo;
  /** state of `path` after instruction `step` (index into StageModel.instructions; 0 is FROM) */
  pathAt(step: number, path: string): ImagePathInfo;
  finalPath(path: string): ImagePathInfo;
  /** whether `user` (name or uid) can write to `path` in the final image; undefined when unknown */
  writableBy(path: string, user: string): boolean | undefined;
  /** an account by name or uid, in the final image */
  user(nameOrUid: string): ImageUser;
  /** the account the container runs as by default (final USER, root when unset) */
  finalUser: ImageUser;
  /** Python distributions installed in this image, in install order */
  pythonPackages: PythonPackageInstall[];
  /** installs from a manifest we could not (or need not) expand: `uv sync`, `npm ci`, unresolved `-r` */
  projectInstalls: ProjectInstall[];
  osPackages: OsPackageChange[];
  /** instructions whose effects we could not interpret, and why */
  opaque: { instruction: DockerInstruction; reason: string }[];
  /**
   * The commands of RUN instruction `step` (index into StageModel.instructions), from the parse
   * the replay above used: shell form and `RUN <<EOF` bodies as parseShell reads them (locations
   * in the Dockerfile; `joinedBy` tells a plain `&&`/`||`/`|`/`;` list), exec form as one command
   * with literal words followed by the commands of the `sh -c` string it runs (inShellString).
   * Undefined for other instructions, and for a RUN the replay did not read as shell (a SHELL
   * that is not POSIX, a heredoc fed to another program).
   */
  runCommands(step: number): ShellCommand[] | undefined;
}
