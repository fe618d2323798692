/**
 * The terminal report: findings grouped by environment, most severe first, each with its
 * `file:line:col`, rule, message, a short code frame, related places and the verify command;
 * then one closing line (Ruff's style) and what can be fixed.
 */
import pc from 'picocolors';
import type { Finding } from '../core/finding.js';
import { formatLocation } from '../core/location.js';
import type { AuditResult } from '../core/result.js';
import { SEVERITIES, severityRank, type Severity } from '../core/severity.js';
import type { ReportContext } from './context.js';

export function renderText(result: AuditResult, ctx: ReportContext, opts: { quiet?: boolean } = {}): string {
  const c = pc.createColors(ctx.color);
  const paint: Record<Severity, (s: string) => string> = {
    critical: (s) => c.bold(c.red(s)),
    high: c.red,
    medium: c.yellow,
    low: c.cyan,
    info: c.dim,
  };
  const lines: string[] = [];
  const groups = new Map<string, Finding[]>();
  for (const f of result.findings) {
    const key = f.environment ?? '';
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  const order = ['', ...result.environments.map((e) => e.name)].filter((k) => groups.has(k));
  for (const key of order) {
    const env = result.environments.find((e) => e.name === key);
    const heading = key ? `${c.bold(key)} ${c.dim(`(${env?.composeFiles.join(' + ') ?? ''})`)}` : c.bold('all environments');
    lines.push(heading, '');
    const list = [...groups.get(key)!].sort((a, b) => severityRank(a.severity) - severityRank(b.severity));
    for (const f of list) {
      const where = c.underline(formatLocation(f.location));
      const svc = f.service ? c.dim(` [${f.service}]`) : '';
      const fixMark = f.fix ? c.green(' [*]') : '';
      lines.push(`  ${paint[f.severity](f.severity.padEnd(8))} ${where}  ${c.dim(f.ruleId)}${svc}${fixMark}`);
      lines.push(...wrap(f.message, 98).map((l) => `    ${l}`));
      if (!opts.quiet) {
        lines.push(...codeFrame(f, ctx, c));
        for (const r of f.related) lines.push(`    ${c.dim('related:')} ${formatLocation(r.location)} ${c.dim(r.message)}`);
        for (const v of f.verify ?? []) lines.push(`    ${c.dim('verify:')} ${v}`);
      }
      lines.push('');
    }
  }
  lines.push(summaryLine(result, c));
  const safe = result.findings.filter((f) => f.fix?.safety === 'safe').length;
  const unsafe = result.findings.filter((f) => f.fix?.safety === 'unsafe').length;
  if (safe || unsafe) lines.push(`[*] ${safe} fixable with \`drydock fix\`${unsafe ? ` (${unsafe} more with \`drydock fix --unsafe\`)` : ''}`);
  return lines.join('\n') + '\n';
}

export function summaryLine(result: AuditResult, c = pc.createColors(false)): string {
  const n = result.findings.length;
  const envs = result.environments.length;
  const envText = `${envs} environment${envs === 1 ? '' : 's'}`;
  const hidden = [result.suppressed ? `${result.suppressed} suppressed` : '', result.baselined ? `${result.baselined} in the baseline` : ''].filter(Boolean).join(', ');
  if (!n) return c.green(`No problems found in ${envText}.`) + (hidden ? c.dim(` (${hidden})`) : '');
  const parts = SEVERITIES.filter((s) => result.summary[s]).map((s) => `${result.summary[s]} ${s}`);
  return `Found ${n} problem${n === 1 ? '' : 's'} (${parts.join(', ')}) in ${envText}.` + (hidden ? ` (${hidden})` : '');
}

function codeFrame(f: Finding, ctx: ReportContext, c: ReturnType<typeof pc.createColors>): string[] {
  const l = f.location;
  const src = ctx.sources.get(l.file);
  if (!src || l.startLine === undefined) return [];
  const first = Math.max(1, l.startLine - 1);
  const last = Math.min(src.lineCount, Math.max(l.startLine, Math.min(l.endLine ?? l.startLine, l.startLine + 2)));
  const width = String(last).length;
  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    const text = src.line(n).replace(/\t/g, '  ');
    const mark = n >= l.startLine && n <= (l.endLine ?? l.startLine) ? c.red('>') : ' ';
    out.push(`    ${mark} ${c.dim(String(n).padStart(width) + ' |')} ${text.length > 160 ? text.slice(0, 157) + '...' : text}`);
  }
  return out;
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(' ')) {
      if (line && line.length + word.length + 1 > width) {
        out.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    out.push(line);
  }
  return out;
}
