/**
 * Shell scripts (entrypoints, Dockerfile RUN bodies, compose `command:` strings) to a flat list of
 * simple commands with enough context for rules: which command is exec'd, what runs in a
 * retry loop, what is guarded by `if`, whether `set -e` is on.
 *
 * Built on tree-sitter-bash (see DEPENDENCIES.md §4): it is error-tolerant, so a broken script
 * still yields its commands plus `hasErrors`; it never throws on bad input.
 */
import type { Node, Parser } from 'web-tree-sitter';
import type { Location } from '../../core/location.js';
import { SourceFile } from '../../core/source-file.js';
import { loadLanguage } from '../tree-sitter.js';
import type { ShellCommand, ShellCommandContext, ShellRedirect, ShellScript, ShellWord } from './types.js';
import { commandBasename, unwrapCommand } from './unwrap.js';

export type { ShellCommand, ShellCommandContext, ShellRedirect, ShellScript, ShellWord } from './types.js';

export interface ShellOrigin {
  /** path reported in locations (relative to the scanned root) */
  file: string;
  /**
   * The file the text comes from. Without baseOffset the text is the whole file; with it, the
   * text is the slice starting at baseOffset (e.g. a Dockerfile RUN body: pass the raw slice,
   * continuation backslashes included, not a joined copy, or offsets drift).
   */
  source?: SourceFile;
  /** offset of `text` inside `source`; added to every range */
  baseOffset?: number;
  /**
   * For a text that is not a verbatim slice of `source` (a JSON or YAML string with escapes):
   * the offset in `source` of the character at index i of `text` (i may be text.length, the
   * end). Used instead of baseOffset; needs `source`.
   */
  at?: (i: number) => number;
}

/** Parse a shell script or fragment. Loads the bash grammar on first use. */
export async function parseShell(text: string, origin: ShellOrigin): Promise<ShellScript> {
  const parser = await loadLanguage('bash');
  return new ShellWalker(parser, text, origin).run();
}

// ---------------------------------------------------------------------------------------------
// Unquoting

export interface Unquoted {
  text: string;
  /** map[i] is the offset in the raw word of the character that produced text[i]; map[text.length] = raw.length */
  map: number[];
  /** nothing is expanded: no `$…` or backticks, no unquoted `*`, `?`, `[`, `{` or leading `~` */
  literal: boolean;
}

/**
 * Remove shell quoting from one word, keeping a map back to the raw offsets (so the string of
 * `sh -c "…"` can be re-parsed with locations in the original file). Quotes are removed and
 * backslash escapes resolved; `$VAR`, `${…}`, `$(…)`, `$((…))` and backticks are copied
 * verbatim (nothing is expanded, and quotes inside them are left alone).
 */
export function unquoteShellWord(raw: string): Unquoted {
  const n = raw.length;
  let out = '';
  const map: number[] = [];
  let literal = true;
  const push = (ch: string, at: number): void => {
    out += ch;
    map.push(at);
  };
  const copy = (from: number, to: number): void => {
    for (let k = from; k < to; k++) push(raw[k]!, k);
  };

  /** double-quoted body starting at i; returns the index after the closing quote */
  const doubleQuoted = (i: number): number => {
    while (i < n && raw[i] !== '"') {
      const c = raw[i]!;
      if (c === '\\' && i + 1 < n) {
        const d = raw[i + 1]!;
        if (d === '\n') i += 2; // line continuation
        else if (d === '$' || d === '`' || d === '"' || d === '\\') {
          push(d, i + 1);
          i += 2;
        } else {
          push(c, i); // `"\n"` keeps its backslash inside double quotes
          i++;
        }
      } else if (c === '$' || c === '`') {
        const end = skipExpansion(raw, i);
        copy(i, end);
        literal = false;
        i = end;
      } else {
        push(c, i);
        i++;
      }
    }
    return i + 1;
  };

  /** $'…' body starting at i */
  const ansiC = (i: number): number => {
    while (i < n && raw[i] !== "'") {
      if (raw[i] === '\\' && i + 1 < n) {
        const e = ANSI_ESCAPES[raw[i + 1]!];
        if (e !== undefined) push(e, i);
        else {
          push('\\', i);
          push(raw[i + 1]!, i + 1);
        }
        i += 2;
      } else {
        push(raw[i]!, i);
        i++;
      }
    }
    return i + 1;
  };

  let i = 0;
  while (i < n) {
    const c = raw[i]!;
    if (c === '\\') {
      if (i + 1 >= n) {
        push(c, i);
        i++;
      } else if (raw[i + 1] === '\n') i += 2;
      else if (raw[i + 1] === '\r' && raw[i + 2] === '\n') i += 3;
      else {
        push(raw[i + 1]!, i + 1);
        i += 2;
      }
    } else if (c === "'") {
      const end = raw.indexOf("'", i + 1);
      const stop = end < 0 ? n : end;
      copy(i + 1, stop);
      i = stop + 1;
    } else if (c === '$' && raw[i + 1] === "'") i = ansiC(i + 2);
    else if (c === '$' && raw[i + 1] === '"') i = doubleQuoted(i + 2);
    else if (c === '"') i = doubleQuoted(i + 1);
    else if (c === '$' || c === '`') {
      const end = skipExpansion(raw, i);
      copy(i, end);
      literal = false;
      i = end;
    } else {
      // `[` opens a bracket expression only when a `]` follows (a lone `[` is the test command)
      if (c === '*' || c === '?' || (c === '[' && raw.indexOf(']', i + 1) > i) || c === '{' || (c === '~' && i === 0)) literal = false;
      push(c, i);
      i++;
    }
  }
  map.push(n);
  return { text: out, map, literal };
}

