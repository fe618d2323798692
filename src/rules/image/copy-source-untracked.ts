import { contextSources, excludedFromContext, globBase, globMatches, isBuildOutput, isTracked, projectBuilds, treeEntry } from '../../model/build-context.js';
import { defineRule } from '../define-rule.js';

export default defineRule({
  meta: {
    id: 'image/copy-source-untracked',
    severity: 'critical',
    title: 'COPY/ADD source exists locally but is not in git',
    fixable: 'none',
    status: 'stable',
    docs: {
      summary: 'A `COPY`/`ADD` source exists in the working copy, but git does not track it (often because `.gitignore` ignores it), so a clean checkout lacks it.',
      why: 'The build works on the machine where the file happens to exist, and fails everywhere else: in CI, on the deploy host, for a colleague. A clean checkout has only what git tracks, and BuildKit stops with `failed to compute cache key: ... "/poetry.lock": not found`. The classic case is `COPY pyproject.toml poetry.lock ./` with `poetry.lock` in `.gitignore`. Build outputs a CI job creates before the build (`dist/`, `target/*.jar`, wheels) are not reported.',
      fix: 'Commit the file (`git add -f <path>` when `.gitignore` ignores it, and remove the ignore line), or generate it in the Dockerfile instead of copying it.',
      verify: 'git ls-files --error-unmatch <path> && git clone <repo> /tmp/clean && docker build /tmp/clean/<context>',
      references: [
        { title: 'Dockerfile reference: COPY reads sources from the build context', url: 'https://docs.docker.com/reference/dockerfile/#copy' },
        { title: 'Build context: local directories are sent as they are on disk', url: 'https://docs.docker.com/build/concepts/context/' },
        { title: 'git-ls-files: what the index tracks', url: 'https://git-scm.com/docs/git-ls-files' },
        { title: 'gitignore: ignored files are never added by `git add .`', url: 'https://git-scm.com/docs/gitignore' },
      ],
    },
  },
  check({ model, report }) {
    const tree = model.tree;
    const git = tree.git;
    if (!git) return;
    for (const build of projectBuilds(model)) {
      // an untracked Dockerfile or context is not part of any clean checkout: nothing to compare
      if (!isTracked(tree, build.dockerfile.path) || !isTracked(tree, build.context)) continue;
      const { environment: env, service: svc } = build;
      const base = env && svc ? { environment: env.name, service: svc.name } : {};
      const buildName = svc ? `service "${svc.name}"` : build.dockerfile.path;
      for (const s of contextSources(build)) {
        if (isBuildOutput(s.rel)) continue;
        const kw = s.step.keyword;
        let missingPath: string;
        if (s.glob) {
          // a wildcard matching nothing is fine for BuildKit; its directory must exist, though
          const dirRel = globBase(s.rel);
          if (dirRel === '.' || isBuildOutput(dirRel)) continue;
          const dirPath = build.context ? `${build.context}/${dirRel}` : dirRel;
          if (!globMatches(build, tree, s.rel).length || isTracked(tree, dirPath)) continue;
          missingPath = dirPath;
        } else {
          if (s.rel === '.' || treeEntry(tree, s.path) === 'missing' || treeEntry(tree, s.path) === 'unknown') continue;
          if (excludedFromContext(build, tree, s.rel, s.path) || isTracked(tree, s.path)) continue;
          missingPath = s.path;
        }
        const ignored = git.ignored(missingPath);
        const failure = s.glob ? `"lstat .../${missingPath.slice(build.context ? build.context.length + 1 : 0)}: no such file or directory"` : `'failed to compute cache key: ... "/${s.rel}": not found'`;
        report({
          ...base,
          message: `${kw} source "${s.source.value}" exists here but git does not track ${missingPath}${ignored ? ' (.gitignore ignores it)' : ''}: a clean checkout (CI, the deploy host) lacks it and the build of ${buildName} fails with ${failure}.`,
          location: s.source.loc,
          verify: [`git ls-files --error-unmatch ${missingPath}`],
          key: `${build.context}:${s.rel}`,
        });
      }
    }
  },
});
