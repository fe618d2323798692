/** `drydock boot [dir] --env NAME`: the static `docker compose up` simulation. */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { audit, UsageError } from '../../audit.js';
import { simulateBoot } from '../../boot/simulate.js';
import { collectSecretValues } from '../../model/secrets.js';
import { renderBootJson, renderBootText } from '../../report/boot.js';
import { maskSecrets } from '../../report/mask.js';
import type { Io } from '../io.js';

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

export function registerBootCommand(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('boot')
    .description('simulate `docker compose up` statically: start order, health, and where the boot stops')
    .argument('[dir]', 'repository', '.')
    .option('-e, --env <name>', 'environment to simulate (repeatable; default: all)', collect)
    .option('-f, --compose-file <file>', 'compose files of one explicit environment (repeatable)', collect)
    .option('--format <format>', 'text or json', 'text')
    .option('-c, --config <file>', 'config file')
    .option('--no-color', 'no ANSI colours')
    .action(async (dir: string, opts: { env?: string[]; composeFile?: string[]; format: string; config?: string; color: boolean }) => {
      if (!['text', 'json'].includes(opts.format)) throw new UsageError(`boot supports --format text or json, not "${opts.format}"`);
      const out = await audit({
        root: resolve(io.cwd, dir),
        environments: opts.env,
        composeFiles: opts.composeFile?.map((f) => resolve(io.cwd, f)),
        configFile: opts.config ? resolve(io.cwd, opts.config) : undefined,
      });
      const wanted = opts.env?.length ? new Set(opts.env) : null;
      const reports = out.model.environments.filter((e) => !wanted || wanted.has(e.name)).map((e) => simulateBoot(e, out.result.findings));
      const text = opts.format === 'json' ? renderBootJson(reports) : renderBootText(reports, opts.color && io.isTTY && !io.env.NO_COLOR);
      io.stdout(maskSecrets(text, collectSecretValues(out.model)));
      setExit(reports.every((r) => r.boots) ? 0 : 1);
    });
}
