// Benchmark: generate a monorepo of N services (each with a Dockerfile, a base compose file, a
// production overlay, an .env and an entrypoint script) and time cold scans of it and of the
// bundled examples with the built CLI, in fresh processes. Usage: npm run bench [-- N]
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

const N = Number(process.argv[2] ?? 500);
const root = join('.bench', `mono-${N}`);
rmSync(root, { recursive: true, force: true });
for (let i = 0; i < N; i++) {
  const dir = join(root, 'services', `svc${i}`);
  mkdirSync(join(dir, 'docker'), { recursive: true });
  writeFileSync(join(dir, 'Dockerfile'), `FROM python:3.12-slim AS base\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\nCOPY docker/entrypoint.sh /entrypoint.sh\nRUN useradd -m app && chown -R app /app\nUSER app\nEXPOSE 8000\nENTRYPOINT ["/entrypoint.sh"]\nCMD ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]\n\nFROM base AS worker\nCMD ["celery", "-A", "app", "worker"]\n`);
  writeFileSync(join(dir, 'requirements.txt'), 'gunicorn==23.0.0\ncelery==5.4.0\n');
  writeFileSync(join(dir, 'app.py'), 'app = None\n');
  writeFileSync(join(dir, 'docker', 'entrypoint.sh'), '#!/bin/sh\nset -e\nuntil nc -z db 5432; do sleep 1; done\nalembic upgrade head\nexec "$@"\n');
  writeFileSync(join(dir, '.env'), `DB_PASSWORD=pw${i}\nPORT=8000\n`);
  writeFileSync(join(dir, 'docker-compose.yml'), `x-common: &common\n  restart: unless-stopped\nservices:\n  web:\n    <<: *common\n    build: {context: ., target: base}\n    ports: ["${8000 + (i % 1000)}:8000"]\n    environment:\n      DATABASE_URL: postgres://app:\${DB_PASSWORD}@db/app\n    depends_on:\n      db: {condition: service_healthy}\n  worker:\n    <<: *common\n    build: {context: ., target: worker}\n  db:\n    image: postgres:16\n    healthcheck: {test: ["CMD-SHELL", "pg_isready -U app -d app"]}\n`);
  writeFileSync(join(dir, 'docker-compose.prod.yml'), `services:\n  web:\n    environment:\n      DEBUG: "false"\n    deploy: {replicas: 2}\n`);
}

const cli = join('dist', 'cli.mjs');
const time = (args) => {
  const runs = [];
  for (let r = 0; r < 4; r++) {
    const t = process.hrtime.bigint();
    try {
      execFileSync(process.execPath, [cli, ...args], { stdio: 'ignore' });
    } catch {
      /* exit 1 = findings */
    }
    runs.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  runs.shift(); // first run warms the file cache
  return { best: Math.min(...runs), median: runs.sort((a, b) => a - b)[1] };
};
const fmt = (r) => `best ${r.best.toFixed(0)} ms, median ${r.median.toFixed(0)} ms`;
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
console.log(`drydock --version:                  ${fmt(time(['--version']))}`);
console.log(`scan examples/ (cold process):      ${fmt(time(['scan', 'examples', '--format', 'json', '--fail-on', 'never']))}`);
console.log(`scan ${N}-service monorepo (${N * 2} envs): ${fmt(time(['scan', root, '--format', 'json', '--fail-on', 'never']))}`);
