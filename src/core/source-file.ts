import type { Position, Location } from './location.js';

/** A text file read once by discovery, with an index from offsets to line/column. */
export class SourceFile {
  private lineStarts: number[] | undefined;
  constructor(
    /** path relative to the scanned root, forward slashes */
    readonly path: string,
    readonly text: string,
  ) {}

  private starts(): number[] {
    if (!this.lineStarts) {
      const s = [0];
      const t = this.text;
      for (let i = 0; i < t.length; i++) if (t.charCodeAt(i) === 10) s.push(i + 1);
      this.lineStarts = s;
    }
    return this.lineStarts;
  }

  get lineCount(): number {
    return this.starts().length;
  }

  position(offset: number): Position {
    const s = this.starts();
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - s[lo]! + 1, offset };
  }

  offsetOf(line: number, column: number): number {
    const s = this.starts();
    return (s[line - 1] ?? this.text.length) + column - 1;
  }

  /** The text of a 1-based line without its line ending. */
  line(n: number): string {
    const s = this.starts();
    if (n < 1 || n > s.length) return '';
    const end = n < s.length ? s[n]! - 1 : this.text.length;
    return this.text.slice(s[n - 1], end).replace(/\r$/, '');
  }

  location(startOffset: number, endOffset: number): Location {
    const a = this.position(startOffset);
    const b = this.position(Math.max(startOffset, endOffset));
    return { file: this.path, startLine: a.line, startColumn: a.column, endLine: b.line, endColumn: b.column };
  }

  lineLocation(line: number): Location {
    const text = this.line(line);
    const indent = text.length - text.trimStart().length;
    return { file: this.path, startLine: line, startColumn: indent + 1, endLine: line, endColumn: text.length + 1 };
  }
}
