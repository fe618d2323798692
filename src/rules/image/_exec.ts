/**
 * Shared by the rules that ask "does the image have this program?": image/entrypoint-missing,
 * image/executable-missing, image/path-missing-at-step and health/tool-missing. Every helper is
 * three-valued in spirit: it answers "missing" only when the image model says so definitively.
 */
import { posix } from 'node:path';
import type { RelatedLocation } from '../../core/finding.js';
import type { FindingInput } from '../define-rule.js';
import { baseHasTool, basePath, type BaseImageFacts } from '../../knowledge/base-images.js';
import { CONSOLE_SCRIPTS, distributionsProviding } from '../../knowledge/python-packages.js';
import { NO_ENTRYPOINT } from '../../knowledge/image-entrypoints.js';
import { SHELL_BUILTINS } from '../../knowledge/shell-builtins.js';

export { SHELL_BUILTINS };
import { isBuildOutput } from '../../model/build-context.js';
import type { ImageModel, Mount, ProjectModel, ServiceModel, StageModel, StartPlan } from '../../model/types.js';

// ---------------------------------------------------------------- what runs first


/**
 * The container's argv (ENTRYPOINT + CMD after compose) is what Docker executes: an ENTRYPOINT is
 * set by compose or the Dockerfile chain (or compose clears it), or the base image sets none.
 */
export function argvRunsDirectly(plan: StartPlan, image: ImageModel): boolean {
  if (!plan.baseEntrypointUnknown) return true;
  return !image.unknownBase && image.base !== undefined && Object.hasOwn(NO_ENTRYPOINT, image.base.id);
}

// ---------------------------------------------------------------- mounts

/** A compose mount (bind, volume, tmpfs) whose target is `path` or one of its ancestors. */
export function mountedOver(svc: ServiceModel, path: string): Mount | Sourced | undefined {
  const p = posix.normalize(path);
  for (const m of svc.mounts) {
    const t = posix.normalize(m.target).replace(/(.)\/$/, '$1');
    if (t === '/' || p === t || p.startsWith(`${t}/`)) return m;
  }
  for (const t of svc.tmpfs) {
    const target = posix.normalize(t.value.split(':')[0]!).replace(/(.)\/$/, '$1');
    if (p === target || p.startsWith(`${target}/`)) return t;
  }
  return undefined;
}
type Sourced = ServiceModel['tmpfs'][number];

/** A compose mount puts something at or below `dir` (a PATH directory): programs there are unknown. */
export function mountsInto(svc: ServiceModel, dir: string): boolean {
  const d = posix.normalize(dir);
  if (mountedOver(svc, d)) return true;
  return svc.mounts.some((m) => posix.normalize(m.target).startsWith(`${d}/`));
}

// ---------------------------------------------------------------- programs in an image

export type Presence = 'missing' | 'unknown';

/** An absolute program path: missing only when the model says no file is there and none can be. */
export function pathProgramMissing(image: ImageModel, abs: string): boolean {
  const info = image.finalPath(abs);
  if (info.exists === true) return false;
  return image.findExecutable(abs).found === false;
}

/**
 * A program name or path in a service's container: `missing` when the image certainly lacks it,
 * taking compose into account (a PATH override, mounts over PATH directories or over the path).
 */
export function serviceProgram(svc: ServiceModel, image: ImageModel, word: string, cwd: string): Presence {
  if (word.includes('/')) {
    const abs = posix.resolve(cwd, word);
    if (mountedOver(svc, abs)) return 'unknown';
    return pathProgramMissing(image, abs) ? 'missing' : 'unknown';
  }
  if (svc.env.has('PATH')) return 'unknown';
  if (image.path.some((d) => mountsInto(svc, d))) return 'unknown';
  return image.findExecutable(word).found === false ? 'missing' : 'unknown';
}

/** A program in an external image we only know from base-image facts. */
export function factsProgram(svc: ServiceModel, facts: BaseImageFacts, word: string): Presence {
  if (svc.env.has('PATH')) return 'unknown';
  if (word.includes('/')) {
    const dir = posix.dirname(word);
    const name = posix.basename(word);
    if (!word.startsWith('/') || mountedOver(svc, word)) return 'unknown';
    if (Object.values(facts.toolPaths ?? {}).includes(word)) return 'unknown';
    return basePath(facts).includes(dir) && baseHasTool(facts, name) === false && !facts.toolPaths?.[name] ? 'missing' : 'unknown';
  }
  if (basePath(facts).some((d) => mountsInto(svc, d))) return 'unknown';
  return baseHasTool(facts, word) === false ? 'missing' : 'unknown';
}

export interface MissingWhy {
  /** a clause starting with a lower-case letter, e.g. `python:<v>-slim images do not ship curl and no RUN installs it` */
  text: string;
  related: RelatedLocation[];
  /** a suggestion, e.g. `run it as "python -m celery"` */
  hint?: string;
  /** set when the reason is only "the base image does not ship it": the base's description */
  baseLacks?: string;
}

