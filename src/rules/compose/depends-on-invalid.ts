import { imageHasNoHealthcheck } from '../../knowledge/image-healthchecks.js';
import { defineRule } from '../define-rule.js';

export default defineRule({
  meta: {
    id: 'compose/depends-on-invalid',
    severity: 'critical',
    title: 'depends_on names an unknown service, or waits for a health check that does not exist',
    fixable: 'none',
    status: 'stable',
    docs: {
      summary: '`depends_on` names a service that is not defined, or uses `condition: service_healthy` on a service with no healthcheck in compose or in its image.',
      why: 'An unknown dependency makes Compose reject the whole file: `service "web" depends on undefined service "db": invalid compose project`. `service_healthy` on a dependency without a healthcheck is accepted by `config` but `up` stops: `dependency failed to start: container db has no healthcheck configured`. A `HEALTHCHECK` in the image counts; `healthcheck: {disable: true}` or `test: ["NONE"]` removes it.',
      fix: 'Fix the service name, or add a `healthcheck` to the dependency (or use `condition: service_started`).',
      verify: 'docker compose -f <files> up -d && docker compose ps',
      references: [
        { title: 'Compose services: depends_on', url: 'https://docs.docker.com/reference/compose-file/services/#depends_on' },
        { title: 'compose-go validate.go (undefined service)', url: 'https://github.com/compose-spec/compose-go/blob/main/loader/validate.go' },
        { title: 'docker/compose convergence.go (no healthcheck configured)', url: 'https://github.com/docker/compose/blob/main/pkg/compose/convergence.go' },
      ],
    },
  },
  check({ model, report }) {
    for (const env of model.environments) {
      const byName = new Map(env.services.map((s) => [s.name, s]));
      for (const svc of env.services) {
        if (!svc.enabled) continue;
        for (const dep of svc.dependsOn) {
          const target = byName.get(dep.service);
          const base = { environment: env.name, service: svc.name, location: dep.loc };
          if (!target) {
            if (!dep.required) continue;
            report({ ...base, message: `service "${svc.name}" depends on undefined service "${dep.service}": Compose rejects the project ("invalid compose project").`, key: `undefined:${dep.service}` });
            continue;
          }
          if (dep.condition !== 'service_healthy') continue;
          const hc = target.healthcheck;
          const imageHc = target.runtime.stage?.healthcheck;
          const hasCheck = hc ? !hc.disabled : imageHc ? imageHc.value[0] !== 'NONE' : false;
          // an external image may ship a HEALTHCHECK we cannot see: stay silent unless compose disabled it
          const ext = target.runtime.external;
          const unknownImage = !hc && !target.runtime.stage && !(ext && imageHasNoHealthcheck(ext.repository));
          if (hasCheck || unknownImage) continue;
          report({
            ...base,
            message: `service "${svc.name}" waits for "${dep.service}" to be healthy, but "${dep.service}" has no healthcheck${hc?.disabled ? ' (it is disabled)' : ' in compose or in its image'}: \`up\` fails with "dependency failed to start: container ... has no healthcheck configured".`,
            related: [{ location: target.loc, message: `service "${dep.service}"` }],
            key: `nohealth:${dep.service}`,
          });
        }
      }
    }
  },
});
