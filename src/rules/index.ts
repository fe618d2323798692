/**
 * The rule registry. Every rule file under src/rules/<category>/ is listed here once; a test
 * fails when a rule file is missing from this list or listed twice.
 */
import appBuildRuntimeSettingsDrift from './app/build-runtime-settings-drift.js';
import appCeleryAppMissing from './app/celery-app-missing.js';
import appModuleMissing from './app/module-missing.js';
import appPathSettingMissing from './app/path-setting-missing.js';
import appProductionSettingsUnused from './app/production-settings-unused.js';
import appVolumePathMismatch from './app/volume-path-mismatch.js';
import bindSourceMissing from './compose/bind-source-missing.js';
import buildTargetImplicit from './compose/build-target-implicit.js';
import buildTargetMissing from './compose/build-target-missing.js';
import dependsOnInvalid from './compose/depends-on-invalid.js';
import dockerfileMissing from './compose/dockerfile-missing.js';
import envFileMissing from './compose/env-file-missing.js';
import envYamlTyping from './compose/env-yaml-typing.js';
import hostPortConflict from './compose/host-port-conflict.js';
import pathResolvesElsewhere from './compose/path-resolves-elsewhere.js';
import portMismatch from './compose/port-mismatch.js';
import schemaInvalid from './compose/schema-invalid.js';
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
import healthDependencyUnchecked from './health/dependency-unchecked.js';
import healthEndpointMissing from './health/endpoint-missing.js';
import healthPgIsreadyDatabase from './health/pg-isready-database.js';
import healthToolMissing from './health/tool-missing.js';
import copySourceMissing from './image/copy-source-missing.js';
import copySourceUntracked from './image/copy-source-untracked.js';
import imageEntrypointMissing from './image/entrypoint-missing.js';
import imageExecutableMissing from './image/executable-missing.js';
import imagePathMissingAtStep from './image/path-missing-at-step.js';
import imageRunsAsRoot from './image/runs-as-root.js';
import scriptCrlf from './image/script-crlf.js';
import scriptNotExecutable from './image/script-not-executable.js';
import imageStalePinnedImage from './image/stale-pinned-image.js';
import imageUserWithoutHome from './image/user-without-home.js';
import lifecycleEntrypointNoExec from './lifecycle/entrypoint-no-exec.js';
import lifecycleNoErrexit from './lifecycle/no-errexit.js';
import lifecycleShellFormStart from './lifecycle/shell-form-start.js';
import lifecycleStopGrace from './lifecycle/stop-grace.js';
import migrationsNotApplied from './migrations/not-applied.js';
import migrationsNotGated from './migrations/not-gated.js';
import migrationsRace from './migrations/race.js';
import migrationsWrongCwd from './migrations/wrong-cwd.js';
import parseError from './parse-error.js';
import permissionsReadonlyUnwritable from './permissions/readonly-unwritable.js';
import permissionsTmpfsOwner from './permissions/tmpfs-owner.js';
import permissionsVolumeOwner from './permissions/volume-owner.js';
import permissionsWorkdirNotWritable from './permissions/workdir-not-writable.js';
import runtimeBindLocalhost from './runtime/bind-localhost.js';
import runtimeDevServer from './runtime/dev-server.js';
import runtimeServerConfigUnused from './runtime/server-config-unused.js';
import secretsHardcoded from './secrets/hardcoded.js';

export const RULES: readonly Rule[] = [parseError, buildTargetImplicit, buildTargetMissing, dependsOnInvalid, dockerfileMissing, envFileMissing, bindSourceMissing, envYamlTyping, hostPortConflict, pathResolvesElsewhere, schemaInvalid, variableUnset, secretsHardcoded, copySourceMissing, copySourceUntracked, envExampleIncomplete, envInsecureDefault, envProductionGuard, envRequiredSettingMissing, envSiblingDrift, envTypeMismatch, envUnknownSetting, depsKnownIncompatible, depsLockOutOfSync, depsUndeclaredImport, depsWrongManifest, permissionsReadonlyUnwritable, permissionsTmpfsOwner, permissionsVolumeOwner, permissionsWorkdirNotWritable, portMismatch, healthDependencyUnchecked, healthEndpointMissing, healthPgIsreadyDatabase, scriptCrlf, scriptNotExecutable, runtimeBindLocalhost, runtimeDevServer, runtimeServerConfigUnused, migrationsNotApplied, migrationsRace, migrationsNotGated, migrationsWrongCwd, lifecycleNoErrexit, lifecycleEntrypointNoExec, lifecycleShellFormStart, lifecycleStopGrace, healthToolMissing, imageEntrypointMissing, imageExecutableMissing, imagePathMissingAtStep, imageRunsAsRoot, imageUserWithoutHome, imageStalePinnedImage, appModuleMissing, appCeleryAppMissing, appProductionSettingsUnused, appBuildRuntimeSettingsDrift, appPathSettingMissing, appVolumePathMismatch];

export function findRule(id: string): Rule | undefined {
  return RULES.find((r) => r.meta.id === id);
}
