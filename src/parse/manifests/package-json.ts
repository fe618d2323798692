/**
 * package.json dependencies with positions. Values come from JSON.parse; positions from a small
 * scan of the top-level object (the key of each dependency entry), so a finding can point at
 * `"express": "^4.18.0"` exactly.
 */
import type { Location } from '../../core/location.js';
import type { SourceFile } from '../../core/source-file.js';

export type NpmDepKind = 'dependencies' | 'devDependencies' | 'optionalDependencies' | 'peerDependencies';
export const NPM_DEP_KINDS: readonly NpmDepKind[] = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'];

export interface NpmDependency {
  name: string;
  /** the range as written (`^4.18.0`, `workspace:*`, `file:../x`, a git URL, ...) */
  range: string;
  kind: NpmDepKind;
  /** the `"name": "range"` entry */
  loc: Location;
}

export interface PackageJsonFile {
  path: string;
  name?: string;
  dependencies: NpmDependency[];
  /** `workspaces` is set: the lock's root entry covers several packages */
  workspaces: boolean;
  errors: { message: string; loc: Location }[];
}

export function parsePackageJson(source: SourceFile): PackageJsonFile {
  const res: PackageJsonFile = { path: source.path, dependencies: [], workspaces: false, errors: [] };
  const text = source.text.replace(/^\uFEFF/, '');
  const shift = source.text.length - text.length;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const m = /position (\d+)/.exec(String((e as Error).message));
    const at = m ? Number(m[1]) + shift : undefined;
    res.errors.push({ message: String((e as Error).message), loc: at !== undefined ? source.location(at, at + 1) : { file: source.path } });
    return res;
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    res.errors.push({ message: 'package.json must be an object', loc: { file: source.path } });
    return res;
  }
  const obj = doc as Record<string, unknown>;
  if (typeof obj.name === 'string') res.name = obj.name;
  res.workspaces = obj.workspaces !== undefined;
  const positions = entryPositions(text);
  for (const kind of NPM_DEP_KINDS) {
    const deps = obj[kind];
    if (typeof deps !== 'object' || deps === null || Array.isArray(deps)) continue;
    for (const [name, range] of Object.entries(deps as Record<string, unknown>)) {
      if (typeof range !== 'string') continue;
      const p = positions.get(`${kind}\0${name}`);
      res.dependencies.push({ name, range, kind, loc: p ? source.location(p[0] + shift, p[1] + shift) : { file: source.path } });
    }
  }
  return res;
}

/**
 * Offsets of `"key": value` entries one level inside the top-level object's object values,
 * keyed `${outer}\0${inner}` (last occurrence wins, like JSON.parse).
 */
export function entryPositions(text: string): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  let i = 0;
  const ws = (): void => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const str = (): string => {
    // at a `"`: returns the decoded string and leaves i after the closing quote
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      return text.slice(start + 1, i - 1);
    }
  };
  const skipValue = (): void => {
    ws();
    const c = text[i];
    if (c === '"') {
      str();
      return;
    }
    if (c === '{' || c === '[') {
      let depth = 0;
      while (i < text.length) {
        const d = text[i]!;
        if (d === '"') {
          str();
          continue;
        }
        if (d === '{' || d === '[') depth++;
        else if (d === '}' || d === ']') {
          depth--;
          if (depth === 0) {
            i++;
            return;
          }
        }
        i++;
      }
      return;
    }
    while (i < text.length && !/[,}\]\s]/.test(text[i]!)) i++;
  };
  const object = (visit: (key: string, keyStart: number) => void): void => {
    ws();
    if (text[i] !== '{') {
      skipValue();
      return;
    }
    i++;
    for (;;) {
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      if (text[i] !== '"') return;
      const keyStart = i;
      const key = str();
      ws();
      if (text[i] !== ':') return;
      i++;
      visit(key, keyStart);
      ws();
      if (text[i] === ',') i++;
      if (i >= text.length) return;
    }
  };
  object((outer) => {
    ws();
    if (text[i] !== '{') {
      skipValue();
      return;
    }
    object((inner, keyStart) => {
      skipValue();
      out.set(`${outer}\0${inner}`, [keyStart, i]);
    });
  });
  return out;
}
