import { defineRule } from '../define-rule.js';

export default defineRule({
  meta: {
    id: 'compose/env-file-missing',
    severity: 'critical',
    title: 'env_file does not exist',
    fixable: 'none',
    status: 'stable',
    docs: {
      summary: 'A service lists an `env_file` that does not exist (and is not marked `required: false`).',
      why: 'Compose reads every `env_file` when it creates the container and refuses to start the project when one is missing: `env file /abs/path/.env.production not found: stat ...: no such file or directory`. Env files are often git-ignored, so the file exists on a laptop and not on the server or in CI. Paths resolve from the project directory (the folder of the first `-f` file), not from the overlay file that names them.',
      fix: 'Create the file on the deploy host (commit an `.example` beside it), correct the path, or use the long form `env_file: [{path: ./x.env, required: false}]` (Compose 2.24+) when the file is truly optional.',
      verify: 'docker compose -f <files> config --quiet',
      references: [
        { title: 'Compose services: env_file (required, format)', url: 'https://docs.docker.com/reference/compose-file/services/#env_file' },
        { title: 'compose-go loadEnvFile error text', url: 'https://github.com/compose-spec/compose-go/blob/main/types/project.go' },
      ],
    },
  },
  check({ model, report }) {
    for (const env of model.environments)
      for (const svc of env.services) {
        if (!svc.enabled) continue;
        for (const ref of svc.envFiles) {
          if (!ref.required || model.tree.files.has(ref.path)) continue;
          const isDir = model.tree.dirs.has(ref.path);
          report({
            message: isDir
              ? `env_file "${ref.written}" of service "${svc.name}" is a directory, not a file: \`docker compose up\` fails before any container starts.`
              : `env_file "${ref.written}" of service "${svc.name}" does not exist (resolved to ${ref.path || '.'} from the project directory ${env.projectDir}): \`docker compose up\` fails with "env file ... not found" before any container starts.`,
            location: ref.loc,
            environment: env.name,
            service: svc.name,
            key: ref.path,
            verify: [`test -f ${ref.path} && docker compose ${env.composeFiles.map((f) => `-f ${f}`).join(' ')} config --quiet`],
          });
        }
      }
  },
});
