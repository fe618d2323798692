/**
 * The import inventory of one Python module, from tree-sitter-python: `import a.b`, `from a.b
 * import c` at any depth (functions, classes, conditionals), each with its location.
 *
 * - relative imports (`from . import x`, `from .m import y`) and `__future__` are skipped;
 * - imports under `if TYPE_CHECKING:` (or `typing.TYPE_CHECKING`) never run, so they are skipped;
 * - imports in a `try:` body whose `except` catches ImportError / ModuleNotFoundError (or
 *   Exception, BaseException, a bare except) are marked `optional`: the module copes without them;
 * - imports under `if sys.version_info ...` / `sys.platform` / `os.name`, or under
 *   `if __name__ == "__main__":` (not run when a server imports the module), are marked `conditional`.
 *
 * Callers may also ask for string literals and calls they care about (database URLs, passlib
 * schemes): the parse layer knows no package facts, so it takes predicates.
 */
import type { Node } from 'web-tree-sitter';
import type { Location } from '../../core/location.js';
import type { SourceFile } from '../../core/source-file.js';
import { loadLanguage } from '../tree-sitter.js';

export interface ModuleImport {
  /** the module as imported: `a.b` for `import a.b` and for `from a.b import c` */
  module: string;
  /** its first component (`a`) */
  top: string;
  /** `from m import x, y`: the names imported (`*` for a wildcard); empty for `import m` */
  names: string[];
  /** the module name as written */
  loc: Location;
  /** inside a `try:` whose handler catches the import error */
  optional: boolean;
  /** not at module level (inside a function, class, `if`, `with`, ...) */
  nested: boolean;
  /** under a Python-version or platform check */
  conditional: boolean;
}

export interface PyStringLiteral {
  /** the literal's content without quotes or prefix; f-string interpolations become `{}` */
  value: string;
  loc: Location;
}

export interface PyCall {
  /** the callee as written: `CryptContext`, `passlib.context.CryptContext` */
  callee: string;
  /** keyword arguments whose value is a string or a list/tuple of strings */
  keywords: Map<string, string[]>;
  loc: Location;
}

export interface PythonModuleFacts {
  file: string;
  imports: ModuleImport[];
  strings: PyStringLiteral[];
  calls: PyCall[];
  /** tree-sitter found syntax errors (the facts are still the best reading) */
  hasErrors: boolean;
}

export interface PythonScanOptions {
  /** keep string literals for which this returns true */
  wantString?: (value: string) => boolean;
  /** keep calls whose callee's last name satisfies this */
  wantCall?: (lastName: string) => boolean;
}

