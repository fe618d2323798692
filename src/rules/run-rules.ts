/**
 * Run the registered rules over a model and turn what they report into findings: the config's
 * severity overrides, stable fingerprints, inline suppressions and config ignores, and a
 * deterministic order (file, line, column, rule, message).
 */
import { createHash } from 'node:crypto';
import ignore from 'ignore';
import type { Finding } from '../core/finding.js';
import { compareLocations } from '../core/location.js';
import type { Severity } from '../core/severity.js';
import type { ProjectModel } from '../model/types.js';
import type { FindingInput, Rule } from './define-rule.js';
import { isSuppressed } from './suppressions.js';

export interface RunOptions {
  rules: readonly Rule[];
  /** rule id → severity or 'off' */
  severities?: Record<string, Severity | 'off'>;
  /** rule ids never reported */
  disabled?: readonly string[];
  /** config ignores: a rule (or all rules) on some paths (or everywhere) */
  ignores?: readonly { rule?: string; paths?: string[] }[];
  /** environments to report (default: all) */
  environments?: readonly string[];
}

export interface RunOutcome {
  findings: Finding[];
  suppressed: number;
  /** rules that threw: reported as internal errors, never silently dropped */
  crashed: { ruleId: string; error: Error }[];
  /** milliseconds spent in each rule's check */
  timings: Record<string, number>;
}

/**
 * A finding's identity across unrelated edits: rule, environment, service, file and what the
 * finding is about, never where. Line and column numbers inside the message or key
 * (`compose.yaml:12`, `line 7`) are dropped, so inserting lines above a finding keeps it.
 */
export function fingerprint(ruleId: string, f: FindingInput): string {
  const what = (f.key ?? f.message).replace(/(\.[A-Za-z][A-Za-z0-9]*|Dockerfile[\w.-]*|\.env[\w.-]*):\d+(?::\d+)?/g, '$1').replace(/\blines? \d+(?:-\d+)?/g, 'line');
  const key = [ruleId, f.environment ?? '', f.service ?? '', f.location.file, what].join('\0');
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

export function runRules(model: ProjectModel, options: RunOptions): RunOutcome {
  const findings: Finding[] = [];
  const crashed: RunOutcome['crashed'] = [];
  let suppressed = 0;
  const timings: Record<string, number> = {};
  const ignoreMatchers = (options.ignores ?? []).map((i) => ({ rule: i.rule, paths: i.paths?.length ? ignore().add(i.paths) : null }));
  const envFilter = options.environments?.length ? new Set(options.environments) : null;
  const seen = new Set<string>();
  for (const rule of options.rules) {
    const id = rule.meta.id;
    const configured = options.severities?.[id];
    if (configured === 'off' || options.disabled?.includes(id)) continue;
    const found: FindingInput[] = [];
    try {
      const started = performance.now();
      rule.check({ model, report: (f) => found.push(f) });
      timings[id] = performance.now() - started;
    } catch (error) {
      crashed.push({ ruleId: id, error: error as Error });
      continue;
    }
    for (const f of found) {
      if (envFilter && f.environment !== undefined && !envFilter.has(f.environment)) continue;
      const fp = fingerprint(id, f);
      const dedupe = `${fp}\0${f.location.startLine ?? ''}`;
      if (seen.has(dedupe)) continue;
      seen.add(dedupe);
      const ignoredByConfig = ignoreMatchers.some((m) => (!m.rule || m.rule === id) && (!m.paths || m.paths.ignores(f.location.file)));
      if (ignoredByConfig || isSuppressed(model, id, f.location)) {
        suppressed++;
        continue;
      }
      findings.push({
        ruleId: id,
        severity: configured ?? f.severity ?? rule.meta.severity,
        message: f.message,
        ...(f.environment !== undefined ? { environment: f.environment } : {}),
        ...(f.service !== undefined ? { service: f.service } : {}),
        location: f.location,
        related: f.related ?? [],
        fix: f.fix ?? null,
        ...(f.verify?.length ? { verify: f.verify } : {}),
        fingerprint: fp,
      });
    }
  }
  findings.sort(
    (a, b) =>
      compareLocations(a.location, b.location) ||
      (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0) ||
      (a.environment ?? '').localeCompare(b.environment ?? '') ||
      (a.message < b.message ? -1 : a.message > b.message ? 1 : 0),
  );
  return { findings, suppressed, crashed, timings };
}