const ANSI_ESCAPES: Record<string, string> = {
  n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', e: '\x1b', E: '\x1b', a: '\x07', b: '\b', f: '\f', v: '\v',
};

/** End (exclusive) of the `$…`/backtick expansion starting at i; just past the `$` when it starts none we balance. */
function skipExpansion(raw: string, i: number): number {
  const n = raw.length;
  if (raw[i] === '`') {
    let j = i + 1;
    while (j < n && raw[j] !== '`') j += raw[j] === '\\' ? 2 : 1;
    return Math.min(j + 1, n);
  }
  const open = raw[i + 1];
  if (open !== '(' && open !== '{') return i + 1;
  const close = open === '(' ? ')' : '}';
  let depth = 0;
  for (let j = i + 1; j < n; j++) {
    const c = raw[j];
    if (c === '\\') j++;
    else if (c === "'" && open === '(') {
      const e = raw.indexOf("'", j + 1);
      j = e < 0 ? n : e;
    } else if (c === '"') {
      j++;
      while (j < n && raw[j] !== '"') j += raw[j] === '\\' ? 2 : 1;
    } else if (c === open) depth++;
    else if (c === close && --depth === 0) return j + 1;
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// Walking the tree

/** Shells whose `-c STRING` we parse again. */
const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'mksh']);
/** `sh -c "sh -c '…'"` nesting we follow; deeper strings are left as arguments. */
const MAX_DEPTH = 4;

/** Internal context: the public one plus whether the statement is at the top level (for `set -e`). */
interface Ctx extends ShellCommandContext {
  top: boolean;
}

/** One parsed text: the outer script, or the unquoted string of a `sh -c`. */
interface Piece {
  text: string;
  /** offset in `text` → absolute offset in the file */
  at: (i: number) => number;
  depth: number;
  /** redirections tree-sitter hangs on a list, pipeline or statement, by the simple command they belong to (`start:end` in text) */
  redirects?: Map<string, Node[]>;
}

class ShellWalker {
  private readonly commands: ShellCommand[] = [];
  private readonly errors: { message: string; loc: Location }[] = [];
  private readonly functions: string[] = [];
  private errexit = false;
  /** `sh -c` strings met so far */
  private strings = 0;
  private readonly base: number;
  private readonly locate: (start: number, end: number) => Location;

  constructor(
    private readonly parser: Parser,
    private readonly text: string,
    private readonly origin: ShellOrigin,
  ) {
    this.base = origin.baseOffset ?? 0;
    const src = origin.source;
    if (src) {
      this.locate = (a, b) => ({ ...src.location(a, b), file: origin.file });
    } else {
      // No enclosing file: lines/columns are those of the text itself.
      const own = new SourceFile(origin.file, text);
      this.locate = (a, b) => own.location(a - this.base, b - this.base);
    }
  }

