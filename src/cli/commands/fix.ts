/**
 * `drydock fix [dir]`: apply the safe autofixes (`--unsafe` adds the unsafe ones), or with
 * `--dry-run` print the unified diff without writing. Exit codes:
 *   0  every requested fix applied (or there was nothing to fix)
 *   1  fixable findings remain unfixed (each is listed with the reason)
 *   2  usage error, or a rule crashed (nothing is written then)
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { audit, UsageError } from '../../audit.js';
import { formatLocation } from '../../core/location.js';
import { fixProject, type FixOutcome } from '../../fix/fix-loop.js';
import { maskSecrets } from '../../report/mask.js';
import { findRule } from '../../rules/index.js';
import type { Io } from '../io.js';

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

interface FixCliOptions {
  unsafe?: boolean;
  dryRun?: boolean;
  rule?: string[];
  env?: string[];
  composeFile?: string[];
  config?: string;
}

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

const REASONS: Record<string, string> = {
  overlap: 'overlaps another fix',
  'parse-error': 'the fixed file would not parse',
  'new-finding': 'the fix would cause a new finding',
  'audit-failed': 'the audit fails on the fixed tree',
  'invalid-fix': 'the fix is invalid',
  'write-error': 'cannot write',
  'not-resolved': 'the fix does not resolve it',
  'pass-limit': 'not fixed within the pass limit',
  oscillation: 'fixes undo each other',
};

export function fixReportText(out: FixOutcome): string {
  const lines: string[] = [];
  const verb = out.dryRun ? 'Would fix' : 'Fixed';
  if (out.fixed.length) {
    const parts = [`${verb} ${count(out.fixed.length, 'problem')}`];
    if (out.files.length) parts.push(` in ${count(out.files.length, 'file')}`);
    if (out.createdDirectories.length) parts.push(`${out.files.length ? ',' : ''} ${out.dryRun ? 'creating' : 'created'} ${count(out.createdDirectories.length, 'directory', 'directories')}`);
    lines.push(parts.join('') + (out.dryRun ? ' (dry run: nothing was written)' : '') + ':');
    for (const f of out.files) lines.push(`  ${f.file}: ${count(f.fixes, 'fix', 'fixes')}`);
    for (const d of out.createdDirectories) lines.push(`  ${d}/: ${out.dryRun ? 'would be created' : 'created'}`);
  } else if (!out.unfixed.length) lines.push('Nothing to fix.');
  if (out.unfixed.length) {
    lines.push(`Could not fix ${count(out.unfixed.length, 'problem')}:`);
    for (const u of out.unfixed)
      lines.push(`  ${formatLocation(u.location)} ${u.ruleId}${u.environment ? ` [${u.environment}]` : ''}: ${REASONS[u.reason] ?? u.reason}: ${u.detail}`);
  }
  if (out.unsafeAvailable) lines.push(`${count(out.unsafeAvailable, 'more problem')} fixable with --unsafe (review the diff first: drydock fix --unsafe --dry-run).`);
  for (const n of out.notes) lines.push(`note: ${n}`);
  return lines.join('\n') + '\n';
}

export function registerFixCommand(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('fix')
    .description('apply the safe autofixes (--unsafe for all); --dry-run prints the diff instead')
    .argument('[dir]', 'repository to fix', '.')
    .option('--unsafe', 'also apply fixes that may change runtime behaviour, and create directories')
    .option('--dry-run', 'write nothing; print the unified diff of what would change')
    .option('--rule <rule>', 'only the fixes of this rule (repeatable)', collect)
    .option('-e, --env <name>', 'only findings of these environments (repeatable; default all)', collect)
    .option('-f, --compose-file <file>', 'compose files of one explicit environment, like docker compose -f (repeatable)', collect)
    .option('-c, --config <file>', 'config file (default: drydock.config.yaml or .drydock.yaml in the root)')
    .action(async (dir: string, opts: FixCliOptions) => {
      for (const id of opts.rule ?? []) if (!findRule(id)) throw new UsageError(`unknown rule "${id}" in --rule (see drydock rules)`);
      const out = await fixProject({
        root: resolve(io.cwd, dir),
        safety: opts.unsafe ? 'unsafe' : 'safe',
        rules: opts.rule,
        dryRun: Boolean(opts.dryRun),
        audit,
        auditOptions: {
          environments: opts.env,
          composeFiles: opts.composeFile?.map((f) => resolve(io.cwd, f)),
          configFile: opts.config ? resolve(io.cwd, opts.config) : undefined,
        },
      });
      const mask = (s: string) => maskSecrets(s, out.secretValues);
      if (out.crashed.length) {
        for (const c of out.crashed) io.stderr(`drydock: internal error in rule ${c.ruleId}: ${c.error.message}\n`);
        io.stderr('drydock: nothing was fixed\n');
        setExit(2);
        return;
      }
      if (out.dryRun && out.diff) io.stdout(mask(out.diff));
      io.stdout(mask(fixReportText(out)));
      setExit(out.unfixed.length ? 1 : 0);
    });
}
