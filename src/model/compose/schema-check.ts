/**
 * Validate each compose file against the compose-spec JSON schema, as compose-go does for every
 * file before it merges overlays or interpolates (`validating docker-compose.yml: services.web
 * additional property enviroment is not allowed`). The schema is the vendored copy in
 * src/knowledge/compose-schema.json (origin in its README); Ajv compiles it lazily, once per
 * process and only when a compose file exists (~120-190 ms). Ajv's raw errors are reduced to one
 * problem per defect and mapped back to the located YAML nodes.
 */
import type { Location } from '../../core/location.js';
import type { YamlMapNode, YamlNode } from '../../parse/compose/yaml-tree.js';
import type { ComposeSchemaProblem } from '../types.js';

/** Where the vendored schema comes from, for messages. */
export const COMPOSE_SCHEMA_ORIGIN = 'dclint 3.1.0, 2026-03';

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
  parentSchema?: Record<string, unknown>;
}
type Validate = ((data: unknown) => boolean) & { errors?: AjvError[] | null };

let compiled: Promise<Validate> | undefined;

function validator(): Promise<Validate> {
  compiled ??= (async () => {
    const [ajvModule, schemaModule] = await Promise.all([
      import('ajv'),
      import('../../knowledge/compose-schema.json', { with: { type: 'json' } }),
    ]);
    // Node's ESM loader exposes the CJS named export; esbuild's bundle only `default`
    const Ajv = ajvModule.Ajv ?? (ajvModule as unknown as { default: typeof ajvModule }).default.Ajv;
    const { $schema: _ignored, ...schema } = structuredClone(schemaModule.default) as Record<string, unknown>;
    const ajv = new Ajv({ allErrors: true, strict: false, verbose: true, validateFormats: false });
    return ajv.compile(schema) as unknown as Validate;
  })();
  return compiled;
}

/** The plain value Compose validates: `!reset` entries are dropped (compose-go's ResetProcessor). */
function plain(n: YamlNode): unknown {
  if (n.kind === 'scalar') return n.value;
  if (n.kind === 'seq') return n.items.filter((i) => i.tag !== '!reset').map(plain);
  const o: Record<string, unknown> = {};
  for (const [k, e] of n.entries) if (e.value.tag !== '!reset') o[k] = plain(e.value);
  return o;
}

interface Located {
  node: YamlNode;
  /** the key's location when the node is a mapping value */
  keyLoc?: Location;
}

function resolve(root: YamlNode, segments: string[]): Located | undefined {
  let cur: Located = { node: root };
  for (const s of segments) {
    const n = cur.node;
    if (n.kind === 'map') {
      const e = n.entries.get(s);
      if (!e) return undefined;
      cur = { node: e.value, keyLoc: e.keyLoc };
    } else if (n.kind === 'seq') {
      const item = n.items.filter((i) => i.tag !== '!reset')[Number(s)];
      if (!item) return undefined;
      cur = { node: item };
    } else return undefined;
  }
  return cur;
}

const segmentsOf = (instancePath: string): string[] =>
  instancePath === '' ? [] : instancePath.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));

const dotted = (segments: string[]): string => segments.join('.') || '(top level)';

/** Optimal string alignment distance (Levenshtein with adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  return d[a.length]![b.length]!;
}

/** The allowed key nearest to `key` within edit distance 2 (1 for keys shorter than 6). */
export function nearestKey(key: string, allowed: string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const limit = Math.min(2, Math.max(1, Math.floor(key.length / 3)));
  for (const a of allowed) {
    const dist = editDistance(key.toLowerCase(), a.toLowerCase());
    if (dist <= limit && dist < bestD) [best, bestD] = [a, dist];
  }
  return best;
}

const TYPE_NAMES: Record<string, string> = { object: 'a mapping', array: 'a list', string: 'a string', integer: 'an integer', number: 'a number', boolean: 'a boolean', null: 'empty' };

const RESTART = /^(no|always|unless-stopped|on-failure(:\d+)?)$/;

