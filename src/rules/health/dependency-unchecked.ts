import type { Fix, TextEdit } from '../../core/finding.js';
import type { Dependency, ProjectModel, ServiceModel, StartPlan } from '../../model/types.js';
import { mapGet, type YamlNode, type YamlScalarNode } from '../../parse/compose/yaml-tree.js';
import { defineRule } from '../define-rule.js';
import { healthOf, officialOf } from './_datastore.js';

/** Official images of databases and brokers: they accept connections only some seconds after their container starts. */
const DATASTORES: Record<string, { label: string; check: string }> = {
  postgres: { label: 'PostgreSQL', check: 'pg_isready -U <user> -d <db>' },
  mysql: { label: 'MySQL', check: 'mysqladmin ping -h 127.0.0.1' },
  mariadb: { label: 'MariaDB', check: 'healthcheck.sh --connect --innodb_initialized' },
  redis: { label: 'Redis', check: 'redis-cli ping' },
  rabbitmq: { label: 'RabbitMQ', check: 'rabbitmq-diagnostics -q ping' },
  mongo: { label: 'MongoDB', check: 'mongosh --quiet --eval "db.adminCommand(\'ping\')"' },
};

/** Programs that wait for a host to accept connections. */
const WAIT_TOOLS = new Set(['wait-for-it', 'wait-for-it.sh', 'wait-for', 'wait-for.sh', 'dockerize', 'wait4x', 'pg_isready']);

/** The dependent waits for the dependency itself (a wait-for loop or tool naming its host). */
function waitsFor(plan: StartPlan | undefined, host: string): boolean {
  if (!plan) return false;
  const re = new RegExp(`(?<![\\w.-])${host.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w.-])`);
  return plan.steps.some((st) => (st.inLoop || WAIT_TOOLS.has(st.name)) && (st.argv.some((a) => re.test(a)) || (st.conditions ?? []).some((c) => re.test(c))));
}

/** Every environment that loads `file` has a healthcheck on service `name` (or no such service). */
function healthyEverywhere(model: ProjectModel, file: string, name: string): boolean {
  return model.environments
    .filter((e) => e.composeFiles.includes(file))
    .every((e) => {
      const t = e.services.find((s) => s.name === name);
      return !t || (healthOf(t) === 'yes' && officialOf(t) !== undefined && officialOf(t)! in DATASTORES);
    });
}

