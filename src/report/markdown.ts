/**
 * The release-readiness report, to paste into a pull request: a summary table per environment,
 * the blockers (critical, then high) with what breaks, where, why, the fix and how to verify it,
 * the other findings, an ordered action plan, a development-versus-production comparison and a
 * verification checklist. Also exports `fixDiff`, the fix-as-diff model the HTML report reuses.
 */
import type { Finding, Fix } from '../core/finding.js';
import type { Location } from '../core/location.js';
import type { AuditResult } from '../core/result.js';
import { SEVERITIES, severityRank, type Severity } from '../core/severity.js';
import type { SourceFile } from '../core/source-file.js';
import { isProductionEnvironment, ruleMetaFor, type ReportContext } from './context.js';
import { summaryLine } from './text.js';

// ------------------------------------------------------------------ extension point

/**
 * EXTENSION POINT (environment-variable mapping issue): one row of the table "variable → setting
 * path → where it is set". The mapping itself is computed elsewhere; this reporter only renders
 * the rows it is given. Values are never part of a row: the table says where, not what.
 */
export interface EnvTableRow {
  /** the environment variable, e.g. `DATABASE_URL` */
  variable: string;
  /** the application setting it feeds, e.g. `app/settings.py: Settings.database_url` */
  setting?: string;
  /** per environment name: where the variable is set (a file location, the shell), or absent */
  setIn: Record<string, Location | 'shell' | undefined>;
}

export interface MarkdownExtras {
  /** EXTENSION POINT: rendered as "Environment variables" when given and not empty */
  envTable?: EnvTableRow[];
}

// ------------------------------------------------------------------ report

const BLOCKING: readonly Severity[] = ['critical', 'high'];
const isBlocker = (f: Finding): boolean => BLOCKING.includes(f.severity);
const SHARED = 'all environments (shared files)';