  run(): ShellScript {
    const shebang = this.text.startsWith('#!') ? this.text.slice(2).split('\n', 1)[0]!.trim() : undefined;
    if (shebang !== undefined && shebangErrexit(shebang)) this.errexit = true;
    const top: Ctx = { inCondition: false, background: false, negated: false, subshell: false, top: true };
    const at = this.origin.at && this.origin.source ? this.origin.at : (i: number) => this.base + i;
    this.parsePiece({ text: this.text, at, depth: 0 }, top);
    // Pre-order traversal is already nearly in source order; the sort (stable) settles
    // assignment splits and `sh -c` strings that sit before later arguments.
    this.commands.sort((a, b) => a.range[0] - b.range[0]);
    const script: ShellScript = {
      file: this.origin.file,
      commands: this.commands,
      errexit: this.errexit,
      hasErrors: this.errors.length > 0,
      errors: this.errors,
      functions: this.functions,
    };
    if (shebang !== undefined) script.shebang = shebang;
    return script;
  }

  private parsePiece(piece: Piece, ctx: Ctx): void {
    const tree = this.parser.parse(piece.text);
    if (!tree) return; // only when the parser has no language: not reachable via loadLanguage
    try {
      const root = tree.rootNode;
      if (root.hasError) this.collectErrors(root, piece);
      const cx: Ctx = { ...ctx };
      if (isPlainList(root)) cx.joinedBy = ';';
      else delete cx.joinedBy;
      this.walk(root, cx, piece);
    } finally {
      tree.delete(); // WASM memory is not garbage-collected
    }
  }

  // --- positions -----------------------------------------------------------------------------

  private range(node: Node, piece: Piece): [number, number] {
    return this.span(node.startIndex, node.endIndex, piece);
  }

  private span(start: number, end: number, piece: Piece): [number, number] {
    // map the last character, not the end, so an escape or closing quote in a `sh -c` string
    // does not stretch the range
    const a = piece.at(start);
    return [a, end > start ? piece.at(end - 1) + 1 : a];
  }

  private word(node: Node, piece: Piece): ShellWord {
    const raw = node.text;
    const [a, b] = this.range(node, piece);
    const u = unquoteShellWord(raw);
    return { text: u.text, raw, loc: this.locate(a, b), literal: u.literal };
  }

  // --- statements ----------------------------------------------------------------------------

  /**
   * Walk the statements among `node`'s children. A statement followed by `&` runs in the
   * background; `ctxFor` gives a different context to children in a given field (conditions).
   */
  private statements(node: Node, ctx: Ctx, piece: Piece, ctxFor?: (field: string | null) => Ctx | undefined): void {
    const kids = node.children;
    for (let i = 0; i < kids.length; i++) {
      const c = kids[i]!;
      if (!c.isNamed) continue;
      let cx = (ctxFor && ctxFor(node.fieldNameForChild(i))) ?? ctx;
      if (kids[i + 1]?.type === '&') cx = { ...cx, background: true, top: false };
      this.walk(c, cx, piece);
    }
  }

  private walk(node: Node, ctx: Ctx, piece: Piece): void {
    switch (node.type) {
      case 'comment':
      case 'heredoc_body': // heredoc bodies are data, not commands
      case 'heredoc_start':
      case 'heredoc_end':
        return;
      case 'program':
      case 'ERROR': // keep going: the commands inside a broken region are still useful
        return this.statements(node, ctx, piece);
      case 'compound_statement': // `{ …; }` and `(( … ))`
      case 'do_group':
      case 'else_clause':
        return this.statements(node, { ...ctx, top: false }, piece);
      case 'subshell':
        return this.statements(node, { ...ctx, subshell: true, top: false }, piece);
      case 'command_substitution':
      case 'process_substitution':
        // its own statement list: the surrounding operator and `!` do not apply inside
        return this.statements(node, { ...ctx, subshell: true, top: false, connector: undefined, negated: false, joinedBy: undefined }, piece);
      case 'command':
        return this.command(node, ctx, piece);
      case 'declaration_command':
      case 'unset_command':
        return this.declaration(node, ctx, piece);
      case 'variable_assignment':
      case 'variable_assignments':
        return this.assignmentsOnly(node, ctx, piece);
      case 'function_definition':
        return this.functionDefinition(node, ctx, piece);
      case 'if_statement':
      case 'elif_clause':
        return this.ifStatement(node, ctx, piece);
      case 'while_statement': {
        const loop = node.child(0)?.type === 'until' ? 'until' : 'while';
        const inner: Ctx = { ...ctx, loop, top: false };
        const cond: Ctx = { ...inner, inCondition: true };
        return this.statements(node, inner, piece, (f) => (f === 'condition' ? cond : undefined));
      }
      case 'for_statement':
      case 'c_style_for_statement':
        return this.forStatement(node, ctx, piece);
      case 'case_statement':
      case 'case_item':
        return this.caseStatement(node, ctx, piece);
      case 'list':
        return this.list(node, ctx, piece);
      case 'pipeline': {
        // `! a | b` negates the whole pipeline, but the tree puts the `!` on `a` alone
        const negated = ctx.negated || node.firstNamedChild?.type === 'negated_command';
        const inner: Ctx = { ...ctx, connector: '|', negated, top: false };
        if (ctx.joinedBy === undefined) return this.statements(node, inner, piece);
        // the first member keeps the operator before the pipeline, the others follow a `|`
        let first = true;
        return this.statements(node, inner, piece, () => {
          const cx = first ? inner : { ...inner, joinedBy: '|' as const };
          first = false;
          return cx;
        });
      }
      case 'negated_command':
        return this.statements(node, { ...ctx, negated: true, top: false }, piece);
      case 'redirected_statement':
        return this.redirected(node, ctx, piece);
      case 'test_command':
        if (node.child(0)?.type === '[' || node.child(0)?.type === '[[') return this.testCommand(node, ctx, piece);
        return this.expansions(node, ctx, piece);
      default:
        // arithmetic, words, redirects: only command substitutions inside matter
        return this.expansions(node, ctx, piece);
    }
  }

