/**
 * drydock.config.yaml (or .drydock.yaml): every field optional.
 *
 *   environments:            # replaces discovery when present
 *     production:
 *       composeFiles: [docker-compose.yml, docker-compose.prod.yml]
 *       envFiles: [.env.production]      # interpolation source instead of <project dir>/.env
 *       production: true                 # default: guessed from the name
 *   rules:
 *     compose/env-yaml-typing: low       # a severity, or "off"
 *   ignore:
 *     - rule: secrets/hardcoded          # rule id (optional)
 *       paths: ["examples/**"]           # gitignore-style globs (optional)
 *   skip: ["legacy/**"]                  # paths the scan never reads
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { isSeverity, type Severity } from '../core/severity.js';

export interface DrydockConfig {
  /** the config file, relative to the root, when one was loaded */
  file?: string;
  environments?: Record<string, { composeFiles: string[]; envFiles?: string[]; production?: boolean }>;
  rules: Record<string, Severity | 'off'>;
  ignore: { rule?: string; paths?: string[] }[];
  skip: string[];
}

export class ConfigError extends Error {}

export const CONFIG_NAMES = ['drydock.config.yaml', 'drydock.config.yml', '.drydock.yaml', '.drydock.yml'];

export function loadConfig(root: string, explicit?: string): DrydockConfig {
  const file = explicit ?? CONFIG_NAMES.find((n) => existsSync(join(root, n)));
  if (!file) return { rules: {}, ignore: [], skip: [] };
  let text: string;
  try {
    text = readFileSync(explicit ? explicit : join(root, file), 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read config file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = YAML.parse(text) ?? {};
  } catch (e) {
    throw new ConfigError(`config file ${file} is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  return validateConfig(raw, file);
}

function fail(file: string, msg: string): never {
  throw new ConfigError(`config file ${file}: ${msg}`);
}

const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

export function validateConfig(raw: unknown, file: string): DrydockConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(file, 'expected a mapping at the top level');
  const obj = raw as Record<string, unknown>;
  for (const k of Object.keys(obj)) if (!['environments', 'rules', 'ignore', 'skip'].includes(k)) fail(file, `unknown key "${k}" (expected environments, rules, ignore, skip)`);
  const config: DrydockConfig = { file, rules: {}, ignore: [], skip: [] };
  if (obj.environments !== undefined) {
    if (typeof obj.environments !== 'object' || obj.environments === null) fail(file, '"environments" must be a mapping of name to { composeFiles, envFiles }');
    config.environments = {};
    for (const [name, v] of Object.entries(obj.environments as Record<string, unknown>)) {
      const e = v as Record<string, unknown> | null;
      if (!e || !isStringList(e.composeFiles) || e.composeFiles.length === 0) fail(file, `environment "${name}" needs composeFiles: a non-empty list of paths`);
      if (e.envFiles !== undefined && !isStringList(e.envFiles)) fail(file, `environment "${name}": envFiles must be a list of paths`);
      if (e.production !== undefined && typeof e.production !== 'boolean') fail(file, `environment "${name}": production must be true or false`);
      config.environments[name] = { composeFiles: e.composeFiles, envFiles: e.envFiles as string[] | undefined, production: e.production as boolean | undefined };
    }
  }
  if (obj.rules !== undefined) {
    if (typeof obj.rules !== 'object' || obj.rules === null) fail(file, '"rules" must map rule ids to a severity or "off"');
    for (const [id, v] of Object.entries(obj.rules as Record<string, unknown>)) {
      if (v !== 'off' && !isSeverity(v)) fail(file, `rule "${id}": "${String(v)}" is not a severity (critical, high, medium, low, info) or "off"`);
      config.rules[id] = v as Severity | 'off';
    }
  }
  if (obj.ignore !== undefined) {
    if (!Array.isArray(obj.ignore)) fail(file, '"ignore" must be a list of { rule, paths }');
    for (const item of obj.ignore) {
      const i = item as Record<string, unknown>;
      if (typeof i !== 'object' || i === null || (i.rule !== undefined && typeof i.rule !== 'string') || (i.paths !== undefined && !isStringList(i.paths)))
        fail(file, 'each "ignore" entry is { rule?: string, paths?: [glob, ...] }');
      config.ignore.push({ rule: i.rule as string | undefined, paths: i.paths as string[] | undefined });
    }
  }
  if (obj.skip !== undefined) {
    if (!isStringList(obj.skip)) fail(file, '"skip" must be a list of globs');
    config.skip = obj.skip;
  }
  return config;
}