export function renderMarkdown(result: AuditResult, ctx: ReportContext, extras?: MarkdownExtras): string {
  const out: string[] = [];
  const bySeverity = stableSort(result.findings, (a, b) => severityRank(a.severity) - severityRank(b.severity));
  const blockers = bySeverity.filter(isBlocker);
  const others = bySeverity.filter((f) => !isBlocker(f));
  const envs = result.environments;

  out.push('# drydock release readiness', '');
  if (blockers.length) {
    const parts = BLOCKING.filter((s) => result.summary[s]).map((s) => `${result.summary[s]} ${s}`);
    out.push(`> **Not ready to ship:** ${blockers.length} blocker${blockers.length === 1 ? '' : 's'} (${parts.join(', ')}) must be fixed first.`);
  } else out.push(`> **Ready to ship:** no critical or high findings${result.findings.length ? `; ${result.findings.length} lower-severity finding${result.findings.length === 1 ? '' : 's'} below` : ''}.`);
  out.push('', summaryLine(result), '');

  // summary table
  out.push('## Summary', '');
  out.push(`| Environment | Compose files | ${SEVERITIES.map(cap).join(' | ')} | Blockers |`);
  out.push(`|---|---|${SEVERITIES.map(() => '--:').join('|')}|:-:|`);
  const rows: { label: string; files: string; list: Finding[] }[] = envs.map((e) => ({
    label: `${tcode(e.name)}${isProductionEnvironment(ctx, e.name) ? ' (production)' : ''}`,
    files: e.composeFiles.map(tcode).join(' + ') || '—',
    list: result.findings.filter((f) => f.environment === e.name),
  }));
  const shared = result.findings.filter((f) => f.environment === undefined || !envs.some((e) => e.name === f.environment));
  if (shared.length) rows.push({ label: SHARED, files: '—', list: shared });
  for (const r of rows) {
    const counts = SEVERITIES.map((s) => String(r.list.filter((f) => f.severity === s).length));
    out.push(`| ${r.label} | ${r.files} | ${counts.join(' | ')} | ${r.list.some(isBlocker) ? '**yes**' : 'no'} |`);
  }
  if (!envs.length) out.push('', '_No compose environment was found._');
  if (result.suppressed) out.push('', `_${result.suppressed} finding${result.suppressed === 1 ? ' was' : 's were'} suppressed by \`drydock-ignore\` comments or config ignores._`);
  out.push('');

  // blockers
  out.push('## Blockers', '');
  if (!blockers.length) out.push('None: nothing critical or high.', '');
  const firstOfRule = new Map<string, number>();
  blockers.forEach((f, i) => {
    out.push(...blockerSection(f, i + 1, firstOfRule.get(f.ruleId), result, ctx));
    if (!firstOfRule.has(f.ruleId)) firstOfRule.set(f.ruleId, i + 1);
  });

  // other findings
  if (others.length) {
    out.push('## Other findings', '');
    for (const f of others) {
      const env = f.environment ? ` in ${code(f.environment)}` : '';
      out.push(`- **${f.severity}** ${code(f.ruleId)}${env}: ${where(f.location)}${f.service ? ` (service ${code(f.service)})` : ''}. ${md(f.message)}`);
    }
    out.push('');
  }

  // action plan
  const plan = actionPlan(result.findings);
  if (plan.length) {
    out.push('## Action plan', '');
    plan.forEach((g, i) => {
      const meta = ruleMetaFor(ctx, g.ruleId);
      const worst = g.findings[0]!.severity;
      const envNames = unique(g.findings.map((f) => (f.environment === undefined ? 'shared files' : code(f.environment))));
      const title = meta?.title ?? ctx.ruleTitle(g.ruleId);
      const head = `${i + 1}. **${g.findings.some(isBlocker) ? 'Blocker' : cap(worst)}: ${code(g.ruleId)}**${title ? ` (${md(title)})` : ''}`;
      const count = `${g.findings.length} finding${g.findings.length === 1 ? '' : 's'} in ${envNames.join(', ')}: ${unique(g.findings.map((f) => where(f.location))).join(', ')}.`;
      const autofix = g.findings.some((f) => f.fix?.safety === 'safe') ? ' Autofix: `drydock fix`.' : g.findings.some((f) => f.fix?.safety === 'unsafe') ? ' Autofix: `drydock fix --unsafe` (review the diff).' : '';
      out.push(`${head}: ${count}`);
      if (meta?.docs.fix) out.push(`   ${md(meta.docs.fix)}${autofix}`);
      else if (autofix) out.push(`  ${autofix}`);
    });
    out.push('');
  }

  // extension point: environment-variable mapping
  if (extras?.envTable?.length) out.push(...envTableSection(extras.envTable, result), '');

  // development versus production
  const comparison = devProdComparison(result, ctx);
  if (comparison.length) out.push(...comparison, '');

  // verification checklist
  const checks = unique(plan.flatMap((g) => g.findings.flatMap((f) => verifyCommands(f, result, ctx))));
  out.push('## Verification checklist', '');
  for (const c of checks) out.push(`- [ ] ${code(c)}`);
  out.push(`- [ ] ${code('drydock scan --fail-on high')} reports no blocker`);
  return out.join('\n') + '\n';
}

/** One blocker; `seen` is the number of an earlier blocker of the same rule (its docs are not repeated). */
function blockerSection(f: Finding, n: number, seen: number | undefined, result: AuditResult, ctx: ReportContext): string[] {
  const meta = ruleMetaFor(ctx, f.ruleId);
  const title = meta?.title ?? ctx.ruleTitle(f.ruleId);
  const out: string[] = [];
  out.push(`### ${n}. ${cap(f.severity)}: ${code(f.ruleId)}${f.environment ? ` in ${code(f.environment)}` : ''}`, '');
  if (title) out.push(`_${md(title)}_`, '');
  out.push(`**What breaks:** ${md(f.message)}`, '');
  out.push(`**Where:** ${where(f.location)}${f.service ? `, service ${code(f.service)}` : ''}${f.environment ? `, environment ${code(f.environment)}` : ', every environment'}`);
  for (const r of f.related) out.push(`- related: ${where(r.location)}: ${md(r.message)}`);
  out.push('');
  if (meta?.docs.why) out.push(seen ? `**Why:** as in blocker ${seen}.` : `**Why:** ${md(meta.docs.why)}`, '');
  if (f.fix) {
    out.push(`**Fix:** ${md(f.fix.description)} (${safetyText(f.fix)})`, '');
    const diff = renderDiff(fixDiff(f.fix, ctx.sources));
    if (diff) out.push(...fence(diff, 'diff'), '');
    for (const d of f.fix.createDirectories ?? []) out.push(`- creates directory ${code(d)}`);
    if (f.fix.createDirectories?.length) out.push('');
  } else if (meta?.docs.fix) out.push(seen ? `**Fix:** as in blocker ${seen}.` : `**Fix:** ${md(meta.docs.fix)}`, '');
  const verify = verifyCommands(f, result, ctx);
  if (verify.length) out.push('**Verify:**', '', ...fence(verify.join('\n'), 'sh'), '');
  return out;
}