/** Why `name` is not on PATH in `image`, as far as the model tells. */
export function missingWhy(image: ImageModel, name: string): MissingWhy {
  const related: RelatedLocation[] = [];
  // installed by pip somewhere PATH does not reach
  const off = image.pythonPackages.filter((p) => p.scripts?.includes(name) && p.scriptsOnPath === false);
  if (off.length) {
    const p = off[off.length - 1]!;
    const how = p.method === 'pip-target' ? '`pip install --target`' : p.method === 'pip-user' ? '`pip install --user`' : p.method === 'pip-prefix' ? '`pip install --prefix`' : p.method === 'pip-root' ? '`pip install --root`' : p.method === 'pip-venv' ? 'pip in a virtualenv' : '`pip install`';
    related.push({ location: p.instruction.loc, message: `${p.name} is installed here with ${how}` });
    const module = CONSOLE_SCRIPTS[p.name]?.module;
    const where = p.copiedFromStage !== undefined ? `${p.scriptsDir} (copied from stage ${p.copiedFromStage})` : p.scriptsDir;
    return {
      text: `${p.name} is installed with ${how}, which puts its console script in ${where ?? 'a directory'} that is not on PATH (${image.path.join(':')})`,
      related,
      hint: module ? `run it as "python -m ${module}" or add the scripts directory to PATH` : 'add the scripts directory to PATH or call the script by its full path',
    };
  }
  const dists = distributionsProviding(name);
  if (dists.length && image.hasExecutable('python3') === false && image.hasExecutable('python') === false) {
    const base = image.base && !image.unknownBase ? image.base.description : 'the image';
    return { text: `${name} is a Python console script, and ${base} has no Python (no RUN step installs it)`, related, hint: 'build from a Python image, or install Python and the package' };
  }
  if (dists.length) {
    for (const p of image.pythonPackages.slice(0, 1)) related.push({ location: p.instruction.loc, message: 'Python packages are installed here' });
    return {
      text: `${name} is a console script of the Python distribution ${dists.join(' or ')}, and no requirements file or pip install in the image installs it`,
      related,
      hint: `add ${dists[0]} to the requirements the image installs`,
    };
  }
  const info = image.findExecutable(name);
  if (info.instruction && info.via === 'package') {
    related.push({ location: info.instruction.loc, message: `${name} is removed here` });
    return { text: `a RUN step removes the package that provides ${name}`, related, hint: `keep the package, or use a tool the image has` };
  }
  const base = image.base;
  if (base && !image.unknownBase) {
    if (base.closed) return { text: `${base.description} contains no programs besides its own (no shell, no package manager)`, related, hint: 'use a tool the image has, or build from a variant that includes it' };
    return { text: `${base.description} does not ship ${name} and no RUN step installs it`, related, hint: installHint(base, name), baseLacks: base.description };
  }
  return { text: `nothing in the image provides ${name}`, related };
}

function installHint(base: BaseImageFacts, name: string): string {
  const pkg = name === 'pg_isready' || name === 'psql' ? 'postgresql-client' : name === 'redis-cli' ? 'redis-tools' : name === 'nc' ? 'netcat-openbsd' : name;
  if (base.packageManager === 'apt') return `install it (\`apt-get install -y --no-install-recommends ${pkg}\`) or use a tool the image has`;
  if (base.packageManager === 'apk') return `install it (\`apk add --no-cache ${pkg}\`) or use a tool the image has`;
  return 'use a tool the image has';
}

// ---------------------------------------------------------------- files produced outside the build

/**
 * A path a context COPY would have brought into the image if the file existed when the image is
 * built: build output made before `docker build` (dist/, target/, *.jar) or a file git ignores
 * (generated in CI). The repository we scan may lack it although the real build has it.
 */
export function maybeGeneratedBeforeBuild(model: ProjectModel, stages: readonly StageModel[], stage: StageModel, contextDir: string | undefined, abs: string): boolean {
  const chain: StageModel[] = [];
  for (let s: StageModel | undefined = stage; s && !chain.includes(s); s = s.baseStage !== undefined ? stages[s.baseStage] : undefined) chain.push(s);
  for (const s of chain)
    for (const c of s.copies) {
      if (c.from !== undefined || c.heredoc) continue;
      const dest = posix.normalize(c.dest).replace(/(.)\/$/, '$1');
      if (abs !== dest && !abs.startsWith(dest === '/' ? '/' : `${dest}/`)) continue;
      const rest = abs === dest ? '' : abs.slice(dest === '/' ? 1 : dest.length + 1);
      for (const src of c.sources) {
        if (/[$*?[]/.test(src.value)) return true;
        const srcRel = posix.normalize(src.value).replace(/^\/+/, '').replace(/^\.$/, '');
        // COPY names this very file: when the repository lacks it the COPY fails first (image/copy-source-missing)
        if (srcRel && (abs === dest || abs === posix.join(dest, posix.basename(srcRel)))) return true;
        const rel = posix.join(srcRel || '.', rest || '.');
        if (isBuildOutput(rel)) return true;
        if (model.tree.git?.ignored(contextDir ? posix.join(contextDir, rel) : rel)) return true;
      }
    }
  return false;
}

/** The enabled services whose start plan and image the model knows completely: what these rules can judge. */
export function* knownImageServices(services: readonly ServiceModel[]): Generator<{ svc: ServiceModel; plan: StartPlan; stage: StageModel; image: ImageModel }> {
  for (const svc of services) {
    if (!svc.enabled) continue;
    const plan = svc.start;
    const stage = svc.runtime.stage;
    const image = stage?.image;
    if (!plan || !plan.imageKnown || !stage || !image || image.unknownBase) continue;
    yield { svc, plan, stage, image };
  }
}

/**
 * Several services built from one Dockerfile share a defect at one place: report it once and name
 * every service ("Service "web"" becomes "Services "web", "worker""). True when `key` was seen.
 */
export function addServiceToSeen(seen: Map<string, FindingInput>, key: string, service: string): boolean {
  const prev = seen.get(key);
  if (!prev) return false;
  prev.message = prev.message.replace(/^Service(s?) ("[^"]+"(?:, "[^"]+")*)/, (_m, _s: string, list: string) => `Services ${list}, "${service}"`);
  return true;
}
