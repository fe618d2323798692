/**
 * The command line. The only module that writes to stdout/stderr or decides the exit code:
 *   0  nothing reached --fail-on
 *   1  a finding reached --fail-on
 *   2  usage error or internal error (one line; a stack trace with DRYDOCK_DEBUG=1)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { audit, UsageError, type AuditOutput } from '../audit.js';
import { reaches, SEVERITIES, type Severity } from '../core/severity.js';
import { ConfigError } from '../discover/config.js';
import { collectSecretValues } from '../model/secrets.js';
import type { ReportContext, ServiceGraph } from '../report/context.js';
import { parseBaseline } from '../report/baseline.js';
import { envMappingRows } from '../report/env-table.js';
import { FORMATS, render, type Format } from '../report/index.js';
import { findRule } from '../rules/index.js';
import { VERSION } from '../version.js';

import type { Io } from './io.js';
import { registerEnvCommand } from './commands/env.js';
import { registerRuleCommands } from './commands/rules.js';
import { registerFixCommand } from './commands/fix.js';
import { registerBootCommand } from './commands/boot.js';
import { registerBaselineCommand } from './commands/baseline.js';

export type { Io };

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

interface ScanOptions {
  format?: string[];
  output?: string[];
  env?: string[];
  composeFile?: string[];
  failOn: string;
  ignore?: string[];
  config?: string;
  color: boolean;
  quiet?: boolean;
  listEnvironments?: boolean;
  baseline?: string;
}

export async function runCli(argv: string[], io: Io): Promise<number> {
  let exitCode = 0;
  const program = new Command('drydock')
    .description('Audit a repository\'s container deployment: what will break when it ships.')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(run drydock --help for usage)');

  program
    .command('scan', { isDefault: true })
    .description('find environments, build the model, run the rules, print findings')
    .argument('[dir]', 'repository to scan', '.')
    .option('--format <format>', `output format: ${FORMATS.join(', ')} (repeatable, paired with --output)`, collect)
    .option('-o, --output <file>', 'write the report to a file instead of stdout (repeatable)', collect)
    .option('-e, --env <name>', 'only these environments (repeatable; default all)', collect)
    .option('-f, --compose-file <file>', 'compose files of one explicit environment, like docker compose -f (repeatable)', collect)
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding reaches this severity').choices([...SEVERITIES, 'never']).default('high'))
    .option('--ignore <rule>', 'skip a rule (repeatable)', collect)
    .option('-c, --config <file>', 'config file (default: drydock.config.yaml or .drydock.yaml in the root)')
    .option('--no-color', 'no ANSI colours')
    .option('-q, --quiet', 'findings only: no code frames')
    .option('--list-environments', 'print the environments drydock found and exit')
    .option('--baseline <file>', 'report only findings not listed in this baseline file (see drydock baseline)')
    .action(async (dir: string, opts: ScanOptions) => {
      exitCode = await scan(dir, opts, io);
    });

  registerRuleCommands(program, io, (c) => (exitCode = c));
  registerEnvCommand(program, io, (c) => (exitCode = c));
  registerFixCommand(program, io, (c) => (exitCode = c));
  registerBootCommand(program, io, (c) => (exitCode = c));
  registerBaselineCommand(program, io, (c) => (exitCode = c));

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof UsageError || e instanceof ConfigError) {
      io.stderr(`drydock: ${e.message}\n`);
      return 2;
    }
    io.stderr(`drydock: internal error: ${(e as Error).message}\n`);
    if (io.env.DRYDOCK_DEBUG === '1') io.stderr(`${(e as Error).stack}\n`);
    return 2;
  }
}

async function scan(dir: string, opts: ScanOptions, io: Io): Promise<number> {
  const root = resolve(io.cwd, dir);
  const formats = (opts.format ?? []).map((f) => {
    if (!(FORMATS as readonly string[]).includes(f)) throw new UsageError(`unknown format "${f}" (choose ${FORMATS.join(', ')})`);
    return f as Format;
  });
  const outputs = opts.output ?? [];
  if (outputs.length > Math.max(formats.length, 1)) throw new UsageError('each --output needs its own --format before it');
  for (const id of opts.ignore ?? []) if (!findRule(id)) throw new UsageError(`unknown rule "${id}" in --ignore (see drydock rules)`);
  const baseline = opts.baseline ? readBaseline(resolve(io.cwd, opts.baseline)) : undefined;
  const out: AuditOutput = await audit({
    baseline,
    root,
    environments: opts.env,
    composeFiles: opts.composeFile?.map((f) => resolve(io.cwd, f)),
    configFile: opts.config ? resolve(io.cwd, opts.config) : undefined,
    ignoreRules: opts.ignore,
  });
  if (opts.listEnvironments) {
    for (const e of out.model.environments) io.stdout(`${e.name}\t${e.composeFiles.join(' + ')}\t${e.services.map((s) => s.name).join(', ')}\n`);
    return 0;
  }
  const secrets = collectSecretValues(out.model);
  const shown = new Set(out.result.environments.map((e) => e.name));
  const environments = out.model.environments.filter((e) => shown.has(e.name));
  const graph: ServiceGraph[] = environments.map((e) => ({
    environment: e.name,
    services: e.services.map((s) => ({ name: s.name, dependsOn: s.dependsOn.map((d) => ({ service: d.service, condition: d.condition })) })),
  }));
  const productionEnvironments = environments.filter((e) => e.production).map((e) => e.name);
  const ctx = (color: boolean): ReportContext => ({
    sources: out.model.sources,
    color,
    ruleTitle: (id: string) => findRule(id)?.meta.title,
    ruleMeta: (id: string) => findRule(id)?.meta,
    graph,
    productionEnvironments,
  });
  const pairs: { format: Format; file?: string }[] = formats.length ? formats.map((format, i) => ({ format, file: outputs[i] })) : [{ format: 'text', file: outputs[0] }];
  let printed = false;
  for (const { format, file } of pairs) {
    const color = !file && format === 'text' && opts.color && io.isTTY && !io.env.NO_COLOR;
    const text = render(format, out.result, ctx(color || (!file && format === 'text' && opts.color && io.env.FORCE_COLOR === '1')), secrets, { quiet: opts.quiet, markdown: format === 'markdown' ? { envTable: envMappingRows(out.model) } : undefined });
    if (file) writeFileSync(resolve(io.cwd, file), text);
    else {
      io.stdout(text);
      printed = true;
    }
  }
  // files were written: keep the terminal informed, as the issue asks for several outputs
  if (!printed && !opts.quiet) io.stdout(render('text', out.result, ctx(opts.color && io.isTTY && !io.env.NO_COLOR), secrets, { quiet: true }));
  for (const c of out.crashed) io.stderr(`drydock: internal error in rule ${c.ruleId}: ${c.error.message}\n`);
  if (io.env.DRYDOCK_TIMING === '1') {
    // like ESLint's TIMING=1: the phases and the ten slowest rules, on stderr
    const rows = Object.entries(out.timings).sort(([a], [b]) => (a.startsWith('rule:') ? 1 : 0) - (b.startsWith('rule:') ? 1 : 0));
    const phases = rows.filter(([k]) => !k.startsWith('rule:'));
    const rules = rows.filter(([k]) => k.startsWith('rule:')).sort((a, b) => b[1] - a[1]).slice(0, 10);
    for (const [k, v] of [...phases, ...rules]) io.stderr(`${v.toFixed(1).padStart(8)} ms  ${k}\n`);
  }
  if (out.crashed.length) return 2;
  if (opts.failOn === 'never') return 0;
  return out.result.findings.some((f) => reaches(f.severity, opts.failOn as Severity)) ? 1 : 0;
}

function readBaseline(file: string): Set<string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read baseline ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return parseBaseline(text);
  } catch (e) {
    throw new UsageError(`baseline ${file} is ${(e as Error).message}`);
  }
}
