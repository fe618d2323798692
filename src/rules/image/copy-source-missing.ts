import { caseVariants, contextSources, excludedFromContext, globBase, globMatches, isBuildOutput, projectBuilds, treeEntry, type BuildInput } from '../../model/build-context.js';
import type { ProjectModel } from '../../model/types.js';
import type { FindingInput } from '../define-rule.js';
import { defineRule } from '../define-rule.js';

export default defineRule({
  meta: {
    id: 'image/copy-source-missing',
    severity: 'critical',
    title: 'COPY/ADD source is not in the build context',
    fixable: 'none',
    status: 'stable',
    docs: {
      summary: 'A `COPY`/`ADD` source does not exist in the build context, or the `.dockerignore` that applies to the build excludes it.',
      why: 'COPY and ADD read their sources from the build context only: the `build.context` directory of the compose service (a Dockerfile no compose file builds is checked against its own directory). BuildKit stops the build with `failed to compute cache key: failed to calculate checksum of ref ...: "/config/app.toml": not found`. A path the `.dockerignore` excludes is never sent to the builder, so it fails the same way although the file is right there in the repository. BuildKit uses `<Dockerfile>.dockerignore` next to the Dockerfile instead of the context\'s `.dockerignore` when it exists. A wildcard (`requirements*.txt`) that matches nothing is accepted by BuildKit, but the directory before the wildcard must exist (`lstat .../folder: no such file or directory`). Only the stages the build runs are checked (the target and what it needs), and a missing path that looks generated before the build (`dist/`, `target/*.jar`) or that `.gitignore` ignores is not reported.',
      fix: 'Correct the source path (it is relative to the build context, not to the Dockerfile), move `build.context` so it contains the file, or add a `!pattern` line to the `.dockerignore` to keep the file in the context.',
      verify: 'docker compose -f <files> build <service>   (or: docker build -f <Dockerfile> <context>)',
      references: [
        { title: 'Dockerfile reference: COPY (sources are relative to the build context, filepath.Match wildcards)', url: 'https://docs.docker.com/reference/dockerfile/#copy' },
        { title: 'Build context: .dockerignore files and Dockerfile-specific ignore files', url: 'https://docs.docker.com/build/concepts/context/#dockerignore-files' },
        { title: 'Compose build specification: context', url: 'https://docs.docker.com/reference/compose-file/build/#context' },
        { title: 'BuildKit dockerfile2llb: COPY with AllowWildcard and AllowEmptyWildcard', url: 'https://github.com/moby/buildkit/blob/master/frontend/dockerfile/dockerfile2llb/convert.go' },
        { title: 'moby/buildkit#2933: a wildcard under a missing directory fails with lstat', url: 'https://github.com/moby/buildkit/issues/2933' },
      ],
      example: {
        bad: { 'Dockerfile': 'FROM python:3.12-slim\nCOPY alembic.ini ./\n', '.dockerignore': '*.ini\n', 'alembic.ini': '[alembic]\nscript_location = migrations\n' },
        good: { 'Dockerfile': 'FROM python:3.12-slim\nCOPY alembic.ini ./\n', '.dockerignore': '*.ini\n!alembic.ini\n', 'alembic.ini': '[alembic]\nscript_location = migrations\n' },
      },
    },
  },
  check({ model, report }) {
    for (const build of projectBuilds(model)) checkBuild(model, build, report);
  },
});

function checkBuild(model: ProjectModel, build: BuildInput, report: (f: FindingInput) => void): void {
  const tree = model.tree;
  const { environment: env, service: svc } = build;
  const where = svc ? `the build context "${svc.build!.contextWritten}" of service "${svc.name}"` : `the Dockerfile's own directory (${build.context || '.'}), assumed as its build context`;
  const base: Pick<FindingInput, 'environment' | 'service' | 'verify'> = env && svc
    ? { environment: env.name, service: svc.name, verify: [`docker compose ${env.composeFiles.map((f) => `-f ${f}`).join(' ')} build ${svc.name}`] }
    : { verify: [`docker build -f ${build.dockerfile.path} ${build.context || '.'}`] };
  const contextRelated = svc ? [{ location: svc.build!.contextLoc, message: `build context ${build.context || '.'}` }] : [];
  const ig = build.dockerignore;

  for (const s of contextSources(build)) {
    const kw = s.step.keyword;
    const shown = s.source.value;
    if (s.glob) {
      if (globMatches(build, tree, s.rel).length) continue;
      const dirRel = globBase(s.rel);
      if (dirRel === '.') continue; // BuildKit accepts a wildcard that matches nothing
      const dirPath = build.context ? `${build.context}/${dirRel}` : dirRel;
      const entry = treeEntry(tree, dirPath);
      if (entry === 'unknown' || entry === 'file' || (entry === 'dir' && !excludedFromContext(build, tree, dirRel, dirPath))) continue;
      if (entry === 'missing' && generated(model, dirRel, dirPath)) continue;
      const pattern = entry === 'dir' ? ig?.excludedBy(dirRel) : undefined;
      report({
        ...base,
        message:
          entry === 'dir'
            ? `${kw} source "${shown}": the directory "${dirRel}" is excluded from ${where} by ${ig!.path}${pattern ? ` (pattern "${pattern.value}")` : ''}, so the wildcard has nowhere to look and the build fails with "lstat .../${dirRel}: no such file or directory".`
            : `${kw} source "${shown}": the directory "${dirRel}" does not exist in ${where} (looked for ${dirPath}), so the build fails with "lstat .../${dirRel}: no such file or directory".`,
        location: s.source.loc,
        related: [...contextRelated, ...(pattern ? [{ location: pattern.loc, message: `.dockerignore pattern "${pattern.value}" excludes ${dirRel}` }] : [])],
        key: `${build.context}:${s.rel}`,
      });
      continue;
    }
    const entry = treeEntry(tree, s.path);
    if (entry === 'unknown') continue;
    if (entry === 'missing') {
      if (generated(model, s.rel, s.path)) continue;
      const variants = caseVariants(tree, s.path);
      report({
        ...base,
        message: `${kw} source "${shown}" does not exist in ${where} (looked for ${s.path})${variants.length ? `; ${variants[0]} differs only in letter case` : ''}: the build fails with 'failed to compute cache key: ... "/${s.rel}": not found'.`,
        location: s.source.loc,
        related: contextRelated,
        key: `${build.context}:${s.rel}`,
      });
      continue;
    }
    if (!excludedFromContext(build, tree, s.rel, s.path)) continue;
    const pattern = ig!.excludedBy(s.rel);
    report({
      ...base,
      message: `${kw} source "${shown}" exists, but ${ig!.path} excludes it from ${where}${pattern ? ` (pattern "${pattern.value}")` : ''}: BuildKit never sends it, so the build fails with 'failed to compute cache key: ... "/${s.rel}": not found'.`,
      location: s.source.loc,
      related: [...contextRelated, ...(pattern ? [{ location: pattern.loc, message: `.dockerignore pattern "${pattern.value}" excludes ${s.rel}` }] : [{ location: { file: ig!.path }, message: 'the ignore file of this build' }])],
      key: `${build.context}:${s.rel}:ignored`,
    });
  }
}

/** A missing path that a build step outside Docker produces (dist/, target/*.jar) or that git ignores on purpose. */
function generated(model: ProjectModel, rel: string, path: string): boolean {
  return isBuildOutput(rel) || (model.tree.git?.ignored(path) ?? false);
}