  /** Find `$( )`, backticks and `<( )` in or under a non-statement node (words, tests, redirects). */
  private expansions(node: Node, ctx: Ctx, piece: Piece): void {
    if (node.type === 'command_substitution' || node.type === 'process_substitution') return this.walk(node, ctx, piece);
    if (node.type === 'heredoc_body') return;
    for (const c of node.namedChildren) if (c.namedChildCount > 0) this.expansions(c, ctx, piece);
  }

  private list(node: Node, ctx: Ctx, piece: Piece): void {
    // Lists are left-nested (`a && b || c` is list(list(a, b), c)): the first operand keeps the
    // connector the list itself has; later ones get the operator written before them.
    let op = ctx.connector;
    for (const c of node.children) {
      if (!c.isNamed) {
        if (c.type === '&&' || c.type === '||') op = c.type;
        continue;
      }
      if (c.type === 'comment') continue;
      const cx = op === ctx.connector ? ctx : { ...ctx, connector: op };
      this.walk(c, cx !== ctx && ctx.joinedBy !== undefined ? { ...cx, joinedBy: op } : cx, piece);
    }
  }

  private redirected(node: Node, ctx: Ctx, piece: Piece): void {
    // `cat <<EOF | grep x` puts the pipeline *inside* the heredoc redirect, so the body command
    // is a pipeline member even though the tree does not show it as one.
    const kids = node.namedChildren;
    const heredocPipe = kids.some((k) => k.type === 'heredoc_redirect' && k.namedChildren.some((c) => c.type === 'pipeline'));
    // the redirections belong to the last simple command of the body (`a && b > f` redirects b)
    const redirects = kids.filter((k) => REDIRECTS.has(k.type));
    const body = node.childForFieldName('body');
    const target = body ? lastSimpleCommand(body) : undefined;
    if (target && redirects.length) {
      piece.redirects ??= new Map();
      const key = `${target.startIndex}:${target.endIndex}`;
      piece.redirects.set(key, [...(piece.redirects.get(key) ?? []), ...redirects]);
    }
    for (const c of kids) {
      if (c.type === 'heredoc_redirect') {
        for (const h of c.namedChildren) {
          if (h.type === 'pipeline' || h.type === 'list') this.walk(h, { ...ctx, top: false }, piece);
          else if (h.type !== 'heredoc_body') this.expansions(h, ctx, piece); // a `> out` redirect may hold `$( )`
        }
      } else if (c.type === 'file_redirect' || c.type === 'herestring_redirect') this.expansions(c, ctx, piece);
      else this.walk(c, heredocPipe ? { ...ctx, connector: '|', top: false } : ctx, piece);
    }
  }

  private ifStatement(node: Node, ctx: Ctx, piece: Piece): void {
    // The condition is everything between `if`/`elif` and `then`: elif_clause has no
    // `condition` field in tree-sitter-bash 0.25, so go by the `then` token instead.
    const inner: Ctx = { ...ctx, top: false };
    const cond: Ctx = { ...inner, inCondition: true };
    let inCond = true;
    const kids = node.children;
    for (let i = 0; i < kids.length; i++) {
      const c = kids[i]!;
      if (c.type === 'then') inCond = false;
      if (!c.isNamed) continue;
      let cx = inCond ? cond : inner;
      if (kids[i + 1]?.type === '&') cx = { ...cx, background: true };
      this.walk(c, cx, piece);
    }
  }

