/**
 * The library entry: `audit(options)` discovers, models, runs the rules and returns data.
 * It never prints and never exits; `cli/` decides what to show and the exit code.
 */
import type { AuditResult } from './core/result.js';
import { SEVERITIES, type Severity } from './core/severity.js';
import { discover, type GitOption } from './discover/index.js';
import { buildModel } from './model/build-model.js';
import type { ProjectModel } from './model/types.js';
import { RULES } from './rules/index.js';
import { runRules } from './rules/run-rules.js';
import type { Rule } from './rules/define-rule.js';
import { VERSION } from './version.js';

export interface AuditOptions {
  root: string;
  /** environments to report; default all */
  environments?: string[];
  /** explicit compose files (`-f`): one environment */
  composeFiles?: string[];
  configFile?: string;
  /** rule ids to skip (`--ignore`) */
  ignoreRules?: string[];
  /** git facts: 'auto' (default) reads .git/index; 'off'; or a path → mode map (tests) */
  git?: GitOption;
  /** fingerprints of accepted findings (`--baseline`): left out of the result */
  baseline?: ReadonlySet<string>;
  /** override the registry (tests) */
  rules?: readonly Rule[];
}

export interface AuditOutput {
  result: AuditResult;
  model: ProjectModel;
  /** rules that threw (a bug in drydock): the CLI exits 2 */
  crashed: { ruleId: string; error: Error }[];
  /** milliseconds per phase (`discover`, `model`) and per rule (`rule:<id>`): DRYDOCK_TIMING=1 prints them */
  timings: Record<string, number>;
}

export class UsageError extends Error {}

export async function audit(options: AuditOptions): Promise<AuditOutput> {
  const t0 = performance.now();
  const d = discover(options.root, { composeFiles: options.composeFiles, configFile: options.configFile, git: options.git });
  for (const f of options.composeFiles ?? []) {
    const rel = d.environments[0]?.composeFiles.find((c) => f.endsWith(c)) ?? f;
    if (!d.walk.files.has(rel)) throw new UsageError(`compose file not found: ${f}`);
  }
  const known = new Set(d.environments.map((e) => e.name));
  for (const e of options.environments ?? [])
    if (!known.has(e)) throw new UsageError(`unknown environment "${e}" (found: ${[...known].join(', ') || 'none'})`);
  const t1 = performance.now();
  const model = await buildModel(d);
  const t2 = performance.now();
  const run = runRules(model, {
    rules: options.rules ?? RULES,
    severities: d.config.rules,
    disabled: options.ignoreRules,
    ignores: d.config.ignore,
    environments: options.environments,
  });
  const findings = options.baseline ? run.findings.filter((f) => !options.baseline!.has(f.fingerprint)) : run.findings;
  const summary = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) summary[f.severity]++;
  const wanted = options.environments?.length ? new Set(options.environments) : null;
  return {
    model,
    crashed: run.crashed,
    timings: { discover: t1 - t0, model: t2 - t1, ...Object.fromEntries(Object.entries(run.timings).map(([k, v]) => [`rule:${k}`, v])) },
    result: {
      version: 1,
      tool: { name: 'drydock', version: VERSION },
      root: '.',
      environments: model.environments
        .filter((e) => !wanted || wanted.has(e.name))
        .map((e) => ({ name: e.name, composeFiles: e.composeFiles, services: e.services.map((s) => s.name) })),
      findings,
      summary,
      suppressed: run.suppressed,
      ...(options.baseline ? { baselined: run.findings.length - findings.length } : {}),
    },
  };
}
