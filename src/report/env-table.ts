/**
 * `drydock env`: the effective environment of each service — every variable with its value
 * (masked when secret), where it is set and what it overrode, and which setting reads it — then
 * the settings nothing sets (required ones marked) and the variables no setting reads.
 *
 * `buildEnvTables` turns the model into plain rows; `renderEnvTables` renders them as text, JSON
 * or Markdown (pure functions). `envMappingRows` feeds the Markdown report's variable table.
 */
import type { Location } from '../core/location.js';
import { thirdPartyEnv } from '../knowledge/third-party-env.js';
import { effectiveEnv, resolveSettingValues, type EffectiveVar } from '../model/app/effective.js';
import { fieldForVariable, judgeVariable } from '../model/app/names.js';
import { describeRead } from '../model/app/query.js';
import { isPlaceholder, looksSecretName } from '../model/secrets.js';
import type { ProjectModel, SettingsClass } from '../model/types.js';
import type { EnvTableRow } from './markdown.js';

export const ENV_FORMATS = ['text', 'json', 'markdown'] as const;
export type EnvFormat = (typeof ENV_FORMATS)[number];

const MASK = '******';

export interface EnvVariableRow {
  name: string;
  /** masked when secret; null when the deploying shell provides it */
  value: string | null;
  secret: boolean;
  from: EffectiveVar['from'];
  loc: Location;
  /** earlier definitions it replaced, earliest first (values masked like `value`) */
  overrode: { value: string | null; loc: Location }[];
  /** `${VAR}` in the value that nothing defines (Compose substitutes "") */
  unset: string[];
  /** settings fields that read it: `Settings.database.host` */
  settings: string[];
  /** read directly by the code: `app/settings.py: os.environ["X"]` */
  reads: string[];
}

export interface EnvUnsetSetting {
  setting: string;
  envNames: string[];
  required: boolean;
  /** the default as written (masked when secret) */
  default?: string;
  loc: Location;
}

export interface EnvUnreadVariable {
  name: string;
  /** `third-party: gunicorn`, `did you mean DATABASE__DATABASE?` */
  note?: string;
}

export interface EnvServiceTable {
  environment: string;
  service: string;
  /** `app/settings.py: Settings` for each settings class the service runs */
  app: string[];
  variables: EnvVariableRow[];
  unsetSettings: EnvUnsetSetting[];
  unreadVariables: EnvUnreadVariable[];
}

export interface EnvTableOptions {
  environments?: readonly string[];
  service?: string;
}

/** secrets are masked; empty values and placeholders (`change-me`) are not secrets and stay visible */
const masked = (secret: boolean, v: string | null): string | null => (secret && v && !isPlaceholder(v) ? MASK : v);

