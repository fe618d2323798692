/**
 * The rule registry. Every rule file under src/rules/<category>/ is listed here once; a test
 * fails when a rule file is missing from this list or listed twice.
 */
import buildTargetMissing from './compose/build-target-missing.js';
import dependsOnInvalid from './compose/depends-on-invalid.js';
import dockerfileMissing from './compose/dockerfile-missing.js';
import envFileMissing from './compose/env-file-missing.js';
import type { Rule } from './define-rule.js';
import parseError from './parse-error.js';

export const RULES: readonly Rule[] = [parseError, buildTargetMissing, dependsOnInvalid, dockerfileMissing, envFileMissing];

export function findRule(id: string): Rule | undefined {
  return RULES.find((r) => r.meta.id === id);
}