const IMPORT_ERRORS = /^(?:ImportError|ModuleNotFoundError|Exception|BaseException|builtins\.(?:ImportError|ModuleNotFoundError))$/;
const TYPE_CHECKING = /^(?:typing\.|t\.)?TYPE_CHECKING$/;
const GUARD = /\bsys\.version_info\b|\bsys\.platform\b|\bos\.name\b|\bplatform\.(?:system|python_version|python_implementation)\b|^__name__==["']__main__["']$/;

export async function scanPythonModule(source: SourceFile, options: PythonScanOptions = {}): Promise<PythonModuleFacts> {
  const parser = await loadLanguage('python');
  const tree = parser.parse(source.text);
  const facts: PythonModuleFacts = { file: source.path, imports: [], strings: [], calls: [], hasErrors: false };
  if (!tree) return facts;
  try {
    const root = tree.rootNode;
    facts.hasErrors = root.hasError;
    const loc = (n: Node): Location => source.location(n.startIndex, n.endIndex);
    const MAX_DEPTH = 400;

    const addImport = (nameNode: Node, names: string[], ctx: Ctx): void => {
      const module = nameNode.text.replace(/\s+/g, '');
      if (!module) return;
      facts.imports.push({ module, top: module.split('.')[0]!, names, loc: loc(nameNode), optional: ctx.optional, nested: ctx.nested, conditional: ctx.conditional });
    };

    interface Ctx {
      optional: boolean;
      nested: boolean;
      conditional: boolean;
    }

    const visit = (n: Node, ctx: Ctx, depth: number): void => {
      if (depth > MAX_DEPTH) return;
      switch (n.type) {
        case 'import_statement': {
          for (const c of n.namedChildren) {
            if (!c) continue;
            const name = c.type === 'aliased_import' ? c.childForFieldName('name') : c.type === 'dotted_name' ? c : null;
            if (name) addImport(name, [], ctx);
          }
          return;
        }
        case 'import_from_statement': {
          const mod = n.childForFieldName('module_name');
          if (!mod || mod.type !== 'dotted_name') return; // relative import
          const names: string[] = [];
          for (const c of n.childrenForFieldName('name')) {
            if (!c) continue;
            const nm = c.type === 'aliased_import' ? c.childForFieldName('name') : c;
            if (nm) names.push(nm.text);
          }
          if (n.namedChildren.some((c) => c?.type === 'wildcard_import')) names.push('*');
          addImport(mod, names, ctx);
          return;
        }
        case 'future_import_statement':
          return;
        case 'if_statement': {
          const cond = n.childForFieldName('condition');
          const condText = cond?.text.replace(/\s+/g, '') ?? '';
          const guarded = GUARD.test(condText);
          if (cond) visit(cond, ctx, depth + 1);
          const inner: Ctx = { ...ctx, nested: true, conditional: ctx.conditional || guarded };
          const consequence = n.childForFieldName('consequence');
          if (consequence && !TYPE_CHECKING.test(condText)) visit(consequence, inner, depth + 1);
          for (const alt of n.childrenForFieldName('alternative')) if (alt) visit(alt, inner, depth + 1);
          return;
        }
        case 'try_statement': {
          const body = n.childForFieldName('body');
          const catches = n.namedChildren.some((c) => {
            if (c?.type !== 'except_clause' && c?.type !== 'except_group_clause') return false;
            const types = c.namedChildren.filter((x) => x && x.type !== 'block' && x.type !== 'comment');
            if (!types.length) return true; // bare except
            return types.some((t) => exceptTypes(t!).some((name) => IMPORT_ERRORS.test(name)));
          });
          if (body) visit(body, { ...ctx, nested: true, optional: ctx.optional || catches }, depth + 1);
          for (const c of n.namedChildren) if (c && c !== body && c.id !== body?.id) visit(c, { ...ctx, nested: true }, depth + 1);
          return;
        }
        case 'string': {
          if (options.wantString) {
            const value = stringValue(n);
            if (value !== undefined && options.wantString(value)) facts.strings.push({ value, loc: loc(n) });
          }
          return;
        }
        case 'call': {
          const fn = n.childForFieldName('function');
          if (options.wantCall && fn) {
            const callee = fn.text.replace(/\s+/g, '');
            const last = callee.slice(callee.lastIndexOf('.') + 1);
            if (options.wantCall(last)) facts.calls.push({ callee, keywords: keywordStrings(n), loc: loc(n) });
          }
          break;
        }
      }
      const nested = ctx.nested || (n.type !== 'module' && /(?:_definition|_statement|block)$/.test(n.type) && n.type !== 'expression_statement');
      for (const c of n.namedChildren) if (c) visit(c, nested === ctx.nested ? ctx : { ...ctx, nested }, depth + 1);
    };
    visit(root, { optional: false, nested: false, conditional: false }, 0);
  } finally {
    tree.delete();
  }
  return facts;
}

/** `except (ImportError, X) as e:` → ['ImportError', 'X']. */
function exceptTypes(n: Node): string[] {
  if (n.type === 'as_pattern') {
    const first = n.namedChildren[0];
    return first ? exceptTypes(first) : [];
  }
  if (n.type === 'tuple' || n.type === 'parenthesized_expression' || n.type === 'expression_list')
    return n.namedChildren.flatMap((c) => (c ? exceptTypes(c) : []));
  return [n.text.replace(/\s+/g, '')];
}

/** Content of a string node (concatenated strings too); interpolations become `{}`. */
function stringValue(n: Node): string | undefined {
  if (n.type === 'concatenated_string') return n.namedChildren.map((c) => (c ? stringValue(c) ?? '' : '')).join('');
  if (n.type !== 'string') return undefined;
  let out = '';
  for (const c of n.namedChildren) {
    if (!c) continue;
    if (c.type === 'string_content') out += c.text;
    else if (c.type === 'interpolation') out += '{}';
    else if (c.type === 'escape_sequence') out += c.text;
  }
  return out;
}

function keywordStrings(call: Node): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const args = call.childForFieldName('arguments');
  for (const a of args?.namedChildren ?? []) {
    if (a?.type !== 'keyword_argument') continue;
    const name = a.childForFieldName('name')?.text;
    const value = a.childForFieldName('value');
    if (!name || !value) continue;
    const items = value.type === 'list' || value.type === 'tuple' ? value.namedChildren : [value];
    const strs = items.map((i) => (i ? stringValue(i) : undefined)).filter((s): s is string => s !== undefined);
    if (strs.length) out.set(name, strs);
  }
  return out;
}
