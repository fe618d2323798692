/**
 * Pinned images the repository also builds: for each enabled production service whose `image:`
 * pins a tag (other than `latest`) or a digest, find the builds of that image in the project
 *
 *   - another service (any environment) with `build:` and an `image:` of the same repository, or
 *   - the service itself, when it has both `image:` and `build:` and Compose pulls first (no
 *     `pull_policy`, or one that pulls: Compose only builds when the pull finds nothing)
 *
 * and ask git history (first parent from HEAD, bounded) which of those builds' inputs (the
 * Dockerfile, the dependency manifests the image installs or copies) changed in a later commit
 * than the one that last edited the pin line. The rule `image/stale-pinned-image` reads the
 * result from `ServiceModel.pinnedImage`.
 *
 * Silent (nothing set) without a real git repository, when the pin is interpolated (`${TAG}`:
 * the value lives elsewhere), when the pin line is not committed, or when history is unreadable.
 */
import { posix } from 'node:path';
import { globToRegExp } from '../core/glob.js';
import type { GitHistory } from '../discover/git-history.js';
import { mapGet, scalarText } from '../parse/compose/yaml-tree.js';
import { contextSources, excludedFromContext, projectBuilds, type BuildInput } from './build-context.js';
import { parseImageName } from './image-name.js';
import type { ImageName, PinnedImageBuild, PinnedImageChange, PinnedImageStaleness, ProjectModel, RepoTree, ServiceModel, Sourced } from './types.js';

/** pull policies under which Compose builds instead of pulling (`never` uses only a local image, built or not) */
const NO_PULL = new Set(['build', 'never']);

/** dependency manifests and locks, by file name, at the context root (or `requirements/`) */
const MANIFEST =
  /^(?:requirements[^/]*\.(?:txt|in)|constraints[^/]*\.txt|pyproject\.toml|poetry\.lock|uv\.lock|pdm\.lock|Pipfile(?:\.lock)?|setup\.py|setup\.cfg|environment\.ya?ml|package\.json|package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|bun\.lockb?|go\.mod|go\.sum|Gemfile(?:\.lock)?|Cargo\.toml|Cargo\.lock|composer\.json|composer\.lock|pom\.xml|build\.gradle(?:\.kts)?|gradle\.lockfile|mix\.exs|mix\.lock)$/;
/** manifests of tooling an image rarely installs: counted only when a RUN installs them */
const DEV_MANIFEST = /(?:^|[-_./])(?:dev|devel|test|tests|testing|lint|docs?|ci|local)(?:[-_.]|$)/i;

interface Candidate {
  svc: ServiceModel;
  image: ImageName;
  pin: Sourced<string>;
  line: string;
  pullPolicy?: Sourced<string>;
  builds: { build: BuildInput; self: boolean }[];
}

export function addPinnedImageFacts(model: ProjectModel): void {
  const git = model.tree.git;
  if (!git?.history) return;
  const candidates = findCandidates(model);
  if (!candidates.length) return;
  const history = git.history();
  if (!history) return;
  try {
    for (const c of candidates) {
      const facts = staleness(model, history, c);
      if (facts) c.svc.pinnedImage = facts;
    }
  } finally {
    history.close();
  }
}

function findCandidates(model: ProjectModel): Candidate[] {
  const builds = projectBuilds(model).filter((b) => b.service && b.environment);
  const out: Candidate[] = [];
  for (const env of model.environments) {
    if (!env.production) continue;
    for (const svc of env.services) {
      if (!svc.enabled || !svc.image) continue;
      const image = parseImageName(svc.image.value);
      if (!image.digest && (!image.tag || image.tag === 'latest')) continue;
      const line = sourceLine(model, svc.image);
      // an interpolated pin is edited in an env file or the shell, not on this line
      if (line === undefined || line.includes('$') || !line.includes((image.digest ?? image.tag)!)) continue;
      const policyNode = mapGet(svc.node, 'pull_policy');
      const policyText = scalarText(policyNode);
      const pullPolicy = policyText !== undefined && policyNode ? { value: policyText, loc: policyNode.loc } : undefined;
      let found: Candidate['builds'];
      if (svc.build) {
        if (pullPolicy && NO_PULL.has(pullPolicy.value.toLowerCase())) continue;
        found = builds.filter((b) => b.service === svc).map((build) => ({ build, self: true }));
      } else {
        const repo = normaliseRepository(image.repository);
        found = builds
          .filter((b) => b.service!.image && normaliseRepository(parseImageName(b.service!.image.value).repository) === repo)
          .map((build) => ({ build, self: false }));
      }
      const seen = new Set<string>();
      found = found.filter(({ build }) => {
        const k = `${build.dockerfile.path}\0${build.context}`;
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      });
      if (found.length) out.push({ svc, image, pin: svc.image, line, pullPolicy, builds: found });
    }
  }
  return out;
}

