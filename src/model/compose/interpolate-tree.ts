/**
 * Compose interpolates every scalar value of each file before merging (KNOWLEDGE.md C12); keys
 * are never interpolated. The interpolated tree keeps each scalar's location, and every `${VAR}`
 * use is recorded with where its value came from.
 */
import type { Location } from '../../core/location.js';
import type { YamlMapNode, YamlNode, YamlScalarNode } from '../../parse/compose/yaml-tree.js';
import { interpolate } from '../../parse/interpolate.js';
import type { InterpolationUse } from '../types.js';

export interface VariableSource {
  value: string;
  from: Location | 'shell';
}

export interface InterpolationResult {
  root: YamlMapNode;
  uses: InterpolationUse[];
  errors: { message: string; loc: Location }[];
}

export function interpolateTree(root: YamlMapNode, lookup: (name: string) => VariableSource | undefined): InterpolationResult {
  const uses: InterpolationUse[] = [];
  const errors: { message: string; loc: Location }[] = [];
  const visit = (n: YamlNode): YamlNode => {
    if (n.kind === 'map') {
      const entries = new Map<string, { keyLoc: Location; value: YamlNode }>();
      for (const [k, e] of n.entries) entries.set(k, { keyLoc: e.keyLoc, value: visit(e.value) });
      return { ...n, entries };
    }
    if (n.kind === 'seq') return { ...n, items: n.items.map(visit) };
    if (typeof n.value !== 'string' || !n.value.includes('$')) return n;
    const r = interpolate(n.value, (name) => lookup(name)?.value);
    for (const u of r.uses) {
      const src = lookup(u.name);
      uses.push({ name: u.name, form: u.form, loc: useLocation(n, u.start, u.end), resolvedFrom: src?.from });
    }
    // `${X:?msg}` unset here is not an error of the file: the deploy shell is expected to set it,
    // and Compose fails loudly if it does not (its uses are recorded with form `required`)
    for (const message of r.errors) if (!message.startsWith('required variable')) errors.push({ message, loc: n.loc });
    return { ...n, value: r.value } satisfies YamlScalarNode;
  };
  return { root: visit(root) as YamlMapNode, uses, errors };
}

/** Point at the `${VAR}` inside a one-line scalar; fall back to the whole scalar otherwise. */
function useLocation(n: YamlScalarNode, start: number, end: number): Location {
  const l = n.loc;
  if (l.startLine === undefined || l.startLine !== l.endLine || l.startColumn === undefined) return l;
  const shift = n.quoted ? 1 : 0;
  return { ...l, startColumn: l.startColumn + shift + start, endColumn: l.startColumn + shift + end };
}