const SIMPLE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Text edits that make `dep` wait for `service_healthy` in the file that writes the entry. */
function healthyFix(model: ProjectModel, svc: ServiceModel, dep: Dependency): TextEdit[] | undefined {
  const file = dep.loc.file;
  const cf = model.composeFiles.get(file);
  if (!cf?.root) return undefined;
  const text = cf.source.text;
  const node = mapGet(mapGet(mapGet(cf.root, 'services'), svc.name), 'depends_on');
  if (!node) return undefined;
  if (node.kind === 'map') {
    const entry = node.entries.get(dep.service);
    const value = entry?.value;
    if (!value || value.kind !== 'map') return undefined;
    const cond = value.entries.get('condition')?.value;
    if (cond) {
      if (cond.kind !== 'scalar' || cond.value !== 'service_started') return undefined;
      const raw = text.slice(cond.range[0], cond.range[1]);
      const at = raw.indexOf('service_started');
      if (at < 0) return undefined;
      return [{ file, start: cond.range[0] + at, end: cond.range[0] + at + 'service_started'.length, text: 'service_healthy' }];
    }
    // no condition key: add one before the first key of the entry
    const first = [...value.entries.values()][0];
    if (!first || first.keyLoc.startLine === undefined || first.keyLoc.startColumn === undefined) return undefined;
    const at = cf.source.offsetOf(first.keyLoc.startLine, first.keyLoc.startColumn);
    const lineStart = text.lastIndexOf('\n', at - 1) + 1;
    const before = text.slice(lineStart, at);
    if (/^[ \t]*$/.test(before)) return [{ file, start: at, end: at, text: `condition: service_healthy\n${before}` }];
    if (/\{[ \t]*$/.test(before)) return [{ file, start: at, end: at, text: 'condition: service_healthy, ' }];
    return undefined;
  }
  if (node.kind !== 'seq' || !node.items.length) return undefined;
  // the short form: rewrite the whole list as a map, upgrading every entry that qualifies
  const items: YamlScalarNode[] = [];
  for (const it of node.items as YamlNode[]) {
    if (it.kind !== 'scalar' || typeof it.value !== 'string' || !SIMPLE_NAME.test(it.value) || it.range[1] <= it.range[0]) return undefined;
    items.push(it);
  }
  const cond = (name: string): string => (healthyEverywhere(model, file, name) ? 'service_healthy' : 'service_started');
  if (node.loc.startLine === undefined || node.loc.startColumn === undefined || node.loc.endLine === undefined || node.loc.endColumn === undefined) return undefined;
  const start = cf.source.offsetOf(node.loc.startLine, node.loc.startColumn);
  if (text[start] === '[') {
    const end = cf.source.offsetOf(node.loc.endLine, node.loc.endColumn);
    if (text[end - 1] !== ']' || text.slice(start, end).includes('#')) return undefined;
    const body = items.map((i) => `${String(i.value)}: {condition: ${cond(String(i.value))}}`).join(', ');
    return [{ file, start, end, text: `{${body}}` }];
  }
  // block list: `- name` lines at one indentation, deeper than the depends_on key, nothing else in between
  const firstItem = items[0]!;
  const lastItem = items[items.length - 1]!;
  const lineStart = text.lastIndexOf('\n', firstItem.range[0] - 1) + 1;
  const dash = /^([ \t]*)-[ \t]+$/.exec(text.slice(lineStart, firstItem.range[0]));
  if (!dash) return undefined;
  const indent = dash[1]!;
  const from = lineStart + indent.length;
  const span = text.slice(from, lastItem.range[1]);
  let rest = span;
  for (const it of [...items].reverse()) rest = rest.slice(0, it.range[0] - from) + rest.slice(it.range[1] - from);
  if (!/^[-\s]*$/.test(rest)) return undefined;
  for (const it of items) {
    const ls = text.lastIndexOf('\n', it.range[0] - 1) + 1;
    if (!new RegExp(`^${indent}-[ \\t]+$`).test(text.slice(ls, it.range[0]))) return undefined;
  }
  const owner = mapGet(mapGet(cf.root, 'services'), svc.name);
  const keyLoc = owner?.kind === 'map' ? owner.entries.get('depends_on')?.keyLoc : undefined;
  if (!keyLoc?.startColumn || indent.replace(/\t/g, ' ').length < keyLoc.startColumn) return undefined;
  const lines = items.map((i) => `${String(i.value)}:\n${indent}  condition: ${cond(String(i.value))}`);
  return [{ file, start: from, end: lastItem.range[1], text: lines.join(`\n${indent}`) }];
}

export default defineRule({
  meta: {
    id: 'health/dependency-unchecked',
    severity: 'medium',
    title: 'depends on a database or broker without waiting for it to be ready',
    fixable: 'safe',
    status: 'stable',
    docs: {
      summary: 'A service depends on a database or broker service (postgres, mysql, mariadb, redis, rabbitmq, mongo images) with the default `condition: service_started`, so Compose starts it as soon as the dependency\'s container runs, not when the dependency accepts connections.',
      why: 'On start-up Compose "does not wait until a container is ready, only until it\'s running". A database container runs seconds before it accepts connections (Postgres initialises its data directory on first start, then restarts), so a dependent that connects at start-up (migrations, Django\'s checks, a broker connection) races it and fails with "connection refused" or "the database system is starting up", and the container exits or retries. Only `condition: service_healthy` waits, and it needs a healthcheck on the dependency. A dependent whose start path waits for the host itself (a `wait-for-it`/`until … do sleep` loop naming it) is not reported; `service_healthy` on a dependency without any healthcheck is compose/depends-on-invalid.',
      fix: 'Give the dependency a healthcheck (`pg_isready -U <user> -d <db>`, `redis-cli ping`, `mysqladmin ping`, `rabbitmq-diagnostics -q ping`) and depend on it with `condition: service_healthy`.',
      verify: 'docker compose -f <files> up -d && docker compose -f <files> ps   # the dependency shows (healthy) before the dependent starts\ndocker compose -f <files> logs <service> | grep -i "connection refused"',
      references: [
        { title: 'Docker docs: Control startup and shutdown order in Compose', url: 'https://docs.docker.com/compose/how-tos/startup-order/' },
        { title: 'Compose services: depends_on (condition: service_started, service_healthy)', url: 'https://docs.docker.com/reference/compose-file/services/#depends_on' },
        { title: 'Compose services: healthcheck', url: 'https://docs.docker.com/reference/compose-file/services/#healthcheck' },
      ],
      fixSafety: 'Only when the dependency has a healthcheck in every environment that loads the edited file: the fix changes `condition: service_started` to `service_healthy` (or adds the condition to a long-form entry), or rewrites a simple short-form list (`- db` items, nothing else between them) into the equivalent map, where the qualifying entries get `service_healthy` and every other entry keeps `service_started`. Nothing else changes: the services start in the same order, just later.',
      example: {
        bad: { 'compose.yaml': 'services:\n  web:\n    build: .\n    depends_on:\n      - db\n  db:\n    image: postgres:16\n    healthcheck:\n      test: ["CMD-SHELL", "pg_isready -U postgres"]\n' },
        good: { 'compose.yaml': 'services:\n  web:\n    build: .\n    depends_on:\n      db:\n        condition: service_healthy\n  db:\n    image: postgres:16\n    healthcheck:\n      test: ["CMD-SHELL", "pg_isready -U postgres"]\n' },
      },
    },
  },
  check({ model, report }) {
    for (const env of model.environments) {
      const byName = new Map(env.services.map((s) => [s.name, s]));
      for (const svc of env.services) {
        if (!svc.enabled) continue;
        for (const dep of svc.dependsOn) {
          if (dep.condition !== 'service_started') continue;
          const target = byName.get(dep.service);
          if (!target?.enabled) continue;
          const repo = officialOf(target);
          const kind = repo !== undefined ? DATASTORES[repo] : undefined;
          if (!kind) continue;
          if (waitsFor(svc.start, dep.service)) continue;
          const health = healthOf(target);
          let fix: Fix | undefined;
          if (health === 'yes' && healthyEverywhere(model, dep.loc.file, dep.service)) {
            const edits = healthyFix(model, svc, dep);
            if (edits) fix = { description: `Wait for "${dep.service}" to be healthy: condition: service_healthy`, safety: 'safe', edits };
          }
          const advice =
            health === 'yes'
              ? `"${dep.service}" has a healthcheck, so \`condition: service_healthy\` makes Compose wait for it`
              : `"${dep.service}" has no healthcheck${health === 'unknown' ? ' in the compose file' : ''}, so Compose cannot tell when it is ready: add one (\`${kind.check}\`) and depend on it with \`condition: service_healthy\``;
          report({
            message: `Service "${svc.name}" starts as soon as the "${dep.service}" container (${kind.label}) is running, not when it accepts connections: anything "${svc.name}" does at start-up against it can fail with "connection refused" while ${kind.label} initialises. ${advice[0]!.toUpperCase()}${advice.slice(1)}.`,
            location: dep.loc,
            environment: env.name,
            service: svc.name,
            related: [{ location: target.healthcheck?.loc ?? target.loc, message: health === 'yes' ? `the healthcheck of "${dep.service}"` : `service "${dep.service}"` }],
            ...(fix ? { fix } : {}),
            verify: [`docker compose ${env.composeFiles.map((f) => `-f ${f}`).join(' ')} ps ${dep.service}`],
            key: `${dep.service}:${health}`,
          });
        }
      }
    }
  },
});
