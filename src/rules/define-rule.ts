/**
 * A rule is metadata plus a pure `check` over the deployment model. Rules never read files or
 * print; they call `report` with findings, and the audit engine adds fingerprints, applies the
 * config's severities, suppressions and ignores.
 */
import type { Fix, RelatedLocation } from '../core/finding.js';
import type { Location } from '../core/location.js';
import type { Severity } from '../core/severity.js';
import type { ProjectModel } from '../model/types.js';

export interface RuleReference {
  title: string;
  url: string;
}

export interface RuleDocs {
  /** one sentence: what the rule finds */
  summary: string;
  /** why it breaks, and what the user sees at runtime */
  why: string;
  /** how to fix it */
  fix: string;
  /** how to check the fix after deploying */
  verify: string;
  /** where the mechanism is documented (Docker, Compose, framework docs or source) */
  references: RuleReference[];
  /** a minimal bad/good pair, as file name → content */
  example?: { bad: Record<string, string>; good: Record<string, string> };
  /** when a fix exists: why it is safe or not */
  fixSafety?: string;
}

export interface RuleMeta {
  /** `category/name`, equal to the rule file's folder and name */
  id: string;
  severity: Severity;
  title: string;
  docs: RuleDocs;
  fixable: 'none' | 'safe' | 'unsafe';
  status: 'stable' | 'preview';
  /** single-file rules that other linters also have */
  sources?: { tool: string; ref: string }[];
}

export interface FindingInput {
  message: string;
  location: Location;
  environment?: string;
  service?: string;
  related?: RelatedLocation[];
  fix?: Fix;
  verify?: string[];
  /** overrides meta.severity (e.g. a secret in development is info) */
  severity?: Severity;
  /** what makes this finding distinct, for fingerprints (defaults to the message) */
  key?: string;
}

export interface RuleContext {
  model: ProjectModel;
  report(finding: FindingInput): void;
}

export interface Rule {
  meta: RuleMeta;
  check(ctx: RuleContext): void;
}

export function defineRule(rule: Rule): Rule {
  return rule;
}

export function ruleCategory(id: string): string {
  return id.includes('/') ? id.slice(0, id.indexOf('/')) : id;
}
