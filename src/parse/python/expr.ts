/**
 * tree-sitter-python nodes → PyExpr (module-types.ts). Only literals, names, attribute chains,
 * calls, containers, comparisons and boolean logic are modelled; everything else keeps its text
 * as kind `other`. Never throws; very deep expressions are cut off (kind `other`).
 */
import type { Node } from 'web-tree-sitter';
import type { Location } from '../../core/location.js';
import type { PyCompareOp, PyExpr, PyKeyword } from './module-types.js';

export type Locate = (node: Node) => Location;

const MAX_DEPTH = 200;
const COMPARE_OPS = new Set<string>(['==', '!=', '<', '<=', '>', '>=', 'in', 'not in', 'is', 'is not', '<>']);

export function toExpr(node: Node, locate: Locate, depth = 0): PyExpr {
  const base = { text: node.text, loc: locate(node) };
  if (depth > MAX_DEPTH) return { ...base, kind: 'other', type: node.type };
  const sub = (n: Node): PyExpr => toExpr(n, locate, depth + 1);
  switch (node.type) {
    case 'string': {
      const s = stringValue(node);
      return s === undefined ? { ...base, kind: 'fstr' } : { ...base, kind: 'str', value: s };
    }
    case 'concatenated_string': {
      let out = '';
      for (const c of node.namedChildren) {
        const s = c && c.type === 'string' ? stringValue(c) : undefined;
        if (s === undefined) return { ...base, kind: 'fstr' };
        out += s;
      }
      return { ...base, kind: 'str', value: out };
    }
    case 'integer':
    case 'float': {
      const v = pyNumber(node.text);
      return v === undefined ? { ...base, kind: 'other', type: node.type } : { ...base, kind: 'num', value: v };
    }
    case 'true':
      return { ...base, kind: 'bool', value: true };
    case 'false':
      return { ...base, kind: 'bool', value: false };
    case 'none':
      return { ...base, kind: 'none' };
    case 'ellipsis':
      return { ...base, kind: 'ellipsis' };
    case 'identifier':
      return { ...base, kind: 'name', name: node.text };
    case 'attribute': {
      const obj = node.childForFieldName('object');
      const attr = node.childForFieldName('attribute');
      if (!obj || !attr) return { ...base, kind: 'other', type: node.type };
      return { ...base, kind: 'attr', object: sub(obj), attr: attr.text };
    }
    case 'call': {
      const fn = node.childForFieldName('function');
      const argList = node.childForFieldName('arguments');
      if (!fn) return { ...base, kind: 'other', type: node.type };
      const args: PyExpr[] = [];
      const kwargs: PyKeyword[] = [];
      if (argList?.type === 'argument_list')
        for (const a of argList.namedChildren) {
          if (!a || a.type === 'comment') continue;
          if (a.type === 'keyword_argument') {
            const k = a.childForFieldName('name');
            const v = a.childForFieldName('value');
            if (k && v) kwargs.push({ name: k.text, value: sub(v), loc: locate(a) });
          } else if (a.type !== 'list_splat' && a.type !== 'dictionary_splat') args.push(sub(a));
        }
      return { ...base, kind: 'call', func: sub(fn), args, kwargs };
    }
    case 'tuple':
    case 'list':
    case 'set':
      return { ...base, kind: 'seq', type: node.type, items: named(node).map(sub) };
    case 'expression_list':
      return { ...base, kind: 'seq', type: 'tuple', items: named(node).map(sub) };
    case 'parenthesized_expression': {
      const inner = named(node)[0];
      return inner ? { ...sub(inner), text: node.text, loc: base.loc } : { ...base, kind: 'other', type: node.type };
    }
    case 'dictionary': {
      const entries: { key: PyExpr; value: PyExpr }[] = [];
      for (const p of named(node)) {
        if (p.type !== 'pair') continue;
        const k = p.childForFieldName('key');
        const v = p.childForFieldName('value');
        if (k && v) entries.push({ key: sub(k), value: sub(v) });
      }
      return { ...base, kind: 'dict', entries };
    }
    case 'comparison_operator': {
      const operands: PyExpr[] = [];
      const ops: PyCompareOp[] = [];
      for (let i = 0; i < node.childCount; i++) {
        const c = node.child(i);
        if (!c || c.type === 'comment') continue;
        if (c.isNamed) operands.push(sub(c));
        else {
          const op = c.type.replace(/\s+/g, ' ');
          if (COMPARE_OPS.has(op)) ops.push((op === '<>' ? '!=' : op) as PyCompareOp);
        }
      }
      if (operands.length !== ops.length + 1 || ops.length === 0) return { ...base, kind: 'other', type: node.type };
      return { ...base, kind: 'compare', operands, ops };
    }
    case 'boolean_operator': {
      const l = node.childForFieldName('left');
      const r = node.childForFieldName('right');
      const op = node.childForFieldName('operator')?.type;
      if (!l || !r || (op !== 'and' && op !== 'or')) return { ...base, kind: 'other', type: node.type };
      return { ...base, kind: 'boolop', op, left: sub(l), right: sub(r) };
    }
    case 'not_operator': {
      const a = node.childForFieldName('argument');
      return a ? { ...base, kind: 'not', operand: sub(a) } : { ...base, kind: 'other', type: node.type };
    }
    case 'unary_operator': {
      const a = node.childForFieldName('argument');
      const op = node.childForFieldName('operator')?.type ?? node.text.trim()[0];
      if (a && (a.type === 'integer' || a.type === 'float') && (op === '-' || op === '+')) {
        const v = pyNumber(a.text);
        if (v !== undefined) return { ...base, kind: 'num', value: op === '-' ? -v : v };
      }
      return { ...base, kind: 'other', type: node.type };
    }
    case 'subscript': {
      const v = node.childForFieldName('value');
      if (!v) return { ...base, kind: 'other', type: node.type };
      return { ...base, kind: 'subscript', value: sub(v), index: node.childrenForFieldName('subscript').flatMap((s) => (s ? [sub(s)] : [])) };
    }
    default:
      return { ...base, kind: 'other', type: node.type };
  }
}

