/** The reporter registry: each format is a pure function from the result to a string. */
import type { AuditResult } from '../core/result.js';
import type { ReportContext } from './context.js';
import { renderJson } from './json.js';
import { maskSecrets } from './mask.js';
import { renderText } from './text.js';

export const FORMATS = ['text', 'json'] as const;
export type Format = (typeof FORMATS)[number];

export function render(format: Format, result: AuditResult, ctx: ReportContext, secrets: ReadonlySet<string>, opts: { quiet?: boolean } = {}): string {
  const out = format === 'json' ? renderJson(result) : renderText(result, ctx, opts);
  return maskSecrets(out, secrets);
}