  private functionDefinition(node: Node, ctx: Ctx, piece: Piece): void {
    const name = node.childForFieldName('name')?.text ?? '';
    if (name) this.functions.push(name);
    const body = node.childForFieldName('body');
    if (!body) return;
    // The body runs when called, so the definition site's context does not apply.
    const inner: Ctx = { functionName: name, inCondition: false, background: false, negated: false, subshell: false, top: false };
    if (ctx.inShellString) inner.inShellString = true;
    this.walk(body, inner, piece);
  }

  private forStatement(node: Node, ctx: Ctx, piece: Piece): void {
    const kids = node.children;
    for (let i = 0; i < kids.length; i++) {
      const c = kids[i]!;
      if (!c.isNamed) continue;
      // the word list / `((…))` header is evaluated once, outside the loop body
      if (node.fieldNameForChild(i) === 'body') this.walk(c, { ...ctx, loop: 'for', top: false }, piece);
      else this.expansions(c, ctx, piece);
    }
  }

  private caseStatement(node: Node, ctx: Ctx, piece: Piece): void {
    const inner: Ctx = { ...ctx, top: false };
    const kids = node.children;
    for (let i = 0; i < kids.length; i++) {
      const c = kids[i]!;
      if (!c.isNamed) continue;
      if (node.fieldNameForChild(i) === 'value') this.expansions(c, inner, piece);
      else this.walk(c, inner, piece);
    }
  }

  // --- simple commands -----------------------------------------------------------------------

  private command(node: Node, ctx: Ctx, piece: Piece): void {
    const kids = node.children;
    let prefix: Node[] = [];
    let nameNode: Node | undefined;
    const argNodes: Node[] = [];
    const rest: Node[] = [];
    for (let i = 0; i < kids.length; i++) {
      const c = kids[i]!;
      const f = node.fieldNameForChild(i);
      if (f === 'name') nameNode = c;
      else if (f === 'argument') argNodes.push(c);
      else if (c.type === 'variable_assignment' && !nameNode) prefix.push(c);
      else if (c.isNamed) rest.push(c);
    }

    // tree-sitter-bash 0.25 joins `A=1 B=2⏎cmd` into one command. A real (unescaped) newline
    // ends a statement, so split such prefixes off into assignment-only statements.
    let start = node.startIndex;
    if (prefix.length > 0) {
      const groups: Node[][] = [[prefix[0]!]];
      for (let k = 1; k < prefix.length; k++) {
        if (newlineBetween(piece.text, prefix[k - 1]!, prefix[k]!)) groups.push([]);
        groups[groups.length - 1]!.push(prefix[k]!);
      }
      const last = groups[groups.length - 1]!;
      const separateLast = nameNode !== undefined && newlineBetween(piece.text, last[last.length - 1]!, nameNode);
      const standalone = separateLast ? groups : groups.slice(0, -1);
      for (const g of standalone) {
        this.pushAssignments(g, g[0]!.startIndex, g[g.length - 1]!.endIndex, ctx, piece);
        if (ctx.joinedBy !== undefined) ctx = { ...ctx, joinedBy: ';' }; // the next one starts a statement
      }
      prefix = separateLast ? [] : last;
      start = prefix[0]?.startIndex ?? nameNode?.startIndex ?? start;
    }

    let words = nameNode ? [nameNode, ...argNodes] : argNodes;
    let exec = false;
    if (nameNode && unquoteShellWord(nameNode.text).text === 'exec') {
      const k = 1 + execOptionCount(argNodes.map((a) => unquoteShellWord(a.text).text));
      // `exec >log 2>&1` (no program) only redirects the shell: it is the `exec` builtin itself
      if (k < words.length) {
        exec = true;
        words = words.slice(k);
      }
    }
    const wordList = words.map((w) => this.word(w, piece));
    const nameWord = nameNode ? wordList[0] : undefined;
    const args = nameNode ? wordList.slice(1) : wordList;
    const name = nameWord?.text ?? '';
    const range = this.span(start, node.endIndex, piece);
    const cmd: ShellCommand = {
      name,
      args,
      exec,
      assignments: prefix.map(assignmentOf),
      loc: this.locate(range[0], range[1]),
      range,
      context: publicContext(ctx),
    };
    if (nameWord) cmd.nameWord = nameWord;
    const redirects = this.redirects([...rest.filter((r) => REDIRECTS.has(r.type)), ...(piece.redirects?.get(`${node.startIndex}:${node.endIndex}`) ?? [])], piece);
    if (redirects.length) cmd.redirects = redirects;
    this.commands.push(cmd);

    if (ctx.top && name === 'set' && setEnablesErrexit(args.map((a) => a.text))) this.errexit = true;

    // substitutions in the name, arguments, assignment values and redirects (the split-off
    // assignment statements before `start` were searched already)
    for (const c of kids) if (c.isNamed && c.startIndex >= start) this.expansions(c, ctx, piece);

    if (nameWord && piece.depth < MAX_DEPTH) this.shellString(words, wordList, ctx, piece);
  }

