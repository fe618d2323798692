/**
 * SARIF 2.1.0 for GitHub code scanning and other SARIF viewers, written by hand and typed with
 * `@types/sarif` (DEPENDENCIES.md §7). Validated against the official schema in the tests.
 *
 * - `tool.driver.rules` lists the rules that have results, sorted by id; results point at them
 *   with `ruleIndex`.
 * - Levels: critical/high → error, medium → warning, low/info → note.
 * - `security-severity` (GitHub's 0–10 score, a string) on `secrets/*` and other security rules.
 * - Paths stay relative to the scanned root (`uriBaseId: SRCROOT`); no absolute path, no time
 *   stamp, so the output is deterministic.
 */
import type { Fix as SarifFix, Location as SarifLocation, Log, PhysicalLocation, ReportingDescriptor, Result } from 'sarif';
import type { Finding, Fix } from '../core/finding.js';
import type { Location } from '../core/location.js';
import type { AuditResult } from '../core/result.js';
import type { Severity } from '../core/severity.js';
import { ruleCategory, type RuleMeta } from '../rules/define-rule.js';
import { ruleMetaFor, type ReportContext } from './context.js';

/** The schema a SARIF consumer validates against. (No `informationUri`: drydock has no public home page yet.) */
export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
const FINGERPRINT_KEY = 'drydockFingerprint/v1';

const LEVEL: Record<Severity, Result.level> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' };
export const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '1.0' };

/** Rules outside `secrets/*` whose findings are security problems. */
const SECURITY_RULES = new Set(['image/runs-as-root', 'env/insecure-default', 'env/production-guard', 'runtime/dev-server']);

export function isSecurityRule(id: string): boolean {
  return ruleCategory(id) === 'secrets' || SECURITY_RULES.has(id);
}

export function renderSarif(result: AuditResult, ctx: ReportContext): string {
  const ids = [...new Set(result.findings.map((f) => f.ruleId))].sort();
  const index = new Map(ids.map((id, i) => [id, i]));
  const rules = ids.map((id) => descriptor(id, ruleMetaFor(ctx, id), ctx));
  const results = result.findings.map((f) => toResult(f, index.get(f.ruleId)!));
  const log: Log = {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: result.tool.name, version: result.tool.version, semanticVersion: result.tool.version, rules } },
        originalUriBaseIds: { SRCROOT: { description: { text: 'The root of the scanned repository.' } } },
        columnKind: 'utf16CodeUnits',
        results,
        properties: { environments: result.environments.map((e) => e.name), suppressed: result.suppressed },
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}

function descriptor(id: string, meta: RuleMeta | undefined, ctx: ReportContext): ReportingDescriptor {
  const title = meta?.title ?? ctx.ruleTitle(id) ?? id;
  const d: ReportingDescriptor = { id, name: pascal(id), shortDescription: { text: title } };
  if (meta) {
    const docs = meta.docs;
    d.fullDescription = { text: docs.summary };
    d.help = { text: helpText(meta), markdown: helpMarkdown(meta) };
    if (docs.references[0]) d.helpUri = docs.references[0].url;
    d.defaultConfiguration = { level: LEVEL[meta.severity] };
  }
  const security = isSecurityRule(id);
  d.properties = {
    tags: security ? [ruleCategory(id), 'security'] : [ruleCategory(id)],
    ...(meta ? { severity: meta.severity, fixable: meta.fixable } : {}),
    ...(security ? { 'security-severity': SECURITY_SEVERITY[meta?.severity ?? 'high'], precision: 'high' } : {}),
  };
  return d;
}

function helpText(meta: RuleMeta): string {
  const d = meta.docs;
  const refs = d.references.map((r) => `- ${r.title}: ${r.url}`).join('\n');
  return `${d.summary}\n\nWhy: ${d.why}\n\nFix: ${d.fix}\n\nVerify: ${d.verify}${refs ? `\n\nReferences:\n${refs}` : ''}`;
}

function helpMarkdown(meta: RuleMeta): string {
  const d = meta.docs;
  const refs = d.references.map((r) => `- [${r.title.replace(/([[\]])/g, '\\$1')}](${r.url})`).join('\n');
  return `${d.summary}\n\n**Why:** ${d.why}\n\n**Fix:** ${d.fix}\n\n**Verify:**\n\n\`\`\`sh\n${d.verify}\n\`\`\`${refs ? `\n\n**References:**\n\n${refs}` : ''}`;
}

function toResult(f: Finding, ruleIndex: number): Result {
  const r: Result = {
    ruleId: f.ruleId,
    ruleIndex,
    level: LEVEL[f.severity],
    message: { text: f.message },
    locations: [location(f.location)],
    partialFingerprints: { [FINGERPRINT_KEY]: f.fingerprint },
  };
  if (f.related.length) r.relatedLocations = f.related.map((rel, i) => ({ ...location(rel.location), id: i + 1, message: { text: rel.message } }));
  if (f.fix) r.fixes = [sarifFix(f.fix)];
  r.properties = {
    severity: f.severity,
    ...(f.environment !== undefined ? { environment: f.environment } : {}),
    ...(f.service !== undefined ? { service: f.service } : {}),
    ...(f.verify?.length ? { verify: f.verify } : {}),
  };
  return r;
}

function location(l: Location): SarifLocation {
  const physical: PhysicalLocation = { artifactLocation: { uri: uri(l.file), uriBaseId: 'SRCROOT' } };
  if (l.startLine !== undefined) {
    physical.region = {
      startLine: l.startLine,
      ...(l.startColumn !== undefined ? { startColumn: l.startColumn } : {}),
      ...(l.endLine !== undefined ? { endLine: l.endLine } : {}),
      ...(l.endColumn !== undefined ? { endColumn: l.endColumn } : {}),
    };
  }
  return { physicalLocation: physical };
}

/** Edits as SARIF replacements: character offsets, which SARIF counts like our UTF-16 offsets. */
function sarifFix(fix: Fix): SarifFix {
  const files = [...new Set(fix.edits.map((e) => e.file))].sort();
  return {
    description: { text: `${fix.description} (${fix.safety})` },
    artifactChanges: files.map((file) => ({
      artifactLocation: { uri: uri(file), uriBaseId: 'SRCROOT' },
      replacements: fix.edits
        .filter((e) => e.file === file)
        .sort((a, b) => a.start - b.start)
        .map((e) => ({ deletedRegion: { charOffset: e.start, charLength: Math.max(0, e.end - e.start) }, ...(e.text ? { insertedContent: { text: e.text } } : {}) })),
    })),
  };
}

/** A relative path as a URI reference: each segment percent-encoded. */
function uri(file: string): string {
  return file.split('/').map(encodeURIComponent).join('/');
}

/** `compose/depends-on-invalid` → `ComposeDependsOnInvalid` (SARIF `name` is an identifier). */
function pascal(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}
