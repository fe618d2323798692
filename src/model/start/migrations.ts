/**
 * Database migrations: which tools the repository uses (project level) and which start steps
 * apply them (per service).
 *
 * Detection follows each tool's layout:
 * - Alembic: `alembic.ini` with `script_location` (relative to where alembic runs, normally the
 *   ini's folder; `%(here)s` is the ini's folder) and `<script_location>/versions/*.py`.
 *   Flask-Migrate writes the same layout under `migrations/` with its own `alembic.ini` that has
 *   no `script_location` (Flask-Migrate passes the folder itself).
 * - Django: `manage.py` and apps with `migrations/0001_*.py`.
 * - Prisma: `schema.prisma` with a sibling `migrations/` holding `<timestamp>_<name>/migration.sql`.
 * - Rails: `db/migrate/*.rb`. Knex: `knexfile.*` and its migrations folder (default `migrations`).
 *   Sequelize: `.sequelizerc` or `config/config.json` with `migrations/*.js`. TypeORM: a data
 *   source or `ormconfig.*` naming `migrations`.
 */
import { posix } from 'node:path';
import type { Location } from '../../core/location.js';
import type { SourceFile } from '../../core/source-file.js';
import type { MigrationStep, MigrationTool, MigrationToolName, RepoTree, StartStep } from '../types.js';
import { invocationOf } from './invocation.js';

type Read = (path: string) => SourceFile | undefined;