export function buildEnvTables(model: ProjectModel, opts: EnvTableOptions = {}): EnvServiceTable[] {
  const out: EnvServiceTable[] = [];
  for (const env of model.environments) {
    if (opts.environments?.length && !opts.environments.includes(env.name)) continue;
    for (const svc of env.services) {
      if (opts.service && svc.name !== opts.service) continue;
      if (!svc.enabled && !opts.service) continue;
      const vars = effectiveEnv(env, svc);
      const app = svc.app;
      const variables: EnvVariableRow[] = [];
      const unread: EnvUnreadVariable[] = [];
      const fieldSecret = new Set<string>();
      for (const cls of app?.settings ?? []) for (const f of cls.fields) if (f.secret) for (const n of f.envNames) fieldSecret.add(cls.caseSensitive ? n : n.toUpperCase());
      for (const v of [...vars.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
        const secret = looksSecretName(v.name) || fieldSecret.has(v.name) || fieldSecret.has(v.name.toUpperCase());
        const settings: string[] = [];
        for (const cls of app?.settings ?? []) {
          const n = cls.caseSensitive ? v.name : v.name.toUpperCase();
          for (const f of cls.fields) if (f.envNames.includes(n)) settings.push(`${cls.name}.${f.path}`);
        }
        const reads = (app?.envReads ?? []).filter((r) => r.name === v.name).map((r) => `${r.module}: ${describeRead(r)}`);
        variables.push({
          name: v.name,
          value: masked(secret, v.value),
          secret,
          from: v.from,
          loc: v.loc,
          overrode: v.overrode.map((o) => ({ value: masked(secret, o.value), loc: o.loc })),
          unset: v.unset,
          settings,
          reads: [...new Set(reads)],
        });
        if (app && !settings.length && !reads.length) {
          const tp = thirdPartyEnv(v.name);
          const verdict = tp ? undefined : judgeVariable(app, v.name, model.app?.mentioned);
          const note = tp ? `read by ${tp.tool}` : verdict?.suggestion ? `no setting reads it; did you mean ${verdict.suggestion.name}?` : verdict ? 'no setting reads it' : undefined;
          unread.push(note ? { name: v.name, note } : { name: v.name });
        }
      }
      const unsetSettings: EnvUnsetSetting[] = [];
      for (const cls of app?.settings ?? []) {
        const vals = resolveSettingValues(cls, vars);
        for (const r of vals.values()) {
          const f = r.field;
          if (f.nested || r.variable || r.viaJson) continue;
          const row: EnvUnsetSetting = { setting: `${cls.name}.${f.path}`, envNames: f.envNames, required: f.required, loc: f.loc };
          if (f.default !== undefined) row.default = f.secret && typeof f.defaultValue === 'string' ? (masked(true, f.defaultValue) === MASK ? MASK : f.default) : f.default;
          unsetSettings.push(row);
        }
      }
      out.push({
        environment: env.name,
        service: svc.name,
        app: (app?.settings ?? []).map((s: SettingsClass) => `${s.module}: ${s.name}`),
        variables,
        unsetSettings,
        unreadVariables: unread,
      });
    }
  }
  return out;
}

/** Rows for the Markdown report's "variable → setting → where it is set" table (no values). */
export function envMappingRows(model: ProjectModel): EnvTableRow[] {
  const rows = new Map<string, EnvTableRow>();
  for (const t of buildEnvTables(model))
    for (const v of t.variables) {
      if (!v.settings.length && !v.reads.length) continue;
      const row = rows.get(v.name) ?? { variable: v.name, setting: [...v.settings, ...v.reads].join(', '), setIn: {} };
      row.setIn[t.environment] ??= v.loc;
      rows.set(v.name, row);
    }
  return [...rows.values()].sort((a, b) => (a.variable < b.variable ? -1 : 1));
}

// ------------------------------------------------------------------ rendering

const at = (l: Location): string => (l.startLine === undefined ? l.file : `${l.file}:${l.startLine}`);

function shownValue(v: { value: string | null; unset?: string[] }): string {
  if (v.value === null) return '(from the shell)';
  if (v.unset?.length) return `"" (\${${v.unset.join('}, ${')}} unset)`;
  return v.value === '' ? '""' : v.value;
}

function source(v: EnvVariableRow): string {
  const kind = v.from === 'dockerfile' ? 'ENV' : v.from;
  const over = v.overrode.length ? `; overrides ${v.overrode.map((o) => `${o.value === null ? '(shell)' : JSON.stringify(o.value)} at ${at(o.loc)}`).join(', ')}` : '';
  return `${at(v.loc)} (${kind}${over})`;
}

export function renderEnvTables(tables: EnvServiceTable[], format: EnvFormat): string {
  if (format === 'json') return `${JSON.stringify({ version: 1, services: tables }, null, 2)}\n`;
  return format === 'markdown' ? renderMarkdown(tables) : renderText(tables);
}

function renderText(tables: EnvServiceTable[]): string {
  const out: string[] = [];
  for (const t of tables) {
    out.push(`${t.environment} / ${t.service}${t.app.length ? `  (runs ${t.app.join(', ')})` : ''}`);
    if (!t.variables.length) out.push('  (no variables)');
    const rows = t.variables.map((v) => [v.name, shownValue(v), source(v), [...v.settings, ...v.reads].join(', ') || '-']);
    const widths = [0, 1].map((i) => Math.min(40, Math.max(...rows.map((r) => r[i]!.length), i === 0 ? 8 : 5)));
    if (rows.length) out.push(`  ${'VARIABLE'.padEnd(widths[0]!)}  ${'VALUE'.padEnd(widths[1]!)}  SET IN  →  SETTING`);
    for (const r of rows) out.push(`  ${r[0]!.padEnd(widths[0]!)}  ${clip(r[1]!, 40).padEnd(widths[1]!)}  ${r[2]}  →  ${r[3]}`);
    if (t.unsetSettings.length) {
      out.push('  settings nothing sets:');
      for (const s of t.unsetSettings)
        out.push(`    ${s.required ? 'REQUIRED ' : ''}${s.setting}${s.envNames.length ? ` (${s.envNames.join(' or ')})` : ' (no variable name)'}${s.default !== undefined ? ` = ${s.default}` : s.required ? '' : ' = (computed default)'}  ${at(s.loc)}`);
    }
    if (t.unreadVariables.length) {
      out.push('  variables no setting reads:');
      for (const u of t.unreadVariables) out.push(`    ${u.name}${u.note ? `  (${u.note})` : ''}`);
    }
    out.push('');
  }
  if (!tables.length) out.push('No service matched.', '');
  return out.join('\n');
}

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (s: string): string => `\`${s.replace(/`/g, "'")}\``;

function renderMarkdown(tables: EnvServiceTable[]): string {
  const out: string[] = ['# Effective environment', ''];
  for (const t of tables) {
    out.push(`## ${t.environment} / ${t.service}`, '');
    if (t.app.length) out.push(`Runs ${t.app.map(code).join(', ')}.`, '');
    if (t.variables.length) {
      out.push('| Variable | Value | Set in | Overrides | Setting |', '|---|---|---|---|---|');
      for (const v of t.variables)
        out.push(
          `| ${code(v.name)} | ${cell(code(clip(shownValue(v), 60)))} | ${code(at(v.loc))} | ${cell(v.overrode.map((o) => `${o.value === null ? '(shell)' : code(clip(o.value, 30))} at ${code(at(o.loc))}`).join('<br>')) || '—'} | ${cell([...v.settings, ...v.reads].map(code).join(', ')) || '—'} |`,
        );
      out.push('');
    } else out.push('_No variables._', '');
    if (t.unsetSettings.length) {
      out.push('**Settings nothing sets**', '');
      for (const s of t.unsetSettings) out.push(`- ${s.required ? '**required** ' : ''}${code(s.setting)}${s.envNames.length ? ` (${s.envNames.map(code).join(' or ')})` : ''}${s.default !== undefined ? ` = ${code(s.default)}` : ''}`);
      out.push('');
    }
    if (t.unreadVariables.length) {
      out.push('**Variables no setting reads**', '');
      for (const u of t.unreadVariables) out.push(`- ${code(u.name)}${u.note ? `: ${cell(u.note)}` : ''}`);
      out.push('');
    }
  }
  if (!tables.length) out.push('_No service matched._', '');
  return out.join('\n');
}

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
