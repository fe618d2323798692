/**
 * The rule registry. Every rule file under src/rules/<category>/ is listed here once; a test
 * fails when a rule file is missing from this list or listed twice.
 */
import bindSourceMissing from './compose/bind-source-missing.js';
import buildTargetImplicit from './compose/build-target-implicit.js';
import buildTargetMissing from './compose/build-target-missing.js';
import dependsOnInvalid from './compose/depends-on-invalid.js';
import dockerfileMissing from './compose/dockerfile-missing.js';
import envFileMissing from './compose/env-file-missing.js';
import envYamlTyping from './compose/env-yaml-typing.js';
import hostPortConflict from './compose/host-port-conflict.js';
import pathResolvesElsewhere from './compose/path-resolves-elsewhere.js';
import variableUnset from './compose/variable-unset.js';
import type { Rule } from './define-rule.js';
import depsKnownIncompatible from './deps/known-incompatible.js';
import depsLockOutOfSync from './deps/lock-out-of-sync.js';
import depsUndeclaredImport from './deps/undeclared-import.js';
import depsWrongManifest from './deps/wrong-manifest.js';
import envExampleIncomplete from './env/example-incomplete.js';
import envInsecureDefault from './env/insecure-default.js';
import envProductionGuard from './env/production-guard.js';
import envRequiredSettingMissing from './env/required-setting-missing.js';
import envSiblingDrift from './env/sibling-drift.js';
import envTypeMismatch from './env/type-mismatch.js';
import envUnknownSetting from './env/unknown-setting.js';
import copySourceMissing from './image/copy-source-missing.js';
import copySourceUntracked from './image/copy-source-untracked.js';
import parseError from './parse-error.js';
import secretsHardcoded from './secrets/hardcoded.js';

export const RULES: readonly Rule[] = [parseError, buildTargetImplicit, buildTargetMissing, dependsOnInvalid, dockerfileMissing, envFileMissing, bindSourceMissing, envYamlTyping, hostPortConflict, pathResolvesElsewhere, variableUnset, secretsHardcoded, copySourceMissing, copySourceUntracked, envExampleIncomplete, envInsecureDefault, envProductionGuard, envRequiredSettingMissing, envSiblingDrift, envTypeMismatch, envUnknownSetting, depsKnownIncompatible, depsLockOutOfSync, depsUndeclaredImport, depsWrongManifest];

export function findRule(id: string): Rule | undefined {
  return RULES.find((r) => r.meta.id === id);
}