function named(node: Node): Node[] {
  return node.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment');
}

/** A Python number literal (underscores, hex/octal/binary, floats); undefined for complex numbers. */
export function pyNumber(text: string): number | undefined {
  const t = text.replace(/_/g, '');
  if (/[jJ]$/.test(t)) return undefined;
  if (/^0[oO]/.test(t)) return parseInt(t.slice(2), 8);
  const v = Number(/^0[bBxX]/.test(t) ? t.toLowerCase() : t.replace(/[lL]$/, ''));
  return Number.isFinite(v) ? v : undefined;
}

/** The value of a string literal, or undefined for an f-string with interpolations. */
export function stringValue(node: Node): string | undefined {
  const startTok = node.child(0);
  const prefix = (startTok?.text ?? '').replace(/['"]+$/, '').toLowerCase();
  const raw = prefix.includes('r');
  let out = '';
  for (let i = 0; i < node.childCount; i++) {
    const c = node.child(i);
    if (!c) continue;
    if (c.type === 'interpolation') return undefined;
    if (c.type === 'string_content') out += raw ? c.text : unescape(c.text);
    else if (c.type === 'escape_sequence') out += raw ? c.text : unescape(c.text);
  }
  return out;
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0', a: '\x07', b: '\b', f: '\f', v: '\v', '\n': '' };

function unescape(s: string): string {
  if (!s.includes('\\')) return s;
  return s.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|[\s\S])/g, (m, e: string) => {
    if (/^[xuU]/.test(e)) return String.fromCodePoint(parseInt(e.slice(1), 16));
    if (/^[0-7]+$/.test(e) && e !== '0') return String.fromCodePoint(parseInt(e, 8));
    return SIMPLE_ESCAPES[e] ?? m;
  });
}

/** The dotted name of a name/attribute chain (`os.environ.get`), or undefined. */
export function dottedName(e: PyExpr): string | undefined {
  if (e.kind === 'name') return e.name;
  if (e.kind === 'attr') {
    const o = dottedName(e.object);
    return o === undefined ? undefined : `${o}.${e.attr}`;
  }
  return undefined;
}

/** A keyword argument's value by name. */
export function kwarg(e: PyExpr & { kind: 'call' }, name: string): PyExpr | undefined {
  return e.kwargs.find((k) => k.name === name)?.value;
}

/** The literal value of a simple expression (str, number, bool, None, and tuples/lists of those). */
export type PyLiteral = string | number | boolean | null | PyLiteral[];

export function literalValue(e: PyExpr | undefined): PyLiteral | undefined {
  if (!e) return undefined;
  switch (e.kind) {
    case 'str':
    case 'num':
    case 'bool':
      return e.value;
    case 'none':
      return null;
    case 'seq': {
      const items = e.items.map(literalValue);
      return items.every((i) => i !== undefined) ? (items as PyLiteral[]) : undefined;
    }
    default:
      return undefined;
  }
}
