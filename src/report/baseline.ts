/**
 * Baseline files: the fingerprints of findings a team has accepted, so `--baseline` reports only
 * new ones. Fingerprints carry no line numbers, so a baseline survives unrelated edits.
 */
import type { AuditResult } from '../core/result.js';

export interface BaselineFile {
  version: 1;
  tool: 'drydock';
  findings: { fingerprint: string; ruleId: string; file: string; environment?: string }[];
}

export function renderBaseline(result: AuditResult): string {
  const seen = new Set<string>();
  const findings: BaselineFile['findings'] = [];
  for (const f of result.findings) {
    if (seen.has(f.fingerprint)) continue;
    seen.add(f.fingerprint);
    findings.push({ fingerprint: f.fingerprint, ruleId: f.ruleId, file: f.location.file, ...(f.environment ? { environment: f.environment } : {}) });
  }
  findings.sort((a, b) => a.file.localeCompare(b.file) || a.ruleId.localeCompare(b.ruleId) || a.fingerprint.localeCompare(b.fingerprint));
  const file: BaselineFile = { version: 1, tool: 'drydock', findings };
  return JSON.stringify(file, null, 2) + '\n';
}

/** The fingerprints of a baseline file; throws with a one-line reason when it is not one. */
export function parseBaseline(text: string): Set<string> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`not JSON (${(e as Error).message})`);
  }
  const d = data as Partial<BaselineFile>;
  if (d?.version !== 1 || !Array.isArray(d.findings) || !d.findings.every((f) => typeof f?.fingerprint === 'string'))
    throw new Error('not a drydock baseline (expected {"version": 1, "findings": [{"fingerprint": ...}]})');
  return new Set(d.findings.map((f) => f.fingerprint));
}
