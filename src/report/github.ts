/**
 * GitHub Actions workflow commands: one annotation per finding, then the summary line as plain
 * log output. `::error file=…,line=…,col=…,endLine=…,title=<rule id>::<message>`.
 * critical/high → error, medium → warning, low/info → notice.
 *
 * Escaping follows @actions/core (`toolkit/packages/core/src/command.ts`): in the message `%`,
 * `\r`, `\n` become `%25`, `%0D`, `%0A`; in property values also `:` → `%3A` and `,` → `%2C`.
 */
import type { Finding } from '../core/finding.js';
import type { AuditResult } from '../core/result.js';
import type { Severity } from '../core/severity.js';
import type { ReportContext } from './context.js';
import { summaryLine } from './text.js';

const COMMAND: Record<Severity, 'error' | 'warning' | 'notice'> = { critical: 'error', high: 'error', medium: 'warning', low: 'notice', info: 'notice' };

export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function renderGithub(result: AuditResult, _ctx: ReportContext): string {
  const lines = result.findings.map(annotation);
  lines.push(summaryLine(result));
  return lines.join('\n') + '\n';
}

function annotation(f: Finding): string {
  const l = f.location;
  const props: [string, string | number | undefined][] = [
    ['file', l.file],
    ['line', l.startLine],
    ['col', l.startLine !== undefined ? l.startColumn : undefined],
    ['endLine', l.startLine !== undefined ? l.endLine : undefined],
    ['title', f.ruleId],
  ];
  const head = props
    .filter((p): p is [string, string | number] => p[1] !== undefined)
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
    .join(',');
  const scope = [f.severity, f.environment, f.service && `service ${f.service}`].filter(Boolean).join(', ');
  return `::${COMMAND[f.severity]} ${head}::${escapeData(`${f.message} (${scope})`)}`;
}