  /** `sh -c 'script'` (also behind wrappers: `exec gosu app bash -c "…"`): parse the script too. */
  private shellString(nodes: Node[], words: ShellWord[], ctx: Ctx, piece: Piece): void {
    const k = shellStringArg(words.map((w) => w.text));
    if (k < 0) return;
    const node = nodes[k]!;
    const unq = unquoteShellWord(node.text);
    const rawStart = node.startIndex;
    const map = unq.map;
    const outer = piece.at;
    this.parsePiece(
      { text: unq.text, at: (i) => outer(rawStart + map[Math.min(i, map.length - 1)]!), depth: piece.depth + 1 },
      { ...ctx, connector: undefined, negated: false, top: false, inShellString: true, shellString: ++this.strings },
    );
  }

  /** `> out`, `2>&1`, `<<< str`, `<<EOF` nodes as ShellRedirects, in source order. */
  private redirects(nodes: Node[], piece: Piece): ShellRedirect[] {
    const out: { at: number; r: ShellRedirect }[] = [];
    const add = (node: Node, op: string, target: Node | null | undefined, fd: Node | null | undefined): void => {
      const end = target ?? node.children.find((c) => !c.isNamed) ?? node;
      const [a] = this.range(node, piece);
      const [, b] = this.range(end, piece);
      const r: ShellRedirect = { op, loc: this.locate(a, b) };
      if (fd && /^\d+$/.test(fd.text)) r.fd = Number(fd.text);
      if (target) r.target = this.word(target, piece);
      out.push({ at: node.startIndex, r });
    };
    for (const n of nodes) {
      const op = n.children.find((c) => !c.isNamed)?.type ?? '';
      if (n.type === 'file_redirect') add(n, op, n.childForFieldName('destination'), n.childForFieldName('descriptor'));
      else if (n.type === 'herestring_redirect') add(n, op, n.namedChildren[0], n.childForFieldName('descriptor'));
      else if (n.type === 'heredoc_redirect') {
        add(n, op, undefined, n.childForFieldName('descriptor'));
        // `cat <<EOF > out`: the file redirect sits inside the heredoc one
        for (const c of n.namedChildren) if (c.type === 'file_redirect') add(c, c.children.find((x) => !x.isNamed)?.type ?? '', c.childForFieldName('destination'), c.childForFieldName('descriptor'));
      }
    }
    return out.sort((x, y) => x.at - y.at).map((x) => x.r);
  }

  /**
   * `[ -f x ]` and `[[ … ]]`: tree-sitter makes them a test node, the shell runs the `[` builtin
   * (or bash's `[[`), so they are commands named `[`/`[[` whose arguments are the test's words
   * and operators, closing bracket included.
   */
  private testCommand(node: Node, ctx: Ctx, piece: Piece): void {
    const open = node.child(0)!;
    const args: ShellWord[] = [];
    const collect = (n: Node): void => {
      if (n.isNamed && TEST_EXPRESSIONS.has(n.type)) for (const c of n.children) collect(c);
      else if (n.type !== 'comment') args.push(this.word(n, piece));
    };
    for (const c of node.children.slice(1)) collect(c);
    const range = this.range(node, piece);
    const cmd: ShellCommand = {
      name: open.text,
      nameWord: this.word(open, piece),
      args,
      exec: false,
      assignments: [],
      loc: this.locate(range[0], range[1]),
      range,
      context: publicContext(ctx),
    };
    const redirects = this.redirects(piece.redirects?.get(`${node.startIndex}:${node.endIndex}`) ?? [], piece);
    if (redirects.length) cmd.redirects = redirects;
    this.commands.push(cmd);
    this.expansions(node, ctx, piece);
  }

