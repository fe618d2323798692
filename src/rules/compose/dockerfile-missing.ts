import { defineRule } from '../define-rule.js';

export default defineRule({
  meta: {
    id: 'compose/dockerfile-missing',
    severity: 'critical',
    title: 'build context or Dockerfile does not exist',
    fixable: 'none',
    status: 'stable',
    docs: {
      summary: "A service's `build.context` directory or its `build.dockerfile` does not exist.",
      why: '`docker compose build` (and `up --build`) fails for that service: `unable to prepare context: path "./api" not found`, or `failed to read dockerfile: open Dockerfile.prod: no such file or directory`. `build.dockerfile` is relative to the build context, not to the compose file.',
      fix: 'Correct `build.context` (relative to the project directory) or `build.dockerfile` (relative to the context).',
      verify: 'docker compose -f <files> build <service>',
      references: [{ title: 'Compose build specification: context, dockerfile', url: 'https://docs.docker.com/reference/compose-file/build/' }],
    },
  },
  check({ model, report }) {
    for (const env of model.environments)
      for (const svc of env.services) {
        const b = svc.build;
        if (!svc.enabled || !b || b.context === undefined || b.context.startsWith('/') || b.context.startsWith('..') || b.context.startsWith('~')) continue;
        const base = { environment: env.name, service: svc.name };
        if (!model.tree.dirs.has(b.context)) {
          report({
            ...base,
            message: `build context "${b.contextWritten}" of service "${svc.name}" does not exist (resolved to ${b.context || '.'}): the image cannot be built.`,
            location: b.contextLoc,
            key: `context:${b.context}`,
          });
          continue;
        }
        if (b.dockerfile && !b.dockerfile.startsWith('..') && !model.tree.files.has(b.dockerfile))
          report({
            ...base,
            message: `Dockerfile "${b.dockerfileWritten ?? 'Dockerfile'}" of service "${svc.name}" does not exist in the build context (looked for ${b.dockerfile}): the image cannot be built.`,
            location: b.dockerfileLoc ?? b.loc,
            key: `dockerfile:${b.dockerfile}`,
          });
      }
  },
});
