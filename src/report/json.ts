/** The JSON format is an API (README "JSON output"): keep its shape stable. */
import type { AuditResult } from '../core/result.js';

export function renderJson(result: AuditResult): string {
  const { suppressed: _suppressed, baselined: _baselined, ...rest } = result;
  return JSON.stringify(rest, null, 2) + '\n';
}
