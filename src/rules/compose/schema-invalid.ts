import { COMPOSE_SCHEMA_ORIGIN } from '../../model/compose/schema-check.js';
import { defineRule } from '../define-rule.js';

export default defineRule({
  meta: {
    id: 'compose/schema-invalid',
    severity: 'critical',
    title: 'Compose file fails the Compose schema',
    fixable: 'none',
    status: 'stable',
    docs: {
      summary: 'A compose file has a key, type or value that the compose-spec JSON schema rejects: a misspelt key (`enviroment:`), a scalar where a list or mapping is required (`ports: 80`), or a value outside an enumeration (`condition: service_ready`, `restart: sometimes`).',
      why: 'Compose validates every file against the compose-spec schema when it loads it, before merging overlays, and refuses the whole project on the first violation: `validating docker-compose.yml: services.web additional property enviroment is not allowed`. Nothing starts; a typo in an overlay that only CI or the server loads breaks only that deploy. `restart` values are checked by the Docker engine when it creates the container (`invalid restart policy`). drydock validates against a vendored copy of the schema (from dclint 3.1.0, 2026-03; see src/knowledge/compose-schema.README.md); Compose moves faster than any copy, so a key far from every key the schema knows is reported as `medium` ("unknown or newer compose key"), and so are other schema checks (a missing required property, a pattern, duplicate list items), while near-miss keys (edit distance 2 or less from an allowed key) and type or enum errors stay `critical`. The schema is compiled once per scan when a compose file exists, which costs about 120-190 ms.',
      fix: 'Correct the key (the message suggests the nearest allowed one), write the value in the form the Compose reference gives (a list for `ports`, a mapping or list for `environment`), or move custom data under an `x-` extension key.',
      verify: 'docker compose -f <files> config --quiet',
      references: [
        { title: 'Compose specification JSON schema', url: 'https://github.com/compose-spec/compose-spec/blob/main/schema/compose-spec.json' },
        { title: 'compose-go schema validation (loader)', url: 'https://github.com/compose-spec/compose-go/blob/main/schema/schema.go' },
        { title: 'Compose extensions (x- keys)', url: 'https://docs.docker.com/reference/compose-file/extension/' },
      ],
    },
  },
  check({ model, report }) {
    for (const file of model.composeFiles.values()) {
      const problems = file.schemaProblems;
      if (!problems?.length) continue;
      const envs = model.environments.filter((e) => e.composeFiles.includes(file.path));
      const environment = envs.length === 1 ? envs[0]!.name : undefined;
      const verify = [`docker compose -f ${file.path} config --quiet`];
      for (const p of problems) {
        const service = p.path[0] === 'services' && p.path.length > 2 ? p.path[1] : undefined;
        const base = { location: p.loc, verify, key: `${p.path.join('.')}\0${p.kind}`, ...(environment ? { environment } : {}), ...(service ? { service } : {}) };
        if (p.kind === 'unknown-key') {
          const shipped = `unknown to the Compose schema drydock ships (${COMPOSE_SCHEMA_ORIGIN})`;
          if (p.suggestion)
            report({ ...base, message: `${p.message} (did you mean ${p.suggestion}?): the key is ${shipped}; \`docker compose\` refuses to load ${file.path}, so nothing starts.` });
          else
            report({ ...base, severity: 'medium', message: `${p.message}: unknown or newer compose key "${p.key}", ${shipped}. If your Compose version does not know it either, \`docker compose\` refuses to load ${file.path}.` });
        } else if (p.path.at(-1) === 'restart' && p.kind === 'enum') {
          report({ ...base, message: `${p.message}: Docker rejects the policy with "invalid restart policy" when it creates the container, so the service never starts.` });
        } else if (p.kind === 'other') {
          // required properties, patterns, duplicates: the vendored schema may be stricter or older than Compose
          report({ ...base, severity: 'medium', message: `${p.message} according to the Compose schema drydock ships (${COMPOSE_SCHEMA_ORIGIN}): if your Compose version applies the same check, \`docker compose\` refuses to load ${file.path}.` });
        } else {
          report({ ...base, message: `${p.message}: \`docker compose\` refuses to load ${file.path} ("validating ${file.path}: ..."), so nothing starts.` });
        }
      }
    }
  },
});
