/**
 * The one golden AuditResult every reporter is snapshot-tested with: two environments
 * (development, production), seven findings across all severities, one with related locations,
 * one with a fix, a file-level one, one without an environment, and `secrets/hardcoded`
 * findings whose source lines hold passwords (a long one and a short one) that must be masked in
 * every format. Rule metadata is part of the golden data, so editing a real rule's docs does not
 * change these snapshots.
 */
import type { Finding } from '../../src/core/finding.js';
import type { AuditResult } from '../../src/core/result.js';
import { SEVERITIES, type Severity } from '../../src/core/severity.js';
import { SourceFile } from '../../src/core/source-file.js';
import type { ReportContext } from '../../src/report/context.js';
import type { RuleMeta } from '../../src/rules/define-rule.js';

export const PROD_PASSWORD = 'Sup3r-Secret-Pa55word';
export const DEV_PASSWORD = 'devpw';
export const SECRETS: ReadonlySet<string> = new Set([PROD_PASSWORD, DEV_PASSWORD]);

const FILES: Record<string, string> = {
  Dockerfile: ['FROM python:3.12-slim', 'WORKDIR /app', 'COPY . .', 'CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0"]', ''].join('\n'),
  'docker-compose.yml': [
    'services:',
    '  web:',
    '    build: .',
    '    env_file: .env',
    '    depends_on:',
    '      db:',
    '        condition: service_healthy',
    '  db:',
    '    image: postgres:16',
    '    environment:',
    '      POSTGRES_DB: shop',
    '',
  ].join('\n'),
  'docker-compose.override.yml': ['services:', '  web:', '    ports:', '      - "8000:8000"', '  db:', '    environment:', `      POSTGRES_PASSWORD: ${DEV_PASSWORD}`, ''].join('\n'),
  'docker-compose.prod.yml': [
    'services:',
    '  web:',
    '    env_file: .env.production',
    '    restart: always',
    '  db:',
    '    environment:',
    `      POSTGRES_PASSWORD: "${PROD_PASSWORD}"`,
    '  worker:',
    '    build: .',
    '    depends_on:',
    '      web:',
    '        condition: service_started',
    '      cache:',
    '        condition: service_started',
    '',
  ].join('\n'),
};

export const SOURCES: ReadonlyMap<string, SourceFile> = new Map(Object.entries(FILES).map(([p, t]) => [p, new SourceFile(p, t)]));

const src = (p: string): SourceFile => SOURCES.get(p)!;
const ref = (title: string, url: string) => ({ title, url });

export const RULE_METAS: Record<string, RuleMeta> = {
  'compose/depends-on-invalid': {
    id: 'compose/depends-on-invalid',
    severity: 'critical',
    title: 'depends_on waits for a health check that does not exist',
    fixable: 'none',
    status: 'stable',
    docs: {
      summary: '`depends_on` uses `condition: service_healthy` on a service with no healthcheck.',
      why: '`docker compose up` stops with `dependency failed to start: container db has no healthcheck configured`.',
      fix: 'Add a `healthcheck` to the dependency, or use `condition: service_started`.',
      verify: 'docker compose -f <files> up -d && docker compose ps',
      references: [ref('Compose services: depends_on', 'https://docs.docker.com/reference/compose-file/services/#depends_on')],
    },
  },
  'compose/env-file-missing': {
    id: 'compose/env-file-missing',
    severity: 'critical',
    title: 'env_file does not exist',
    fixable: 'none',
    status: 'stable',
    docs: {
      summary: 'A service names an `env_file` that is not in the repository.',
      why: 'Compose stops before starting any container: `env file /srv/app/.env.production not found`.',
      fix: 'Create the file on the deploy host, or mark it `required: false`.',
      verify: 'test -f <file> && docker compose -f <files> config --quiet',
      references: [ref('Compose services: env_file', 'https://docs.docker.com/reference/compose-file/services/#env_file')],
    },
  },
  'secrets/hardcoded': {
    id: 'secrets/hardcoded',
    severity: 'high',
    title: 'Secret written literally in a compose file',
    fixable: 'unsafe',
    status: 'stable',
    docs: {
      summary: 'A password, token or key is written as a literal value.',
      why: 'Everyone who can read the repository has the secret, and rotating it needs a commit.',
      fix: 'Interpolate it (`POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set it in .env}`) from an untracked `.env`, or use a Compose secret.',
      verify: 'docker compose -f <files> config | grep -c PASSWORD',
      references: [ref('Compose secrets', 'https://docs.docker.com/compose/how-tos/use-secrets/')],
      fixSafety: 'The value must then be provided by the deploy environment.',
    },
  },
  'image/runs-as-root': {
    id: 'image/runs-as-root',
    severity: 'medium',
    title: 'Container runs as root',
    fixable: 'none',
    status: 'stable',
    docs: {
      summary: 'The final stage has no `USER`, so the process runs as root.',
      why: 'A compromised process owns the container and every writable mount.',
      fix: 'Add a non-root user and a `USER` instruction to the final stage.',
      verify: 'docker compose exec web id -u   # not 0',
      references: [ref('Dockerfile reference: USER', 'https://docs.docker.com/reference/dockerfile/#user')],
    },
  },
  'ops/no-restart-policy': {
    id: 'ops/no-restart-policy',
    severity: 'low',
    title: 'No restart policy',
    fixable: 'none',
    status: 'stable',
    docs: {
      summary: 'A long-running service has no `restart` policy.',
      why: 'After a crash or a host reboot the service stays down.',
      fix: 'Set `restart: unless-stopped`.',
      verify: "docker inspect --format '{{.HostConfig.RestartPolicy.Name}}' web",
      references: [ref('Compose services: restart', 'https://docs.docker.com/reference/compose-file/services/#restart')],
    },
  },
};

