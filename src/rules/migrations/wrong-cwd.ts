import { posix } from 'node:path';
import { formatLocation } from '../../core/location.js';
import type { RelatedLocation } from '../../core/finding.js';
import { invocationOf } from '../../model/start/invocation.js';
import { certainlyRuns, copyAimsAt, mayRun, pathInContainer } from '../../model/start/queries.js';
import type { MigrationStep, ProjectModel, ServiceModel } from '../../model/types.js';
import { defineRule } from '../define-rule.js';
import { commandText, composeArgs } from './_shared.js';

interface Problem {
  missing: string;
  error: string;
  hint: string;
  config?: string;
}

/** ALEMBIC_CONFIG (alembic's default for -c) is set somewhere on the way, or may be. */
function alembicConfigEnv(svc: ServiceModel, model: ProjectModel): boolean {
  if (svc.env.has('ALEMBIC_CONFIG') || svc.runtime.stage?.env.has('ALEMBIC_CONFIG')) return true;
  return (svc.start?.scripts ?? []).some((s) => model.sources.get(s.repoPath)?.text.includes('ALEMBIC_CONFIG'));
}

function problemOf(model: ProjectModel, svc: ServiceModel, m: MigrationStep): Problem | undefined {
  const tree = model.tree;
  const absent = (p: string): boolean => pathInContainer(svc, p, tree) === false && !copyAimsAt(svc, p, tree);
  const repoConfig = (base: string): string | undefined => model.migrations.find((t) => t.configPath && posix.basename(t.configPath) === base)?.configPath;
  if (m.tool === 'alembic') {
    if (m.configFile !== undefined) {
      if (!absent(m.configFile)) return undefined;
      const p: Problem = { missing: m.configFile, error: `FAILED: No 'script_location' key found in configuration.`, hint: `-c ${m.configFile} names a file the container does not have` };
      const c = repoConfig(posix.basename(m.configFile));
      if (c) p.config = c;
      return p;
    }
    if (alembicConfigEnv(svc, model)) return undefined;
    const ini = posix.join(m.cwd, 'alembic.ini');
    // Alembic 1.16+ also reads [tool.alembic] from ./pyproject.toml
    if (!absent(ini) || pathInContainer(svc, posix.join(m.cwd, 'pyproject.toml'), tree) !== false) return undefined;
    const p: Problem = { missing: ini, error: `FAILED: No 'script_location' key found in configuration. (before Alembic 1.16: No config file 'alembic.ini' found, or file has no '[alembic]' section)`, hint: `alembic reads ./alembic.ini from its working directory ${m.cwd} when no -c is given` };
    const c = repoConfig('alembic.ini');
    if (c) p.config = c;
    return p;
  }
  if (m.tool === 'django') {
    const inv = invocationOf({ name: posix.basename(m.argv[0] ?? ''), argv: m.argv });
    if (inv.tool !== 'manage.py') return undefined;
    const script = m.argv.find((a) => posix.basename(a) === 'manage.py');
    if (!script || /[$`]/.test(script)) return undefined;
    const path = posix.resolve(m.cwd, script);
    if (!absent(path)) return undefined;
    const p: Problem = { missing: path, error: `python: can't open file '${path}': [Errno 2] No such file or directory`, hint: `${script} is resolved from the working directory ${m.cwd}` };
    const c = repoConfig('manage.py');
    if (c) p.config = c;
    return p;
  }
  return undefined;
}

export default defineRule({
  meta: {
    id: 'migrations/wrong-cwd',
    severity: 'critical',
    title: 'The migration command runs where its config is not',
    fixable: 'none',
    status: 'stable',
    docs: {
      summary: 'A start step runs the migrations from a working directory that lacks what the command reads there: `alembic upgrade head` without `-c` (and without `ALEMBIC_CONFIG`) where the container has no `alembic.ini` (nor `pyproject.toml`), `alembic -c FILE` with a FILE the container lacks, or `python manage.py migrate` where `manage.py` is not.',
      why: 'Alembic reads its configuration from `-c`, else from `$ALEMBIC_CONFIG`, else from `alembic.ini` (and, since 1.16, `pyproject.toml`) in the current directory; without it, it stops with `FAILED: No \'script_location\' key found in configuration.` (older versions: `No config file \'alembic.ini\' found, or file has no \'[alembic]\' section`). `python manage.py` is a path relative to the working directory. The working directory is the image\'s WORKDIR (or compose `working_dir`) as changed by `cd` in the scripts on the way; the files are what COPY/ADD put in the image and what bind mounts show over it. A step that only runs under a condition drydock cannot evaluate is reported as `high`. When a COPY aims at the file but does not deliver it (`.dockerignore` excludes it, the source is missing) the build is what is broken, and image/copy-source-missing reports it instead.',
      fix: 'Run the command where the config is (`cd /app && alembic upgrade head`, compose `working_dir`), point to it (`alembic -c /app/alembic.ini upgrade head`, `python /app/manage.py migrate`), or copy the config into the image\'s working directory (`COPY alembic.ini ./`).',
      verify: 'docker compose -f <files> run --rm <service> alembic current   # or: python manage.py showmigrations',
      references: [
        { title: 'Alembic: the alembic.ini file and -c / ALEMBIC_CONFIG', url: 'https://alembic.sqlalchemy.org/en/latest/tutorial.html#editing-the-ini-file' },
        { title: 'alembic/config.py: CommandLine (-c defaults to ALEMBIC_CONFIG or alembic.ini)', url: 'https://github.com/sqlalchemy/alembic/blob/main/alembic/config.py' },
        { title: 'Dockerfile reference: WORKDIR', url: 'https://docs.docker.com/reference/dockerfile/#workdir' },
        { title: 'Compose services: working_dir', url: 'https://docs.docker.com/reference/compose-file/services/#working_dir' },
      ],
    },
  },
  check({ model, report }) {
    for (const env of model.environments) {
      const seen = new Set<string>();
      for (const svc of env.services) {
        if (!svc.enabled || !svc.start) continue;
        for (const m of svc.start.migrationSteps) {
          if (!mayRun(m)) continue;
          const p = problemOf(model, svc, m);
          if (!p) continue;
          const key = `${formatLocation(m.loc)}@${m.cwd}:${p.missing}`;
          const others = env.services.filter((s) => s !== svc && s.enabled && s.start?.migrationSteps.some((x) => formatLocation(x.loc) === formatLocation(m.loc) && x.cwd === m.cwd));
          if (seen.has(key)) continue;
          seen.add(key);
          const related: RelatedLocation[] = [];
          if (p.config) related.push({ location: { file: p.config }, message: `the config is here in the repository` });
          const stages = svc.runtime.dockerfile?.stages ?? [];
          for (let st = svc.runtime.stage, n = 0; st && n < 16; st = st.baseStage === undefined ? undefined : stages[st.baseStage], n++) {
            const wd = [...st.instructions].reverse().find((i) => i.keyword === 'WORKDIR');
            if (wd) {
              related.push({ location: wd.loc, message: `the image's working directory` });
              break;
            }
          }
          const who = [svc.name, ...others.map((o) => o.name)].join(', ');
          report({
            message: `\`${commandText(m)}\` runs in ${m.cwd} (${others.length ? 'services' : 'service'} ${who}), but the container has no ${p.missing}: ${p.hint}, so it fails with "${p.error}"${certainlyRuns(m) ? ' on every start' : ` when it runs (only when ${(m.conditions ?? []).join(' && ') || 'its condition holds'})`}.`,
            location: m.loc,
            environment: env.name,
            service: svc.name,
            ...(certainlyRuns(m) ? {} : { severity: 'high' as const }),
            related,
            key: `${p.missing}:${formatLocation(m.loc)}`,
            verify: [`docker compose ${composeArgs(env)} run --rm --entrypoint ls ${svc.name} -l ${p.missing}`],
          });
        }
      }
    }
  },
});