interface PlanGroup {
  ruleId: string;
  findings: Finding[];
}

/** Findings grouped by rule; groups ordered by their worst severity, then rule id. */
function actionPlan(findings: readonly Finding[]): PlanGroup[] {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) groups.set(f.ruleId, [...(groups.get(f.ruleId) ?? []), f]);
  const list = [...groups].map(([ruleId, fs]) => ({ ruleId, findings: stableSort(fs, (a, b) => severityRank(a.severity) - severityRank(b.severity)) }));
  return list.sort((a, b) => severityRank(a.findings[0]!.severity) - severityRank(b.findings[0]!.severity) || cmp(a.ruleId, b.ruleId));
}

function devProdComparison(result: AuditResult, ctx: ReportContext): string[] {
  const envs = result.environments.map((e) => e.name);
  const prod = envs.filter((e) => isProductionEnvironment(ctx, e));
  const dev = envs.filter((e) => !isProductionEnvironment(ctx, e));
  if (!prod.length || !dev.length) return [];
  const cols = [...dev, ...prod];
  const scoped = result.findings.filter((f) => f.environment !== undefined && cols.includes(f.environment));
  const out = ['## Development versus production', ''];
  if (!scoped.length) return [...out, 'No environment-specific findings: development and production behave alike as far as drydock can tell.'];
  out.push(`| Rule | ${cols.map((c) => `${tcode(c)}${prod.includes(c) ? ' (prod)' : ''}`).join(' | ')} | Present in |`);
  out.push(`|---|${cols.map(() => ':-:').join('|')}|---|`);
  for (const g of actionPlan(scoped)) {
    const inEnv = cols.map((c) => g.findings.filter((f) => f.environment === c).length);
    const inProd = prod.some((c) => inEnv[cols.indexOf(c)]);
    const inDev = dev.some((c) => inEnv[cols.indexOf(c)]);
    const where = inProd && inDev ? 'development and production' : inProd ? '**production only**' : 'development only';
    out.push(`| ${tcode(g.ruleId)} (${g.findings[0]!.severity}) | ${inEnv.map((n) => (n ? `${n}` : '—')).join(' | ')} | ${where} |`);
  }
  const shared = result.findings.filter((f) => f.environment === undefined).length;
  if (shared) out.push('', `_${shared} finding${shared === 1 ? '' : 's'} in shared files (no environment) appl${shared === 1 ? 'ies' : 'y'} to every environment._`);
  return out;
}

function envTableSection(rows: EnvTableRow[], result: AuditResult): string[] {
  const envs = result.environments.map((e) => e.name);
  const out = ['## Environment variables', ''];
  out.push(`| Variable | Setting | ${envs.map(tcode).join(' | ')} |`);
  out.push(`|---|---|${envs.map(() => '---').join('|')}|`);
  for (const r of [...rows].sort((a, b) => cmp(a.variable, b.variable))) {
    const cells = envs.map((e) => {
      const at = r.setIn[e];
      return at === undefined ? '**not set**' : at === 'shell' ? 'shell environment' : where(at).replace(/\|/g, '\\|');
    });
    out.push(`| ${tcode(r.variable)} | ${r.setting ? cell(r.setting) : '—'} | ${cells.join(' | ')} |`);
  }
  return out;
}

