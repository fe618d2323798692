/** The reporter registry: each format is a pure function from the result to a string. */
import type { AuditResult } from '../core/result.js';
import type { ReportContext } from './context.js';
import { renderGithub } from './github.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderMarkdown, type MarkdownExtras } from './markdown.js';
import { maskSecrets } from './mask.js';
import { renderSarif } from './sarif.js';
import { renderText } from './text.js';

export const FORMATS = ['text', 'json', 'markdown', 'sarif', 'html', 'github'] as const;
export type Format = (typeof FORMATS)[number];

export interface RenderOptions {
  /** text: findings only, no code frames */
  quiet?: boolean;
  /** markdown: extra sections (the environment-variable table) */
  markdown?: MarkdownExtras;
}

/** Render one format, then mask every secret value in the final string, whatever the format. */
export function render(format: Format, result: AuditResult, ctx: ReportContext, secrets: ReadonlySet<string>, opts: RenderOptions = {}): string {
  const out = renderUnmasked(format, result, ctx, opts);
  // JSON formats are masked string by string, so masking can never break the JSON syntax
  return format === 'json' || format === 'sarif' ? maskJson(out, secrets) : maskSecrets(out, secrets);
}

function maskJson(text: string, secrets: ReadonlySet<string>): string {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return maskSecrets(v, secrets);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return JSON.stringify(walk(JSON.parse(text)), null, 2) + '\n';
}

function renderUnmasked(format: Format, result: AuditResult, ctx: ReportContext, opts: RenderOptions): string {
  switch (format) {
    case 'text':
      return renderText(result, ctx, opts);
    case 'json':
      return renderJson(result);
    case 'markdown':
      return renderMarkdown(result, ctx, opts.markdown);
    case 'sarif':
      return renderSarif(result, ctx);
    case 'html':
      return renderHtml(result, ctx);
    case 'github':
      return renderGithub(result, ctx);
  }
}
