/**
 * A place in a scanned file. Paths are relative to the scanned root, with forward slashes.
 * Lines and columns are 1-based; the end is inclusive of the last character's column + 1
 * (like an editor selection). A file-level location has no line numbers at all, never a
 * made-up "line 1".
 */
export interface Location {
  file: string;
  startLine?: number;
  startColumn?: number;
  endLine?: number;
  endColumn?: number;
}

export interface Position {
  line: number;
  column: number;
  offset: number;
}

export function fileLocation(file: string): Location {
  return { file };
}

export function spanLocation(file: string, start: Position, end: Position): Location {
  return { file, startLine: start.line, startColumn: start.column, endLine: end.line, endColumn: end.column };
}

export function compareLocations(a: Location, b: Location): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return (a.startLine ?? 0) - (b.startLine ?? 0) || (a.startColumn ?? 0) - (b.startColumn ?? 0);
}

export function formatLocation(l: Location): string {
  if (l.startLine === undefined) return l.file;
  return `${l.file}:${l.startLine}:${l.startColumn ?? 1}`;
}
