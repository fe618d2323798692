/** `drydock baseline [dir]`: accept today's findings; `scan --baseline FILE` then reports only new ones. */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { audit } from '../../audit.js';
import { renderBaseline } from '../../report/baseline.js';
import type { Io } from '../io.js';

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

export function registerBaselineCommand(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('baseline')
    .description("write the current findings' fingerprints to a baseline file (default drydock-baseline.json in the scanned root)")
    .argument('[dir]', 'repository', '.')
    .option('-o, --output <file>', 'where to write the baseline')
    .option('-e, --env <name>', 'only these environments (repeatable)', collect)
    .option('-f, --compose-file <file>', 'compose files of one explicit environment (repeatable)', collect)
    .option('-c, --config <file>', 'config file')
    .action(async (dir: string, opts: { output?: string; env?: string[]; composeFile?: string[]; config?: string }) => {
      const root = resolve(io.cwd, dir);
      const out = await audit({
        root,
        environments: opts.env,
        composeFiles: opts.composeFile?.map((f) => resolve(io.cwd, f)),
        configFile: opts.config ? resolve(io.cwd, opts.config) : undefined,
      });
      const file = opts.output ? resolve(io.cwd, opts.output) : join(root, 'drydock-baseline.json');
      writeFileSync(file, renderBaseline(out.result));
      io.stdout(`Wrote ${out.result.findings.length} finding${out.result.findings.length === 1 ? '' : 's'} to ${file}\n`);
      setExit(0);
    });
}
