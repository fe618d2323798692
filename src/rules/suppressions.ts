/**
 * Inline suppressions: `# drydock-ignore <rule-id>[, <rule-id>]: reason` on the finding's line
 * or the line above. Works in every file with `#` comments (Dockerfiles, compose, env files,
 * scripts, Python). `drydock-ignore all` silences every rule on that line.
 */
import type { Location } from '../core/location.js';
import type { ProjectModel } from '../model/types.js';

const MARKER = /#\s*drydock-ignore\s+([A-Za-z0-9_/,\s-]+?)\s*(?::|--|$)/;

export function suppressedRules(line: string): string[] {
  const m = MARKER.exec(line);
  if (!m) return [];
  return m[1]!.split(/[\s,]+/).filter(Boolean);
}

export function isSuppressed(model: ProjectModel, ruleId: string, loc: Location): boolean {
  if (loc.startLine === undefined) return false;
  const src = model.sources.get(loc.file);
  if (!src) return false;
  for (const n of [loc.startLine, loc.startLine - 1]) {
    const ids = suppressedRules(src.line(n));
    if (ids.includes(ruleId) || ids.includes('all')) return true;
  }
  return false;
}
