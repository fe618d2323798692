import type { Finding } from './finding.js';
import type { Severity } from './severity.js';

export interface EnvironmentSummary {
  name: string;
  composeFiles: string[];
  services: string[];
}

/** What `audit()` returns: data only; the CLI decides what to print and the exit code. */
export interface AuditResult {
  version: 1;
  tool: { name: 'drydock'; version: string };
  root: string;
  environments: EnvironmentSummary[];
  findings: Finding[];
  summary: Record<Severity, number>;
  /** findings dropped by inline `drydock-ignore` comments or config ignores */
  suppressed: number;
  /** findings left out because a baseline file lists their fingerprints (`--baseline`) */
  baselined?: number;
}