/** The finding's own verify commands, else the rule's, with `<files>` filled for its environment. */
export function verifyCommands(f: Finding, result: AuditResult, ctx: ReportContext): string[] {
  if (f.verify?.length) return f.verify;
  const docs = ruleMetaFor(ctx, f.ruleId)?.docs.verify;
  if (!docs) return [];
  const env = result.environments.find((e) => e.name === f.environment);
  const text = env?.composeFiles.length ? docs.replace(/-f <files>/g, env.composeFiles.map((c) => `-f ${shellWord(c)}`).join(' ')) : docs;
  return text.split('\n').map((l) => l.trim()).filter(Boolean);
}

function safetyText(fix: Fix): string {
  if (fix.safety === 'safe') return 'safe autofix: `drydock fix`';
  if (fix.safety === 'unsafe') return 'autofix that may change behaviour: `drydock fix --unsafe`';
  return 'suggested change, apply it by hand';
}

// ------------------------------------------------------------------ fix → diff

export interface DiffLine {
  kind: ' ' | '-' | '+';
  text: string;
}

export interface DiffHunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  lines: DiffLine[];
}

export interface FileDiff {
  file: string;
  /** the file does not exist yet (not among the scanned sources) */
  created: boolean;
  hunks: DiffHunk[];
}

/** A fix's edits as unified-diff hunks per file (one line of context), in file order. */
export function fixDiff(fix: Fix, sources: ReadonlyMap<string, SourceFile>): FileDiff[] {
  const files = unique(fix.edits.map((e) => e.file)).sort(cmp);
  return files.map((file) => {
    const src = sources.get(file);
    const text = src?.text ?? '';
    const edits = fix.edits.filter((e) => e.file === file).sort((a, b) => a.start - b.start || a.end - b.end);
    const starts = lineStarts(text);
    const lineOf = (offset: number): number => {
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid]! <= offset) lo = mid;
        else hi = mid - 1;
      }
      return lo + 1;
    };
    const lineEnd = (line: number): number => (line < starts.length ? starts[line]! - 1 : text.length);
    // group edits whose line ranges touch, dropping overlapping edits (the fix engine does the same)
    const groups: { a: number; b: number; edits: typeof edits }[] = [];
    let lastEnd = -1;
    for (const e of edits) {
      if (e.start < lastEnd) continue;
      lastEnd = Math.max(e.end, e.start);
      const a = lineOf(e.start);
      const b = e.end > e.start ? lineOf(e.end - 1) : a;
      const g = groups[groups.length - 1];
      if (g && a <= g.b + 1) {
        g.b = Math.max(g.b, b);
        g.edits.push(e);
      } else groups.push({ a, b, edits: [e] });
    }
    const hunks: DiffHunk[] = [];
    let delta = 0;
    for (const g of groups) {
      const segStart = starts[g.a - 1] ?? 0;
      const segEnd = Math.max(lineEnd(g.b), ...g.edits.map((e) => e.end));
      let applied = '';
      let pos = segStart;
      for (const e of g.edits) {
        applied += text.slice(pos, e.start) + e.text;
        pos = e.end;
      }
      applied += text.slice(pos, segEnd);
      const oldLines = text ? splitLines(text.slice(segStart, segEnd)) : [];
      const newLines = splitLines(applied);
      const lines: DiffLine[] = [];
      let pre = 0;
      while (pre < oldLines.length && pre < newLines.length && oldLines[pre] === newLines[pre]) pre++;
      let post = 0;
      while (post < oldLines.length - pre && post < newLines.length - pre && oldLines[oldLines.length - 1 - post] === newLines[newLines.length - 1 - post]) post++;
      const before = src && g.a > 1 ? [src.line(g.a - 1)] : [];
      const lastOld = g.a + oldLines.length - 1;
      const after = src && lastOld < src.lineCount && oldLines.length ? [src.line(lastOld + 1)] : [];
      for (const t of before) lines.push({ kind: ' ', text: t });
      for (const t of oldLines.slice(0, pre)) lines.push({ kind: ' ', text: t });
      for (const t of oldLines.slice(pre, oldLines.length - post)) lines.push({ kind: '-', text: t });
      for (const t of newLines.slice(pre, newLines.length - post)) lines.push({ kind: '+', text: t });
      for (const t of oldLines.slice(oldLines.length - post)) lines.push({ kind: ' ', text: t });
      for (const t of after) lines.push({ kind: ' ', text: t });
      const oldCount = lines.filter((l) => l.kind !== '+').length;
      const newCount = lines.filter((l) => l.kind !== '-').length;
      const oldStart = oldLines.length ? g.a - before.length : 0;
      hunks.push({ oldStart, oldLines: oldCount, newStart: Math.max(oldStart, 1) + delta, newLines: newCount, lines });
      delta += newCount - oldCount;
    }
    return { file, created: !src, hunks };
  });
}

