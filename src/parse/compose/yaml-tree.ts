/**
 * Compose YAML to a small located tree. Every node keeps its exact range, so the model can
 * merge overlays and interpolate values while each value still knows the file and line it came
 * from. Anchors, aliases and `<<` merge keys are resolved here; Compose's `!reset`/`!override`
 * tags are kept on the node; integers follow Go's rules (`0440` is octal), as compose-go does.
 */
import YAML, { LineCounter, isAlias, isMap, isScalar, isSeq, type Document, type Node, type ScalarTag } from 'yaml';
import type { Location } from '../../core/location.js';

export type YamlScalar = string | number | boolean | null;

interface Base {
  loc: Location;
  /** `!reset` or `!override` when the node carries that Compose tag */
  tag?: '!reset' | '!override';
}
export interface YamlMapNode extends Base {
  kind: 'map';
  entries: Map<string, { keyLoc: Location; value: YamlNode }>;
}
export interface YamlSeqNode extends Base {
  kind: 'seq';
  items: YamlNode[];
}
export interface YamlScalarNode extends Base {
  kind: 'scalar';
  value: YamlScalar;
  /** the source text form: plain, or quoted (quoted scalars are always strings) */
  quoted: boolean;
  /** where the scalar's text starts and ends, as offsets in the file (for fixes) */
  range: [number, number];
  /** the value came from a `KEY=value` list item: range covers only the value part */
  inList?: boolean;
  /** values of the same key in earlier compose files that this one replaced, earliest first */
  previous?: YamlScalarNode[];
}
export type YamlNode = YamlMapNode | YamlSeqNode | YamlScalarNode;

export interface YamlParseError {
  message: string;
  loc: Location;
}

export interface YamlParseResult {
  root: YamlNode | null;
  errors: YamlParseError[];
}

const goOctal: ScalarTag = {
  identify: (v) => typeof v === 'number',
  default: true,
  tag: 'tag:yaml.org,2002:int',
  format: 'OCT',
  test: /^[-+]?0[0-7_]+$/,
  resolve: (s: string) => parseInt(s.replace(/_/g, ''), 8),
};

const composeTags = (['seq', 'map', undefined] as const).flatMap((collection) =>
  ['!reset', '!override'].map((tag) => ({ tag, collection, resolve: (v: unknown) => v })),
);

/** Bounds that keep hostile input (deep nesting, alias bombs) from exhausting the process. */
const MAX_DEPTH = 200;
const MAX_NODES = 200_000;

export function parseYaml(file: string, text: string): YamlParseResult {
  const lc = new LineCounter();
  const loc = (range: readonly number[] | null | undefined): Location => {
    if (!range) return { file };
    const a = lc.linePos(range[0]!);
    const b = lc.linePos(Math.max(range[0]!, range[1] ?? range[0]!));
    return { file, startLine: a.line, startColumn: a.col, endLine: b.line, endColumn: b.col };
  };
  let doc: Document;
  try {
    // the yaml package skips a leading BOM itself and keeps offsets in the original text
    doc = YAML.parseDocument(text, {
      lineCounter: lc,
      merge: true,
      uniqueKeys: true,
      prettyErrors: false,
      customTags: (tags) => [goOctal, ...tags, ...(composeTags as never[])],
    });
  } catch (e) {
    return { root: null, errors: [{ message: (e as Error).message, loc: { file } }] };
  }
  const errors: YamlParseError[] = doc.errors.map((e) => ({
    message: e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''),
    loc: loc(e.pos),
  }));
  if (errors.length) return { root: null, errors };
  let count = 0;
  const convert = (n: unknown, depth: number, aliasDepth: number): YamlNode | null => {
    if (++count > MAX_NODES) throw new LimitError('YAML document expands to too many nodes (alias bomb?)');
    if (depth > MAX_DEPTH) throw new LimitError(`YAML nesting deeper than ${MAX_DEPTH} levels`);
    if (isAlias(n)) {
      if (aliasDepth > 50) throw new LimitError('YAML aliases nested too deeply');
      return convert(n.resolve(doc), depth + 1, aliasDepth + 1);
    }
    if (n === null || n === undefined) return null;
    const node = n as Node;
    const tag = node.tag === '!reset' || node.tag === '!override' ? node.tag : undefined;
    if (isMap(node)) {
      const entries = new Map<string, { keyLoc: Location; value: YamlNode }>();
      const merged: YamlMapNode[] = [];
      for (const pair of node.items) {
        const k = pair.key as Node | null;
        if (isScalar(k) && typeof k.value === 'symbol') {
          const v = isAlias(pair.value) ? convert(pair.value, depth + 1, aliasDepth) : convert(pair.value, depth + 1, aliasDepth);
          if (v?.kind === 'map') merged.push(v);
          else if (v?.kind === 'seq') for (const it of v.items) if (it.kind === 'map') merged.push(it);
          continue;
        }
        const keyText = isScalar(k) ? String(k.value) : k ? String(k) : '';
        const value = convert(pair.value, depth + 1, aliasDepth) ?? nullScalar(loc((k as Node | null)?.range), pair.value);
        entries.set(keyText, { keyLoc: loc((k as Node | null)?.range), value });
      }
      // explicit keys win over merged ones; earlier merge sources win over later ones
      for (const m of merged) for (const [k, e] of m.entries) if (!entries.has(k)) entries.set(k, e);
      return { kind: 'map', entries, loc: loc(node.range), tag };
    }
    if (isSeq(node)) {
      const items: YamlNode[] = [];
      for (const it of node.items) {
        const c = convert(it, depth + 1, aliasDepth);
        if (c) items.push(c);
      }
      return { kind: 'seq', items, loc: loc(node.range), tag };
    }
    if (isScalar(node)) {
      let value = node.value as unknown;
      if (typeof value === 'bigint') value = Number(value);
      if (value !== null && typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') value = String(value);
      const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
      const range: [number, number] = node.range ? [node.range[0], node.range[1]] : [0, 0];
      return { kind: 'scalar', value: value as YamlScalar, quoted, range, loc: loc(node.range), tag };
    }
    return null;
  };
  try {
    return { root: convert(doc.contents, 0, 0), errors: [] };
  } catch (e) {
    if (e instanceof LimitError || e instanceof RangeError) return { root: null, errors: [{ message: e.message, loc: { file } }] };
    throw e;
  }
}

function nullScalar(keyLoc: Location, _v: unknown): YamlScalarNode {
  return { kind: 'scalar', value: null, quoted: false, range: [0, 0], loc: keyLoc };
}

class LimitError extends Error {}

/** Helpers for reading a located tree without repeated kind checks. */
export function mapGet(n: YamlNode | undefined | null, key: string): YamlNode | undefined {
  return n?.kind === 'map' ? n.entries.get(key)?.value : undefined;
}

export function scalarText(n: YamlNode | undefined | null): string | undefined {
  if (n?.kind !== 'scalar' || n.value === null) return undefined;
  return String(n.value);
}