function staleness(model: ProjectModel, history: GitHistory, c: Candidate): PinnedImageStaleness | undefined {
  const want = c.line.trim();
  const pin = history.scanLineChange(c.pin.loc.file, (l) => l.trim() === want);
  // not committed yet (absent) or unreadable: git cannot say when the pin was made
  if (pin.status !== 'changed' && pin.status !== 'older') return undefined;
  const pinDepth = pin.status === 'changed' ? pin.change.depth : pin.commits;
  const changed = new Map<string, PinnedImageChange & { depth: number }>();
  for (const { build } of c.builds)
    for (const path of buildInputs(model, build)) {
      if (changed.has(path)) continue;
      const r = history.scanChange(path);
      if (r.status === 'changed' && r.change.depth < pinDepth) changed.set(path, { path, commit: r.change.commit, time: r.change.time, depth: r.change.depth });
    }
  const builds: PinnedImageBuild[] = c.builds.map(({ build, self }) => ({
    environment: build.environment!.name,
    service: build.service!.name,
    loc: build.service!.build!.loc,
    context: build.context,
    dockerfile: build.dockerfile.path,
    self,
  }));
  return {
    image: c.image,
    pinLoc: c.pin.loc,
    ...(pin.status === 'changed' ? { pinCommit: pin.change.commit, pinTime: pin.change.time } : {}),
    commitsRead: pin.status === 'changed' ? pin.change.depth + 1 : pin.commits,
    builds,
    ...(c.pullPolicy ? { pullPolicy: c.pullPolicy } : {}),
    changed: [...changed.values()]
      .sort((a, b) => a.depth - b.depth || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
      .map(({ path, commit, time }) => ({ path, commit, time })),
  };
}

/**
 * What the image is built from, relative to the scanned root: the Dockerfile, the manifests and
 * locks a RUN installs, and the dependency manifests at the context root (or in `requirements/`)
 * that a COPY/ADD puts in the image. Paths outside the scanned root are left out.
 */
function buildInputs(model: ProjectModel, build: BuildInput): string[] {
  const tree = model.tree;
  const inputs = new Set<string>();
  const inside = (p: string): boolean => !!p && !p.startsWith('/') && p !== '..' && !p.startsWith('../');
  if (inside(build.dockerfile.path)) inputs.add(build.dockerfile.path);
  const deps = model.deps?.builds.find((d) => d.environment === build.environment?.name && d.service === build.service?.name && d.dockerfile === build.dockerfile.path);
  for (const step of deps?.installs ?? [])
    for (const p of [step.manifest, step.lock, ...step.constraints]) if (p && inside(p) && tree.files.has(p)) inputs.add(p);
  const prefix = build.context ? `${build.context}/` : '';
  const sources = contextSources(build);
  for (const path of tree.files) {
    if (!path.startsWith(prefix)) continue;
    const rel = path.slice(prefix.length);
    const parts = rel.split('/');
    if (parts.length > 2 || (parts.length === 2 && parts[0] !== 'requirements')) continue;
    const name = parts[parts.length - 1]!;
    if (!MANIFEST.test(name) || DEV_MANIFEST.test(parts.length === 2 ? posix.parse(name).name : name.replace(/^requirements/, ''))) continue;
    if (inputs.has(path) || !copiedIntoImage(build, tree, sources, rel, path)) continue;
    inputs.add(path);
  }
  return [...inputs];
}

function copiedIntoImage(build: BuildInput, tree: RepoTree, sources: ReturnType<typeof contextSources>, rel: string, path: string): boolean {
  if (excludedFromContext(build, tree, rel, path)) return false;
  return sources.some((s) => {
    if (s.glob) {
      try {
        return globToRegExp(s.rel).test(rel);
      } catch {
        return false;
      }
    }
    return s.rel === '.' || s.rel === rel || rel.startsWith(`${s.rel}/`);
  });
}

/** `nginx`, `library/nginx`, `docker.io/library/nginx` and `index.docker.io/library/nginx` are one repository. */
function normaliseRepository(repo: string): string {
  let r = repo.toLowerCase();
  r = r.replace(/^(?:docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, '');
  r = r.replace(/^library\//, '');
  return r;
}

function sourceLine(model: ProjectModel, s: Sourced<string>): string | undefined {
  const line = s.loc.startLine;
  const src = model.sources.get(s.loc.file);
  if (!src || line === undefined || s.loc.endLine !== line) return undefined;
  return src.text.split(/\r?\n/)[line - 1];
}
