import { defineRule } from '../define-rule.js';

export default defineRule({
  meta: {
    id: 'compose/build-target-missing',
    severity: 'critical',
    title: 'build.target names no stage of the Dockerfile',
    fixable: 'none',
    status: 'stable',
    docs: {
      summary: '`build.target` names a stage that the Dockerfile does not define.',
      why: 'BuildKit stops the build: `failed to solve: target stage "prod" could not be found`. It happens after a stage is renamed in the Dockerfile but not in every compose overlay.',
      fix: 'Use one of the stage names the Dockerfile defines (`FROM ... AS <name>`), or remove `target` to build the last stage.',
      verify: 'docker compose -f <files> build <service>',
      references: [
        { title: 'Compose build specification: target', url: 'https://docs.docker.com/reference/compose-file/build/#target' },
        { title: 'Multi-stage builds: stop at a specific build stage', url: 'https://docs.docker.com/build/building/multi-stage/#stop-at-a-specific-build-stage' },
      ],
    },
  },
  check({ model, report }) {
    for (const env of model.environments)
      for (const svc of env.services) {
        const target = svc.build?.target;
        const df = svc.runtime.dockerfile;
        if (!svc.enabled || !target || !df || svc.runtime.stage || !df.stages.length) continue;
        const names = df.stages.map((s) => s.name).filter((n): n is string => Boolean(n));
        report({
          message: `build.target "${target.value}" of service "${svc.name}" is not a stage of ${df.path}${names.length ? ` (stages: ${names.join(', ')})` : ' (it names no stages)'}: the build fails with 'target stage "${target.value}" could not be found'.`,
          location: target.loc,
          environment: env.name,
          service: svc.name,
          related: [{ location: df.stages[0]!.loc, message: 'the Dockerfile the service builds' }],
          key: `${df.path}:${target.value}`,
        });
      }
  },
});