export function detectMigrationTools(tree: Pick<RepoTree, 'files' | 'dirs'>, read: Read): MigrationTool[] {
  const files = [...tree.files].sort();
  const out: MigrationTool[] = [];
  const byDir = new Map<string, string[]>();
  for (const f of files) {
    const d = dirOf(f);
    const list = byDir.get(d) ?? [];
    list.push(f);
    byDir.set(d, list);
  }
  const inDir = (d: string): string[] => byDir.get(d) ?? [];

  // Alembic and Flask-Migrate
  for (const ini of files.filter((f) => posix.basename(f) === 'alembic.ini')) {
    const iniDir = dirOf(ini);
    const src = read(ini);
    const loc = src ? iniLocation(src, 'script_location') : undefined;
    const written = loc?.value;
    let dir: string | undefined;
    let tool: MigrationToolName = 'alembic';
    if (written !== undefined) {
      const here = written.includes('%(here)s');
      const v = written.replace(/%\(here\)s/g, iniDir || '.');
      // `package:path` names a package resource, not a folder; an absolute path is outside what we know
      dir = /^[\w.]+:[\w/.-]+$/.test(v) || posix.isAbsolute(v) ? undefined : norm(here ? v : posix.join(iniDir, v));
    } else if (inDir(iniDir).some((f) => posix.basename(f) === 'env.py') && tree.dirs.has(join(iniDir, 'versions'))) {
      dir = iniDir;
      tool = 'flask-migrate';
    }
    if (dir === undefined) continue;
    const versions = inDir(join(dir, 'versions')).filter((f) => f.endsWith('.py') && posix.basename(f) !== '__init__.py');
    if (!versions.length) continue;
    out.push({ tool, configPath: ini, dir, dirs: [join(dir, 'versions')], count: versions.length, loc: loc?.loc ?? { file: ini } });
  }

  // Django
  const manages = files.filter((f) => posix.basename(f) === 'manage.py');
  if (manages.length) {
    const migDirs = [...tree.dirs].filter((d) => posix.basename(d) === 'migrations' && inDir(d).some((f) => /\/0001_[^/]*\.py$/.test(f))).sort();
    for (const m of manages) {
      const root = dirOf(m);
      const mine = migDirs.filter((d) => root === '' || d.startsWith(`${root}/`));
      if (!mine.length) continue;
      const count = mine.reduce((n, d) => n + inDir(d).filter((f) => /\/\d{4}_[^/]*\.py$/.test(f)).length, 0);
      out.push({ tool: 'django', configPath: m, dir: mine[0]!, dirs: mine, count, loc: { file: m } });
    }
  }

  // Prisma
  for (const schema of files.filter((f) => posix.basename(f) === 'schema.prisma')) {
    const mig = join(dirOf(schema), 'migrations');
    const sql = files.filter((f) => f.startsWith(`${mig}/`) && f.endsWith('/migration.sql'));
    if (!sql.length) continue;
    out.push({ tool: 'prisma', configPath: schema, dir: mig, dirs: [mig], count: sql.length, loc: { file: schema } });
  }

  // Rails
  for (const d of [...tree.dirs].filter((x) => x === 'db/migrate' || x.endsWith('/db/migrate')).sort()) {
    const rb = inDir(d).filter((f) => f.endsWith('.rb'));
    if (!rb.length) continue;
    const root = d.slice(0, -'db/migrate'.length).replace(/\/$/, '');
    const config = join(root, 'config/database.yml');
    const tool: MigrationTool = { tool: 'rails', dir: d, dirs: [d], count: rb.length, loc: { file: tree.files.has(config) ? config : rb[0]! } };
    if (tree.files.has(config)) tool.configPath = config;
    out.push(tool);
  }

  // Knex
  for (const kf of files.filter((f) => /^knexfile\.(?:js|cjs|mjs|ts)$/.test(posix.basename(f)))) {
    const text = read(kf)?.text ?? '';
    const m = /migrations\s*:\s*\{[^}]*?directory\s*:\s*['"`]([^'"`]+)['"`]/s.exec(text);
    const dir = norm(posix.join(dirOf(kf), m?.[1] ?? 'migrations'));
    const n = jsFiles(inDir(dir));
    if (!n) continue;
    out.push({ tool: 'knex', configPath: kf, dir, dirs: [dir], count: n, loc: { file: kf } });
  }

  // Sequelize
  for (const cfg of files.filter((f) => posix.basename(f) === '.sequelizerc' || f === 'config/config.json' || f.endsWith('/config/config.json'))) {
    const root = posix.basename(cfg) === '.sequelizerc' ? dirOf(cfg) : dirOf(dirOf(cfg));
    const text = posix.basename(cfg) === '.sequelizerc' ? (read(cfg)?.text ?? '') : '';
    const m = /['"]migrations-path['"]\s*:\s*path\.resolve\(\s*['"]([^'"]+)['"](?:\s*,\s*['"]([^'"]+)['"])?/.exec(text);
    const dir = norm(m ? posix.join(root, m[1]!, m[2] ?? '') : join(root, 'migrations'));
    const n = jsFiles(inDir(dir));
    if (!n || out.some((t) => t.tool === 'sequelize' && t.dir === dir)) continue;
    out.push({ tool: 'sequelize', configPath: cfg, dir, dirs: [dir], count: n, loc: { file: cfg } });
  }

  // TypeORM
  for (const cfg of files.filter((f) => /(?:^|\/)(?:ormconfig\.(?:json|js|ts|ya?ml)|data-?source\.(?:ts|js))$/i.test(f))) {
    const text = read(cfg)?.text ?? '';
    if (!/typeorm|migrations/i.test(text)) continue;
    const m = /migrations['"]?\s*:\s*\[\s*['"`]([^'"`]+)['"`]/.exec(text) ?? /migrations['"]?\s*:\s*['"`]([^'"`]+)['"`]/.exec(text);
    if (!m) continue;
    const glob = m[1]!.replace(/^\.\//, '');
    const prefix = glob.split('/').filter((s) => !/[*?{[]/.test(s));
    let dirRel = prefix.join('/');
    if (prefix.length && /\.\w+$/.test(prefix[prefix.length - 1]!)) dirRel = prefix.slice(0, -1).join('/');
    // paths in the config are relative to where typeorm runs, usually the package root
    const candidates = [norm(posix.join(dirOf(cfg), dirRel)), norm(dirRel)];
    const dir = candidates.find((d) => tree.dirs.has(d) && jsFiles(inDir(d))) ?? candidates.find((d) => tree.dirs.has(d));
    if (!dir) continue;
    out.push({ tool: 'typeorm', configPath: cfg, dir, dirs: [dir], count: jsFiles(inDir(dir)), loc: { file: cfg } });
  }
  return out;
}

/** The start steps that apply migrations. */
export function findMigrationSteps(steps: readonly StartStep[]): MigrationStep[] {
  const out: MigrationStep[] = [];
  steps.forEach((s, index) => {
    if (s.expands) return;
    const m = migrationOf(s);
    if (!m) return;
    const step: MigrationStep = { tool: m.tool, step: index, argv: s.argv, cwd: s.cwd, conditional: s.conditional, loc: s.loc };
    if (m.config) step.configFile = posix.resolve(s.cwd, m.config);
    if (s.conditions) step.conditions = s.conditions;
    if (s.conditionHolds !== undefined) step.conditionHolds = s.conditionHolds;
    out.push(step);
  });
  return out;
}

function migrationOf(step: StartStep): { tool: MigrationToolName; config?: string } | undefined {
  const { tool, args } = invocationOf(step);
  const words = args.filter((a) => !a.startsWith('-'));
  switch (tool) {
    case 'alembic': {
      // alembic [-c FILE] [-n NAME] [-x ARG] upgrade REV
      let config: string | undefined;
      let i = 0;
      for (; i < args.length; i++) {
        const a = args[i]!;
        if (a === '-c' || a === '--config') config = args[++i];
        else if (a.startsWith('--config=')) config = a.slice('--config='.length);
        else if (a === '-n' || a === '--name' || a === '-x' || a === '--raiseerr') {
          if (a !== '--raiseerr') i++;
        } else if (!a.startsWith('-')) break;
      }
      return args[i] === 'upgrade' ? (config ? { tool: 'alembic', config } : { tool: 'alembic' }) : undefined;
    }
    case 'manage.py':
      return words[0] === 'migrate' ? { tool: 'django' } : undefined;
    case 'flask': {
      // flask [--app X] db upgrade
      const db = args.indexOf('db');
      return db >= 0 && args[db + 1] === 'upgrade' ? { tool: 'flask-migrate' } : undefined;
    }
    case 'prisma':
      return words[0] === 'migrate' && (words[1] === 'deploy' || words[1] === 'dev' || words[1] === 'reset') ? { tool: 'prisma' } : undefined;
    case 'knex':
      return words[0] === 'migrate:latest' || words[0] === 'migrate:up' ? { tool: 'knex' } : undefined;
    case 'sequelize':
    case 'sequelize-cli':
      return words[0] === 'db:migrate' ? { tool: 'sequelize' } : undefined;
    case 'typeorm':
    case 'typeorm-ts-node-commonjs':
    case 'typeorm-ts-node-esm':
      return words[0] === 'migration:run' ? { tool: 'typeorm' } : undefined;
    case 'rails':
      return words.some((w) => w === 'db:migrate' || w === 'db:prepare' || w === 'db:setup') ? { tool: 'rails' } : undefined;
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------

/** `key = value` in an ini file's text: the value and the line's location. */
function iniLocation(src: SourceFile, key: string): { value: string; loc: Location } | undefined {
  const lines = src.text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const m = new RegExp(`^\\s*${key}\\s*[=:]\\s*(.*?)\\s*$`).exec(lines[i]!);
    if (m) return { value: m[1]!, loc: src.lineLocation(i + 1) };
  }
  return undefined;
}

function jsFiles(list: string[]): number {
  return list.filter((f) => /\.(?:js|cjs|mjs|ts)$/.test(f) && !f.endsWith('.d.ts')).length;
}

function dirOf(p: string): string {
  const d = posix.dirname(p);
  return d === '.' ? '' : d;
}

function join(a: string, b: string): string {
  return a ? `${a}/${b}` : b;
}

function norm(p: string): string {
  const n = posix.normalize(p || '.');
  return n === '.' ? '' : n.replace(/\/$/, '');
}
