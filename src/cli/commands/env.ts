/** `drydock env [dir] [--env NAME] [--service S] [--format text|json|markdown]`: each service's effective environment. */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { audit, UsageError } from '../../audit.js';
import { collectSecretValues } from '../../model/secrets.js';
import { buildEnvTables, ENV_FORMATS, renderEnvTables, type EnvFormat } from '../../report/env-table.js';
import { maskSecrets } from '../../report/mask.js';
import type { Io } from '../io.js';

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

interface EnvOptions {
  env?: string[];
  service?: string;
  format: string;
  config?: string;
}

export function registerEnvCommand(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('env')
    .description("each service's effective environment: values (secrets masked), where each is set, which setting reads it")
    .argument('[dir]', 'repository to read', '.')
    .option('-e, --env <name>', 'only this environment (repeatable; default all)', collect)
    .option('-s, --service <name>', 'only this service')
    .option('--format <format>', `output format: ${ENV_FORMATS.join(', ')}`, 'text')
    .option('-c, --config <file>', 'config file (default: drydock.config.yaml or .drydock.yaml in the root)')
    .action(async (dir: string, opts: EnvOptions) => {
      if (!(ENV_FORMATS as readonly string[]).includes(opts.format)) throw new UsageError(`unknown format "${opts.format}" (choose ${ENV_FORMATS.join(', ')})`);
      const out = await audit({ root: resolve(io.cwd, dir), environments: opts.env, configFile: opts.config ? resolve(io.cwd, opts.config) : undefined, rules: [] });
      const tables = buildEnvTables(out.model, { environments: opts.env, service: opts.service });
      if (opts.service && !tables.length) {
        const known = [...new Set(out.model.environments.flatMap((e) => e.services.map((s) => s.name)))].sort();
        throw new UsageError(`unknown service "${opts.service}" (found: ${known.join(', ') || 'none'})`);
      }
      io.stdout(maskSecrets(renderEnvTables(tables, opts.format as EnvFormat), collectSecretValues(out.model)));
      setExit(0);
    });
}
