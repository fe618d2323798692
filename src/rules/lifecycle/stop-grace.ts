import { lastDefinition } from '../../model/start/queries.js';
import type { ServerKind } from '../../model/types.js';
import { defineRule } from '../define-rule.js';

const WORKERS: Partial<Record<ServerKind, string>> = { 'celery-worker': 'Celery worker', 'rq-worker': 'RQ worker' };

export default defineRule({
  meta: {
    id: 'lifecycle/stop-grace',
    severity: 'low',
    title: 'Queue worker keeps the default 10 s stop grace period',
    fixable: 'none',
    status: 'stable',
    docs: {
      summary: 'A production service runs a queue worker (Celery `worker`, RQ `worker`) and does not set `stop_grace_period`, so Docker gives it the default 10 seconds to stop.',
      why: 'On `docker stop` (every deploy that recreates the container) the worker gets SIGTERM and does a warm shutdown: it stops taking new tasks and waits for the running ones to finish (Celery: "the worker will finish all currently executing tasks before it actually terminates"; RQ: it waits until the current job is finished). Docker waits `stop_grace_period`, 10 s unless set, and then SIGKILLs it: any task that needs longer is killed mid-way on every deploy. With Celery\'s default early acknowledgement the killed task is not redelivered (it is lost); with `acks_late` it runs again from the start. Reported for production environments only.',
      fix: 'Set `stop_grace_period` on the worker service to more than the longest task you expect (`stop_grace_period: 2m`), and keep tasks idempotent (`acks_late=True` for tasks that must not be lost).',
      verify: 'docker compose -f <files> config | grep -A0 stop_grace_period   # and: docker compose stop <worker> while a task runs; the task finishes',
      references: [
        { title: 'Compose services: stop_grace_period (default 10s)', url: 'https://docs.docker.com/reference/compose-file/services/#stop_grace_period' },
        { title: 'Celery: stopping the worker (warm shutdown on TERM)', url: 'https://docs.celeryq.dev/en/stable/userguide/workers.html#stopping-the-worker' },
        { title: 'RQ: taking down workers', url: 'https://python-rq.org/docs/workers/#taking-down-workers' },
        { title: 'docker container stop: SIGKILL after the grace period', url: 'https://docs.docker.com/reference/cli/docker/container/stop/' },
      ],
    },
  },
  check({ model, report }) {
    for (const env of model.environments) {
      if (!env.production) continue;
      for (const svc of env.services) {
        if (!svc.enabled || !svc.start || svc.stopGracePeriod) continue;
        const worker = svc.start.servers.find((f) => WORKERS[f.kind]);
        if (!worker) continue;
        const label = WORKERS[worker.kind]!;
        report({
          message: `${svc.name} runs ${/^[AEIOU]|^RQ/.test(label) ? 'an' : 'a'} ${label} with the default stop_grace_period of 10 s: on every deploy a task that takes longer is killed mid-way by SIGKILL (and, with early acknowledgement, lost).`,
          location: lastDefinition(env, svc),
          environment: env.name,
          service: svc.name,
          related: [{ location: worker.loc, message: `the ${label} starts here` }],
          key: `${svc.name}:${worker.kind}`,
          verify: [`docker compose ${env.composeFiles.map((f) => `-f ${f}`).join(' ')} config ${svc.name} | grep stop_grace_period`],
        });
      }
    }
  },
});