export async function checkComposeSchema(path: string, root: YamlMapNode): Promise<ComposeSchemaProblem[]> {
  const validate = await validator();
  const out: ComposeSchemaProblem[] = [];
  const locOf = (l: Located | undefined, preferKey: boolean): Location =>
    !l ? { file: path } : (preferKey || l.node.kind !== 'scalar') && l.keyLoc ? l.keyLoc : l.node.loc;

  if (!validate(plain(root))) {
    const errors = (validate.errors ?? []).filter((e) => !['oneOf', 'anyOf', 'allOf', 'if', 'not'].includes(e.keyword));
    const nonTypeUnder = (p: string): boolean => errors.some((e) => e.keyword !== 'type' && (e.instancePath === p || e.instancePath.startsWith(p + '/')));
    const seen = new Set<string>();
    const typesAt = new Map<string, Set<string>>();
    for (const e of errors) {
      if (e.keyword !== 'type' || nonTypeUnder(e.instancePath)) continue;
      const set = typesAt.get(e.instancePath) ?? new Set<string>();
      for (const t of [e.params.type].flat()) set.add(String(t));
      typesAt.set(e.instancePath, set);
    }
    for (const e of errors) {
      const segs = segmentsOf(e.instancePath);
      const here = resolve(root, segs);
      if (e.keyword === 'additionalProperties') {
        const key = String(e.params.additionalProperty);
        const id = `ap\0${e.instancePath}\0${key}`;
        if (seen.has(id)) continue;
        seen.add(id);
        const props = e.parentSchema?.properties;
        const allowed = props && typeof props === 'object' ? Object.keys(props) : [];
        const entry = here?.node.kind === 'map' ? here.node.entries.get(key) : undefined;
        out.push({
          kind: 'unknown-key',
          path: [...segs, key],
          message: `${dotted(segs)} additional property ${key} is not allowed`,
          key,
          suggestion: nearestKey(key, allowed),
          loc: entry?.keyLoc ?? locOf(here, true),
        });
      } else if (e.keyword === 'type') {
        const types = typesAt.get(e.instancePath);
        if (!types || seen.has(`type\0${e.instancePath}`)) continue;
        seen.add(`type\0${e.instancePath}`);
        const names = [...types].map((t) => TYPE_NAMES[t] ?? t);
        const given = here?.node.kind === 'map' ? 'a mapping' : here?.node.kind === 'seq' ? 'a list' : here?.node.kind === 'scalar' ? (here.node.value === null ? 'empty' : typeof here.node.value === 'string' ? 'a string' : `a ${typeof here.node.value}`) : 'this value';
        out.push({ kind: 'type', path: segs, message: `${dotted(segs)} must be ${names.join(' or ')}, not ${given}`, loc: locOf(here, false) });
      } else {
        // a branch of a oneOf whose type did not match reports its deeper errors too; keep only
        // errors under values whose type some branch accepted (typesAt holds the rejected ones)
        if ([...typesAt.keys()].some((p) => e.instancePath.startsWith(p + '/'))) continue;
        let message = `${dotted(segs)} ${e.message ?? 'is invalid'}`;
        if (e.keyword === 'enum') message = `${dotted(segs)} must be one of ${(e.params.allowedValues as unknown[]).map(String).join(', ')}`;
        else if (e.keyword === 'required') message = `${dotted(segs)} is missing the required property ${String(e.params.missingProperty)}`;
        if (seen.has(`m\0${message}`)) continue;
        seen.add(`m\0${message}`);
        out.push({ kind: e.keyword === 'enum' ? 'enum' : 'other', path: segs, message, loc: locOf(here, false) });
      }
    }
  }

  // `restart` is a plain string in the schema; the Docker engine rejects other policies when it
  // creates the container ("invalid restart policy"), so check it here with the other values
  const services = root.entries.get('services')?.value;
  if (services?.kind === 'map')
    for (const [name, e] of services.entries) {
      const r = e.value.kind === 'map' ? e.value.entries.get('restart')?.value : undefined;
      if (r?.kind !== 'scalar' || typeof r.value !== 'string' || r.value.includes('$') || RESTART.test(r.value)) continue;
      out.push({ kind: 'enum', path: ['services', name, 'restart'], message: `services.${name}.restart must be one of no, always, on-failure[:N], unless-stopped`, loc: r.loc });
    }
  return out;
}