  /** `export A=1 B`, `local x`, `readonly`, `declare -x`, `unset X`: the keyword is the name. */
  private declaration(node: Node, ctx: Ctx, piece: Piece): void {
    const keyword = node.child(0);
    const argNodes = node.namedChildren;
    const args = argNodes.map((a) => this.word(a, piece));
    const range = this.range(node, piece);
    const cmd: ShellCommand = {
      name: keyword?.text ?? '',
      args,
      exec: false,
      assignments: [],
      loc: this.locate(range[0], range[1]),
      range,
      context: publicContext(ctx),
    };
    if (keyword) {
      const [a, b] = this.range(keyword, piece);
      cmd.nameWord = { text: keyword.text, raw: keyword.text, loc: this.locate(a, b), literal: true };
    }
    this.commands.push(cmd);
    for (const c of argNodes) this.expansions(c, ctx, piece);
  }

  /** `FOO=bar` (or `A=1 B=2`) on its own: a command with an empty name. */
  private assignmentsOnly(node: Node, ctx: Ctx, piece: Piece): void {
    const list = node.type === 'variable_assignment' ? [node] : node.namedChildren.filter((c) => c.type === 'variable_assignment');
    this.pushAssignments(list, node.startIndex, node.endIndex, ctx, piece);
  }

  private pushAssignments(list: Node[], start: number, end: number, ctx: Ctx, piece: Piece): void {
    const range = this.span(start, end, piece);
    this.commands.push({
      name: '',
      args: [],
      exec: false,
      assignments: list.map(assignmentOf),
      loc: this.locate(range[0], range[1]),
      range,
      context: publicContext(ctx),
    });
    for (const a of list) this.expansions(a, ctx, piece);
  }

  // --- errors --------------------------------------------------------------------------------

