/**
 * smol-toml returns values without positions, so locations are found again in the text: table
 * headers split the file into ranges, and a key or string literal is searched inside its table.
 * Best effort; a value that cannot be found gets the table's header location, or the file.
 */
import type { Location } from '../../core/location.js';
import type { SourceFile } from '../../core/source-file.js';

interface TableRange {
  /** dotted name with quotes and spaces removed: `tool.poetry.group.dev.dependencies` */
  name: string;
  headerStart: number;
  headerEnd: number;
  /** body: from the end of the header line to the next header (or end of file) */
  start: number;
  end: number;
}

const HEADER = /^[ \t]*\[\[?([^\]\n]+?)\]\]?[ \t]*(?:#.*)?$/gm;

export class TomlLocator {
  private readonly tables: TableRange[] = [];
  constructor(readonly source: SourceFile) {
    const text = source.text;
    const found: { name: string; a: number; b: number }[] = [];
    for (let m = HEADER.exec(text); m; m = HEADER.exec(text)) {
      found.push({ name: cleanKey(m[1]!), a: m.index, b: m.index + m[0].length });
    }
    HEADER.lastIndex = 0;
    found.forEach((f, i) => this.tables.push({ name: f.name, headerStart: f.a, headerEnd: f.b, start: f.b, end: found[i + 1]?.a ?? text.length }));
    // the root table (keys before the first header)
    this.tables.unshift({ name: '', headerStart: 0, headerEnd: 0, start: 0, end: found[0]?.a ?? text.length });
  }

  private table(name: string): TableRange | undefined {
    return this.tables.find((t) => t.name === name);
  }

  /** The header of a table, or the file. */
  header(name: string): Location {
    const t = this.table(name);
    return t && t.name ? this.source.location(t.headerStart, t.headerEnd) : { file: this.source.path };
  }

  /** Offset range of `key = ...` inside a table: the key itself. */
  keyRange(table: string, key: string): [number, number] | undefined {
    const t = this.table(table);
    if (!t) return undefined;
    const body = this.source.text.slice(t.start, t.end);
    const re = new RegExp(`^[ \\t]*(["']?)${escapeRe(key)}\\1[ \\t]*=`, 'm');
    const m = re.exec(body);
    if (!m) return undefined;
    const a = t.start + m.index + (m[0].length - m[0].trimStart().length);
    return [a, a + m[1]!.length * 2 + key.length];
  }

  /** The line `key = value` in a table (the key through the end of its first line). */
  keyLoc(table: string, key: string): Location {
    const r = this.keyRange(table, key);
    if (!r) return this.header(table);
    const text = this.source.text;
    let e = text.indexOf('\n', r[0]);
    if (e < 0) e = text.length;
    return this.source.location(r[0], text.slice(r[0], e).replace(/\s+$/, '').length + r[0]);
  }

  /**
   * Locations of the string items of an array `key = [ "a", "b" ]` in a table, in order: one per
   * value, matched by content. Values not found get the key's location.
   */
  arrayStrings(table: string, key: string, values: string[]): Location[] {
    const r = this.keyRange(table, key);
    const t = this.table(table);
    if (!r || !t) return values.map(() => this.keyLoc(table, key));
    const text = this.source.text;
    let cursor = r[1];
    return values.map((v) => {
      for (const q of ['"', "'"]) {
        const lit = q + (q === '"' ? v.replace(/\\/g, '\\\\').replace(/"/g, '\\"') : v) + q;
        const i = text.indexOf(lit, cursor);
        if (i >= 0 && i < t.end) {
          cursor = i + lit.length;
          return this.source.location(i, i + lit.length);
        }
      }
      return this.keyLoc(table, key);
    });
  }
}

function cleanKey(k: string): string {
  return k
    .split('.')
    .map((p) => p.trim().replace(/^(["'])(.*)\1$/, '$2'))
    .join('.');
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
