/** Renderers for `drydock boot`: pure functions of the simulation. */
import pc from 'picocolors';
import { describe, type BootReport } from '../boot/simulate.js';

export function renderBootText(reports: BootReport[], color: boolean): string {
  const c = pc.createColors(color);
  const lines: string[] = [];
  for (const r of reports) {
    lines.push(c.bold(`${r.environment}: docker compose up`), '');
    if (r.rejected) {
      lines.push(`  ${c.red('✗')} rejected before any container starts: ${r.rejected.message}`, `    ${c.dim(`${r.rejected.ruleId} at ${r.rejected.file}${r.rejected.line ? `:${r.rejected.line}` : ''}`)}`, '');
    }
    r.steps.forEach((s, i) => {
      const ok = s.state === 'healthy' || s.state === 'running' || s.state === 'completed';
      const mark = ok ? c.green('✓') : c.red('✗');
      lines.push(`  ${String(i + 1).padStart(2)}. ${mark} ${c.bold(s.service)}: ${describe(s.state)}`);
      if (s.reason) lines.push(`        ${s.reason}`);
      if (s.finding) lines.push(`        ${c.dim(`${s.finding.ruleId} at ${s.finding.file}${s.finding.line ? `:${s.finding.line}` : ''}`)}`);
    });
    lines.push('', r.boots ? c.green(`  boots: every service starts${r.steps.length ? '' : ' (no services)'}`) : c.red(`  stops at ${r.stoppedAt}`), '');
  }
  return lines.join('\n');
}

export function renderBootJson(reports: BootReport[]): string {
  return JSON.stringify({ version: 1, environments: reports }, null, 2) + '\n';
}
