/**
 * What decides whether a command in a shell script runs: the `if`/`elif`/`else` branches, `case`
 * items and `&&`/`||` lists around it. parse-shell gives commands with their loop and condition
 * context; this pass adds the guards of the branch a command sits in, so the start plan can say
 * "`alembic upgrade head` runs only when `[ "$ENVIRONMENT" = "development" ]`".
 */
import type { Node } from 'web-tree-sitter';
import { loadLanguage } from '../../parse/tree-sitter.js';

export interface Guard {
  /** the test as written (`[ "$ENVIRONMENT" = "development" ]`), or the case word */
  text: string;
  /** the command runs when the test fails (`else`, a later `elif`, the right side of `||`) */
  negate: boolean;
  /** `case WORD in P1|P2)`: the word, the item's patterns and those of the items before it (the first match wins), as written */
  caseItem?: { word: string; patterns: string[]; earlier: string[][] };
}

/**
 * Guards for each command start offset (offsets into `text`). Commands inside a function body only
 * get the guards inside that body: the function runs where it is called.
 */
export async function analyzeGuards(text: string, offsets: readonly number[]): Promise<Map<number, Guard[]>> {
  const out = new Map<number, Guard[]>();
  if (!offsets.length) return out;
  const parser = await loadLanguage('bash');
  const tree = parser.parse(text);
  if (!tree) return out;
  try {
    for (const off of offsets) {
      if (out.has(off)) continue;
      const node = tree.rootNode.descendantForIndex(off, off);
      out.set(off, node ? guardsOf(node) : []);
    }
  } finally {
    tree.delete();
  }
  return out;
}

function guardsOf(start: Node): Guard[] {
  const guards: Guard[] = [];
  let child: Node = start;
  let parent = child.parent;
  while (parent) {
    if (parent.type === 'function_definition') break;
    const g = guardFor(parent, child);
    if (g) guards.unshift(...g);
    child = parent;
    parent = child.parent;
  }
  return guards;
}

function guardFor(parent: Node, child: Node): Guard[] | undefined {
  switch (parent.type) {
    case 'if_statement':
    case 'elif_clause': {
      const cond = conditionText(parent);
      if (cond === undefined) return undefined;
      if (child.type === 'elif_clause' || child.type === 'else_clause') return [{ text: cond, negate: true }];
      return afterThen(parent, child) ? [{ text: cond, negate: false }] : undefined;
    }
    case 'case_item': {
      const kids = parent.children;
      const idx = indexOf(parent, child);
      const close = kids.findIndex((k) => k.type === ')');
      if (idx <= close) return undefined; // the pattern itself
      const patterns = itemPatterns(parent);
      const earlier: string[][] = [];
      for (let sib = parent.previousNamedSibling; sib; sib = sib.previousNamedSibling) if (sib.type === 'case_item') earlier.unshift(itemPatterns(sib));
      const word = parent.parent?.childForFieldName('value')?.text ?? '';
      return [{ text: `case ${word} in ${patterns.join('|')})`, negate: false, caseItem: { word, patterns, earlier } }];
    }
    case 'list': {
      const kids = parent.children;
      const idx = indexOf(parent, child);
      const opIdx = kids.findIndex((k) => k.type === '&&' || k.type === '||');
      if (opIdx < 0 || idx <= opIdx) return undefined;
      const left = kids.slice(0, opIdx).filter((k) => k.isNamed);
      const leftText = left.map((k) => k.text).join(' ');
      if (kids[opIdx]!.type === '||') return [{ text: leftText, negate: true }];
      // `[ … ] && cmd` guards cmd; `migrate && exec server` is the normal path, not a guard
      const last = left[left.length - 1];
      return last && isTest(last) ? [{ text: leftText, negate: false }] : undefined;
    }
    default:
      return undefined;
  }
}

function itemPatterns(item: Node): string[] {
  const out: string[] = [];
  for (let i = 0; i < item.childCount; i++) if (item.fieldNameForChild(i) === 'value') out.push(item.child(i)!.text);
  return out;
}

/** The condition of an `if`/`elif`: the text between the keyword and `then`. */
function conditionText(node: Node): string | undefined {
  const kids = node.children;
  const thenIdx = kids.findIndex((k) => k.type === 'then');
  if (thenIdx < 1) return undefined;
  const cond = kids.slice(1, thenIdx).filter((k) => k.isNamed);
  if (!cond.length) return undefined;
  const text = node.tree.rootNode.text;
  return text.slice(cond[0]!.startIndex, cond[cond.length - 1]!.endIndex).trim();
}

function afterThen(parent: Node, child: Node): boolean {
  const kids = parent.children;
  const idx = indexOf(parent, child);
  const thenIdx = kids.findIndex((k) => k.type === 'then');
  return thenIdx >= 0 && idx > thenIdx;
}

function indexOf(parent: Node, child: Node): number {
  const kids = parent.children;
  for (let i = 0; i < kids.length; i++) if (kids[i]!.id === child.id) return i;
  return -1;
}

function isTest(n: Node): boolean {
  if (n.type === 'test_command') return true;
  if (n.type === 'negated_command') return n.namedChildren.some((c) => c !== null && isTest(c));
  if (n.type === 'list') {
    const named = n.namedChildren.filter((c): c is Node => c !== null);
    return named.length > 0 && isTest(named[named.length - 1]!);
  }
  if (n.type === 'command') {
    const name = n.childForFieldName('name')?.text;
    return name === 'test' || name === '[' || name === '[[';
  }
  return false;
}