  private collectErrors(node: Node, piece: Piece): void {
    const where = piece.depth > 0 ? ' (in a sh -c string)' : '';
    if (node.isError || node.isMissing) {
      const [a, b] = this.range(node, piece);
      let message: string;
      if (node.isMissing) message = `missing "${node.type}"${where}`;
      else {
        const near = node.text.split('\n', 1)[0]!.trim().slice(0, 40);
        message = `syntax error${near ? ` near "${near}"` : ''}${where}`;
      }
      this.errors.push({ message, loc: this.locate(a, b) });
      if (node.isError) return; // one report per broken region
    }
    for (const c of node.children) if (c.hasError || c.isMissing) this.collectErrors(c, piece);
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

function publicContext(c: Ctx): ShellCommandContext {
  const o: ShellCommandContext = { inCondition: c.inCondition, background: c.background, negated: c.negated, subshell: c.subshell };
  if (c.functionName !== undefined) o.functionName = c.functionName;
  if (c.loop) o.loop = c.loop;
  if (c.connector) o.connector = c.connector;
  if (c.inShellString) o.inShellString = true;
  if (c.shellString !== undefined) o.shellString = c.shellString;
  if (c.joinedBy) o.joinedBy = c.joinedBy;
  return o;
}

const REDIRECTS = new Set(['file_redirect', 'herestring_redirect', 'heredoc_redirect']);
/** Expression nodes inside `[ … ]`/`[[ … ]]` whose parts are the test command's words. */
const TEST_EXPRESSIONS = new Set(['unary_expression', 'binary_expression', 'parenthesized_expression', 'ternary_expression', 'postfix_expression', 'negated_expression']);

/** The simple command a redirection written after `node` applies to: the last one of a list or pipeline. */
function lastSimpleCommand(node: Node): Node | undefined {
  switch (node.type) {
    case 'command':
    case 'declaration_command':
    case 'unset_command':
    case 'test_command':
      return node;
    case 'list':
    case 'pipeline':
    case 'negated_command': {
      const kids = node.namedChildren.filter((c) => c.type !== 'comment');
      const last = kids[kids.length - 1];
      return last ? lastSimpleCommand(last) : undefined;
    }
    case 'redirected_statement': {
      const body = node.childForFieldName('body');
      return body ? lastSimpleCommand(body) : undefined;
    }
    default:
      return undefined; // `{ …; } > f`, `( … ) > f`: the redirection is the compound's
  }
}

/**
 * The top level of a parsed text is a plain list (ShellCommandContext.joinedBy): statements of
 * simple commands joined by `&&`, `||` and `|` (with `!`, `&` and file or here-string
 * redirections), nothing else, and no syntax error anywhere.
 */
function isPlainList(root: Node): boolean {
  if (root.hasError) return false;
  const plain = (n: Node): boolean => {
    switch (n.type) {
      case 'comment':
      case 'command':
      case 'declaration_command':
      case 'unset_command':
      case 'variable_assignment':
      case 'variable_assignments':
        return true;
      case 'test_command':
        return n.child(0)?.type === '[' || n.child(0)?.type === '[[';
      case 'list':
      case 'pipeline':
      case 'negated_command':
        return n.namedChildren.every(plain);
      case 'redirected_statement': {
        const body = n.childForFieldName('body');
        return n.namedChildren.every((c) => (body && c.equals(body) ? plain(c) : c.type === 'file_redirect' || c.type === 'herestring_redirect'));
      }
      default:
        return false;
    }
  };
  return root.namedChildren.every(plain);
}

function assignmentOf(node: Node): { name: string; value: string } {
  const value = node.childForFieldName('value');
  return { name: node.childForFieldName('name')?.text ?? '', value: value ? unquoteShellWord(value.text).text : '' };
}

/** An unescaped newline between two sibling nodes (a backslash-newline is a continuation). */
function newlineBetween(text: string, a: Node, b: Node): boolean {
  return /(^|[^\\])\r?\n/.test(text.slice(a.endIndex, b.startIndex));
}

/** Words taken by `exec`'s own options (`-a NAME`, `-c`, `-l`, `--`) before the program. */
function execOptionCount(args: string[]): number {
  let i = 0;
  while (i < args.length) {
    const a = args[i]!;
    if (a === '--') return i + 1;
    if (a === '-a') i += 2;
    else if (/^-[cl]+$/.test(a)) i++;
    else break;
  }
  return Math.min(i, args.length);
}

/**
 * Index in `argv` (the program included) of the string a `sh -c STRING` runs, also behind
 * wrappers (`exec gosu app bash -c "…"`); -1 when argv runs no shell string.
 */
export function shellStringArg(argv: string[]): number {
  if (argv.length === 0) return -1;
  const u = unwrapCommand(argv[0]!, argv.slice(1));
  if (!SHELLS.has(commandBasename(u.name))) return -1;
  const idx = shellStringIndex(u.args);
  // unwrapCommand only peels from the front, so its result is a suffix of argv
  return idx < 0 ? -1 : argv.length - u.args.length + idx;
}

/**
 * Index of the command string in the arguments of `sh`/`bash`, or -1 when there is no `-c`.
 * POSIX: `sh -c [options] string [name [args…]]`, i.e. the first operand after the options.
 */
export function shellStringIndex(args: string[]): number {
  let sawC = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--' || a === '-') return sawC && i + 1 < args.length ? i + 1 : -1;
    if (a.startsWith('--')) {
      if (a === '--rcfile' || a === '--init-file') i++;
      continue; // --login, --norc, --posix, …
    }
    if (/^[-+][A-Za-z]+$/.test(a)) {
      if (a[0] === '-' && a.includes('c')) sawC = true;
      if (/[oO]/.test(a)) i++; // `-o pipefail`, `-euo pipefail`, `-O extglob` take the next word
      continue;
    }
    return sawC ? i : -1;
  }
  return -1;
}

/** `set -e`, `set -eux`, `set -o errexit`, `set -euo pipefail`, `set -eo errexit` … */
function setEnablesErrexit(args: string[]): boolean {
  let on = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--' || !/^[-+][A-Za-z]+$/.test(a)) break; // `set -- args` / positional params
    if (a[0] === '-' && a.includes('e')) on = true;
    if (a.includes('o')) {
      const opt = args[++i];
      if (opt === 'errexit' && a[0] === '-') on = true;
    }
  }
  return on;
}

/** `/bin/sh -e`, `/bin/bash -eu`, `/usr/bin/env -S bash -e`, `/bin/sh -o errexit`. */
function shebangErrexit(shebang: string): boolean {
  const tokens = shebang.split(/\s+/).filter(Boolean);
  let k = 1;
  if (commandBasename(tokens[0] ?? '') === 'env') {
    while (k < tokens.length && tokens[k]!.startsWith('-')) k++; // env's own options (-S)
    k++; // the interpreter
  }
  return setEnablesErrexit(tokens.slice(k));
}
