import { defineRule } from './define-rule.js';

export default defineRule({
  meta: {
    id: 'parse-error',
    severity: 'high',
    title: 'File cannot be read or parsed',
    fixable: 'none',
    status: 'stable',
    docs: {
      summary: 'A deployment file (Dockerfile, compose file, env file, script) could not be read or parsed, so drydock could not check it.',
      why: 'Docker and Compose reject the same file: `docker compose up` stops with a YAML error, `docker build` with a Dockerfile parse error. A binary or oversized file under a deployment file name is usually a mistake, and every rule that needs that file is blind to it.',
      fix: 'Correct the syntax at the reported position (or rename the file if it is not what its name says).',
      verify: 'docker compose -f <file> config -q   # or: docker build --check .',
      references: [
        { title: 'Compose file reference', url: 'https://docs.docker.com/reference/compose-file/' },
        { title: 'Dockerfile reference', url: 'https://docs.docker.com/reference/dockerfile/' },
      ],
    },
  },
  check({ model, report }) {
    for (const p of model.problems) report({ message: `${p.kind}: ${p.message}`, location: p.loc, key: `${p.loc.file}:${p.message}` });
  },
});