function line(file: string, n: number, from?: string): Finding['location'] {
  const loc = src(file).lineLocation(n);
  if (from === undefined) return loc;
  const col = src(file).line(n).indexOf(from) + 1;
  return { ...loc, startColumn: col, endColumn: col + from.length };
}

const prodPw = src('docker-compose.prod.yml').text.indexOf(`"${PROD_PASSWORD}"`);

const FINDINGS: Finding[] = [
  {
    ruleId: 'image/runs-as-root',
    severity: 'medium',
    message: 'The final stage of Dockerfile has no USER instruction: service "web" runs as root.',
    service: 'web',
    location: line('Dockerfile', 1),
    related: [],
    fix: null,
    fingerprint: '1a2b3c4d5e6f7081',
  },
  {
    ruleId: 'ops/no-restart-policy',
    severity: 'low',
    message: 'service "web" has no restart policy in development.',
    environment: 'development',
    service: 'web',
    location: { file: 'docker-compose.override.yml' },
    related: [],
    fix: null,
    fingerprint: '2b3c4d5e6f708192',
  },
  {
    ruleId: 'secrets/hardcoded',
    severity: 'info',
    message: 'POSTGRES_PASSWORD is a literal value in docker-compose.override.yml (service "db"); acceptable for a local development database.',
    environment: 'development',
    service: 'db',
    location: line('docker-compose.override.yml', 7),
    related: [],
    fix: null,
    fingerprint: '3c4d5e6f708192a3',
  },
  {
    ruleId: 'compose/env-file-missing',
    severity: 'high',
    message: 'env_file ".env.production" of service "web" does not exist: `docker compose up` fails with "env file ... not found" (100% of deploys).',
    environment: 'production',
    service: 'web',
    location: line('docker-compose.prod.yml', 3, '.env.production'),
    related: [],
    fix: null,
    verify: ['test -f .env.production', 'docker compose -f docker-compose.yml -f docker-compose.prod.yml config --quiet'],
    fingerprint: '4d5e6f708192a3b4',
  },
  {
    ruleId: 'secrets/hardcoded',
    severity: 'high',
    message: 'POSTGRES_PASSWORD is a literal value in docker-compose.prod.yml (service "db"): everyone who can read the repository has the production password.',
    environment: 'production',
    service: 'db',
    location: line('docker-compose.prod.yml', 7, `"${PROD_PASSWORD}"`),
    related: [],
    fix: {
      description: 'Interpolate POSTGRES_PASSWORD from the environment',
      safety: 'unsafe',
      edits: [{ file: 'docker-compose.prod.yml', start: prodPw, end: prodPw + PROD_PASSWORD.length + 2, text: '${POSTGRES_PASSWORD:?set it in .env}' }],
    },
    fingerprint: '5e6f708192a3b4c5',
  },
  ...(['development', 'production'] as const).map(
    (environment, i): Finding => ({
      ruleId: 'compose/depends-on-invalid',
      severity: 'critical',
      message: 'service "web" waits for "db" to be healthy, but "db" has no healthcheck: `up` fails with "dependency failed to start: container <db> has no healthcheck configured".',
      environment,
      service: 'web',
      location: line('docker-compose.yml', 7, 'condition: service_healthy'),
      related: [{ location: line('docker-compose.yml', 8, 'db'), message: 'service "db" (no healthcheck)' }],
      fix: null,
      fingerprint: `6f708192a3b4c5d${i}`,
    }),
  ),
];

function summary(findings: Finding[]): Record<Severity, number> {
  const s = Object.fromEntries(SEVERITIES.map((k) => [k, 0])) as Record<Severity, number>;
  for (const f of findings) s[f.severity]++;
  return s;
}

export const GOLDEN: AuditResult = {
  version: 1,
  tool: { name: 'drydock', version: '0.1.0' },
  root: '.',
  environments: [
    { name: 'development', composeFiles: ['docker-compose.yml', 'docker-compose.override.yml'], services: ['web', 'db'] },
    { name: 'production', composeFiles: ['docker-compose.yml', 'docker-compose.prod.yml'], services: ['web', 'db', 'worker'] },
  ],
  findings: FINDINGS,
  summary: summary(FINDINGS),
  suppressed: 1,
};

export function goldenContext(): ReportContext {
  return {
    sources: SOURCES,
    color: false,
    ruleTitle: (id) => RULE_METAS[id]?.title,
    ruleMeta: (id) => RULE_METAS[id],
    productionEnvironments: ['production'],
    graph: [
      {
        environment: 'development',
        services: [
          { name: 'web', dependsOn: [{ service: 'db', condition: 'service_healthy' }] },
          { name: 'db', dependsOn: [] },
        ],
      },
      {
        environment: 'production',
        services: [
          { name: 'web', dependsOn: [{ service: 'db', condition: 'service_healthy' }] },
          { name: 'db', dependsOn: [] },
          {
            name: 'worker',
            dependsOn: [
              { service: 'web', condition: 'service_started' },
              { service: 'cache', condition: 'service_started' },
            ],
          },
        ],
      },
    ],
  };
}
