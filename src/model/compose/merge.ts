/**
 * Compose's merge rules for `-f a.yml -f b.yml` (compose-spec 13-merge.md, compose-go override/):
 * mappings merge by key with the later file winning; most sequences append; `command`,
 * `entrypoint` and `healthcheck.test` are replaced; ports, volumes, secrets and configs are
 * unique resources (ports keyed by their raw short string, the others by target);
 * `environment`, `labels` and `depends_on` are normalised to mappings first so list and map
 * forms merge by key; `!reset` removes an inherited value and `!override` replaces it whole.
 */
import type { Location } from '../../core/location.js';
import type { YamlMapNode, YamlNode, YamlScalarNode, YamlSeqNode } from '../../parse/compose/yaml-tree.js';
import { mapGet, scalarText } from '../../parse/compose/yaml-tree.js';

const REPLACED = new Set(['command', 'entrypoint']);
const BY_TARGET = new Set(['volumes', 'secrets', 'configs']);

export function mergeNodes(base: YamlNode | undefined, over: YamlNode, path: readonly string[]): YamlNode | undefined {
  if (over.tag === '!reset') return undefined;
  if (over.tag === '!override' || base === undefined) return over;
  if (base.kind === 'scalar' && over.kind === 'scalar') return { ...over, previous: [...(base.previous ?? []), { ...base, previous: undefined }] };
  if (base.kind === 'map' && over.kind === 'map') {
    const entries = new Map(base.entries);
    for (const [k, e] of over.entries) {
      const merged = mergeNodes(base.entries.get(k)?.value, e.value, [...path, k]);
      if (merged === undefined) entries.delete(k);
      else entries.set(k, { keyLoc: e.keyLoc, value: merged }); // the latest file that set it
    }
    return { ...base, entries };
  }
  if (base.kind === 'seq' && over.kind === 'seq') {
    const last = path[path.length - 1] ?? '';
    const inService = path[0] === 'services' && path.length === 3;
    if ((inService && REPLACED.has(last)) || (last === 'test' && path[path.length - 2] === 'healthcheck')) return over;
    if (inService && last === 'ports') return uniqueBy(base, over, portKey);
    if (inService && BY_TARGET.has(last)) return uniqueBy(base, over, (n) => mountTarget(n));
    if (inService && last === 'env_file') return uniqueBy(base, over, (n) => scalarText(n) ?? scalarText(mapGet(n, 'path')));
    return { ...base, items: [...base.items, ...over.items] };
  }
  return over;
}

function uniqueBy(base: YamlSeqNode, over: YamlSeqNode, key: (n: YamlNode) => string | undefined): YamlSeqNode {
  const items = [...base.items];
  for (const it of over.items) {
    const k = key(it);
    const i = k === undefined ? -1 : items.findIndex((b) => key(b) === k);
    if (i >= 0) items[i] = it;
    else items.push(it);
  }
  return { ...base, items };
}

function portKey(n: YamlNode): string | undefined {
  if (n.kind === 'scalar') return String(n.value);
  if (n.kind === 'map') return ['host_ip', 'target', 'published', 'protocol'].map((k) => scalarText(mapGet(n, k)) ?? '').join('|');
  return undefined;
}

/** target of a `src:dst[:mode]` short entry or a long `{target}` entry */
export function mountTarget(n: YamlNode): string | undefined {
  if (n.kind === 'map') return scalarText(mapGet(n, 'target'));
  const s = scalarText(n);
  if (s === undefined) return undefined;
  const parts = splitVolumeSpec(s);
  return parts.length === 1 ? parts[0] : parts[1];
}

/** Split `src:dst:mode`, keeping a Windows drive letter (`C:\x`) in one piece. */
export function splitVolumeSpec(s: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === ':' && !(cur.length === 1 && /[A-Za-z]/.test(cur) && (s[i + 1] === '\\' || s[i + 1] === '/'))) {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}

function scalarNode(value: string | null, loc: Location, from?: YamlScalarNode): YamlScalarNode {
  return { kind: 'scalar', value, quoted: from?.quoted ?? false, range: from?.range ?? [0, 0], loc };
}

/** `[KEY=V, KEY]` → `{KEY: V, KEY: null}`, keeping each item's location. */
export function listToMap(n: YamlNode | undefined): YamlNode | undefined {
  if (n?.kind !== 'seq') return n;
  const entries = new Map<string, { keyLoc: Location; value: YamlNode }>();
  for (const it of n.items) {
    if (it.kind !== 'scalar' || it.value === null) continue;
    const s = String(it.value);
    const eq = s.indexOf('=');
    const key = eq < 0 ? s : s.slice(0, eq);
    const valueNode = scalarNode(eq < 0 ? null : s.slice(eq + 1), it.loc, it);
    if (eq >= 0 && it.range[1] > it.range[0]) {
      // the value starts after `KEY=` (and the opening quote) inside the item's text
      const shift = (it.quoted ? 1 : 0) + eq + 1;
      valueNode.range = [it.range[0] + shift, it.range[1] - (it.quoted ? 1 : 0)];
      valueNode.quoted = false;
      valueNode.inList = true;
    }
    entries.set(key, { keyLoc: it.loc, value: valueNode });
  }
  return { kind: 'map', entries, loc: n.loc, tag: n.tag };
}

/** `depends_on: [db]` → `{db: {condition: service_started}}` */
export function dependsOnToMap(n: YamlNode | undefined): YamlNode | undefined {
  if (n?.kind !== 'seq') return n;
  const entries = new Map<string, { keyLoc: Location; value: YamlNode }>();
  for (const it of n.items) {
    const name = scalarText(it);
    if (name === undefined) continue;
    const cond: YamlMapNode = { kind: 'map', loc: it.loc, entries: new Map([['condition', { keyLoc: it.loc, value: scalarNode('service_started', it.loc) }]]) };
    entries.set(name, { keyLoc: it.loc, value: cond });
  }
  return { kind: 'map', entries, loc: n.loc, tag: n.tag };
}

/** Normalise the list-or-map fields of one service so overlays merge by key. */
export function normaliseService(svc: YamlMapNode): YamlMapNode {
  const entries = new Map(svc.entries);
  for (const key of ['environment', 'labels']) {
    const e = entries.get(key);
    if (e) entries.set(key, { keyLoc: e.keyLoc, value: listToMap(e.value)! });
  }
  const dep = entries.get('depends_on');
  if (dep) entries.set('depends_on', { keyLoc: dep.keyLoc, value: dependsOnToMap(dep.value)! });
  // `build: ./dir` is `build: {context: ./dir}`, so an overlay's `build: {target}` merges into it
  const build = entries.get('build');
  if (build && build.value.kind === 'scalar')
    entries.set('build', { keyLoc: build.keyLoc, value: { kind: 'map', loc: build.value.loc, entries: new Map([['context', { keyLoc: build.value.loc, value: build.value }]]) } });
  const ef = entries.get('env_file');
  if (ef && ef.value.kind === 'scalar') entries.set('env_file', { keyLoc: ef.keyLoc, value: { kind: 'seq', items: [ef.value], loc: ef.value.loc } });
  return { ...svc, entries };
}
