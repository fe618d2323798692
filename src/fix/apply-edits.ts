/**
 * Applying text edits to a file's text. Pure: no I/O. Offsets are string offsets (UTF-16 code
 * units) into the text drydock read, the same string the rules saw.
 *
 * Two edits conflict when their ranges overlap, or when an insertion (an empty range) touches
 * another edit: the order of the two results would be a guess. The edit that comes first in the
 * input wins; the other one is skipped, and the fix loop leaves its finding for a later pass.
 * Identical edits (same file, range and text, as when one defect is reported in several
 * environments) are applied once.
 */
import type { TextEdit } from '../core/finding.js';

export type Eol = '\n' | '\r\n';

/** The file's line ending: CRLF when most of its line breaks are CRLF, otherwise LF. */
export function detectEol(text: string): Eol {
  let crlf = 0;
  let lf = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
    if (i > 0 && text.charCodeAt(i - 1) === 13) crlf++;
    else lf++;
  }
  return crlf > lf ? '\r\n' : '\n';
}

/** Inserted text with the file's line endings (rules write `\n`). */
export function matchEol(text: string, eol: Eol): string {
  return eol === '\r\n' ? text.replace(/\r?\n/g, '\r\n') : text.replace(/\r\n/g, '\n');
}

/** Why an edit cannot apply to a text at all (a rule bug), or null when it can. */
export function invalidEdit(e: TextEdit, textLength: number): string | null {
  if (!Number.isInteger(e.start) || !Number.isInteger(e.end)) return `edit offsets are not integers (${e.start}, ${e.end})`;
  if (e.start < 0 || e.end < e.start || e.end > textLength) return `edit range ${e.start}..${e.end} is outside the file (length ${textLength})`;
  if (typeof e.text !== 'string') return 'edit text is not a string';
  return null;
}

export function sameEdit(a: TextEdit, b: TextEdit): boolean {
  return a.file === b.file && a.start === b.start && a.end === b.end && a.text === b.text;
}

export function editsConflict(a: TextEdit, b: TextEdit): boolean {
  if (a.file !== b.file || sameEdit(a, b)) return false;
  if (a.start < b.end && b.start < a.end) return true;
  const touching = a.start === b.start || a.start === b.end || b.start === a.end;
  return touching && (a.start === a.end || b.start === b.end);
}

/**
 * Accepted edits of one file, kept sorted and free of conflicts. `add` either takes an edit,
 * recognises a duplicate of one it holds, or names the edit it conflicts with.
 */
export class EditSet {
  private readonly sorted: TextEdit[] = [];

  get edits(): readonly TextEdit[] {
    return this.sorted;
  }

  /** Index of the first held edit whose start is >= start. */
  private lowerBound(start: number): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid]!.start < start) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** What adding `e` would do, without adding it. */
  check(e: TextEdit): { ok: true; duplicate: boolean } | { ok: false; conflict: TextEdit } {
    const i = this.lowerBound(e.start);
    // held edits are disjoint and sorted, so only the neighbours (and equal starts) can touch e
    for (let j = Math.max(0, i - 1); j < this.sorted.length; j++) {
      const h = this.sorted[j]!;
      if (h.start > e.end) break;
      if (sameEdit(h, e)) return { ok: true, duplicate: true };
      if (editsConflict(h, e)) return { ok: false, conflict: h };
    }
    return { ok: true, duplicate: false };
  }

  /** Add an edit that `check` accepted (two held edits never share a start: they would conflict). */
  add(e: TextEdit): void {
    this.sorted.splice(this.lowerBound(e.start), 0, e);
  }
}

export interface ApplyResult {
  text: string;
  /** the edits applied, sorted by offset (duplicates once) */
  applied: TextEdit[];
  /** edits dropped because they conflict with an earlier one of the input */
  skipped: { edit: TextEdit; conflict: TextEdit }[];
  /** edits whose range is not inside the text */
  invalid: { edit: TextEdit; reason: string }[];
}

/**
 * Apply edits to one file's text: earlier edits in the input win conflicts, the survivors are
 * applied from the end of the text so offsets stay valid. With `matchLineEndings` (default), line
 * breaks in inserted text follow the file's own (CRLF files stay CRLF).
 */
export function applyEdits(text: string, edits: readonly TextEdit[], options: { matchLineEndings?: boolean } = {}): ApplyResult {
  const set = new EditSet();
  const skipped: ApplyResult['skipped'] = [];
  const invalid: ApplyResult['invalid'] = [];
  for (const e of edits) {
    const why = invalidEdit(e, text.length);
    if (why) {
      invalid.push({ edit: e, reason: why });
      continue;
    }
    const c = set.check(e);
    if (!c.ok) skipped.push({ edit: e, conflict: c.conflict });
    else if (!c.duplicate) set.add(e);
  }
  const applied = [...set.edits];
  return { text: spliceAll(text, applied, options.matchLineEndings ?? true), applied, skipped, invalid };
}

/**
 * Apply sorted, conflict-free edits whose offsets all refer to `text` (the same result as applying
 * them one by one from the end, in one linear pass).
 */
export function spliceAll(text: string, sorted: readonly TextEdit[], matchLineEndings = true): string {
  const eol = detectEol(text);
  const parts: string[] = [];
  let pos = 0;
  for (const e of sorted) {
    parts.push(text.slice(pos, e.start), matchLineEndings ? matchEol(e.text, eol) : e.text);
    pos = e.end;
  }
  parts.push(text.slice(pos));
  return parts.join('');
}