/** A unified diff, as `git diff` prints it (without the `diff --git` line). */
export function renderDiff(files: FileDiff[]): string {
  const out: string[] = [];
  for (const f of files) {
    out.push(f.created ? '--- /dev/null' : `--- a/${f.file}`, `+++ b/${f.file}`);
    for (const h of f.hunks) {
      out.push(`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`);
      for (const l of h.lines) out.push(`${l.kind}${l.text}`);
    }
  }
  return out.join('\n');
}

function lineStarts(text: string): number[] {
  const s = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) s.push(i + 1);
  return s;
}

function splitLines(s: string): string[] {
  if (!s) return [];
  const lines = s.split('\n').map((l) => l.replace(/\r$/, ''));
  if (s.endsWith('\n')) lines.pop();
  return lines;
}

// ------------------------------------------------------------------ markdown text helpers

/** `file:line` linked to the file (relative path, GitHub line anchor). */
export function where(l: Location): string {
  const href = l.file.split('/').map(encodeURIComponent).join('/');
  if (l.startLine === undefined) return `[${linkText(l.file)}](${href})`;
  const end = l.endLine !== undefined && l.endLine > l.startLine ? `-L${l.endLine}` : '';
  return `[${linkText(`${l.file}:${l.startLine}`)}](${href}#L${l.startLine}${end})`;
}

/**
 * Prose from messages and rule docs: their backtick spans are kept, and outside them `<`/`>`
 * become entities so that a placeholder like `<files>` is not taken for an HTML tag.
 */
function md(s: string): string {
  return s
    .split(/(`+[^`]*`+)/)
    .map((part, i) => (i % 2 ? part : part.replace(/&(?=[a-z#][a-z0-9]*;)/gi, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')))
    .join('')
    .replace(/\r?\n/g, ' ');
}

function cell(s: string): string {
  return md(s).replace(/\|/g, '\\|');
}

function linkText(s: string): string {
  return s.replace(/([\\[\]])/g, '\\$1');
}

/** Inline code that survives backticks in the text (CommonMark: a longer backtick run). */
function code(s: string): string {
  const runs = s.match(/`+/g) ?? [];
  const ticks = '`'.repeat(Math.max(0, ...runs.map((r) => r.length)) + 1);
  const pad = s.startsWith('`') || s.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${s}${pad}${ticks}`;
}

/** Inline code inside a table cell: GFM needs `\|` for a pipe even within code. */
function tcode(s: string): string {
  return code(s).replace(/\|/g, '\\|');
}

function fence(body: string, lang: string): string[] {
  const runs = body.match(/`{3,}/g) ?? [];
  const ticks = '`'.repeat(Math.max(2, ...runs.map((r) => r.length)) + 1);
  return [`${ticks}${lang}`, body, ticks];
}

function shellWord(s: string): string {
  return /^[\w./@%+=:,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

function stableSort<T>(xs: readonly T[], by: (a: T, b: T) => number): T[] {
  return xs.map((x, i) => [x, i] as const).sort((a, b) => by(a[0], b[0]) || a[1] - b[1]).map(([x]) => x);
}
