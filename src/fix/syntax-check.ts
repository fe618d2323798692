/**
 * Does a fixed file still parse? Each kind goes through the same parser the scan uses: compose
 * and config YAML must parse without any error; Dockerfiles, env files, shell scripts and Python
 * must not gain errors they did not have; package.json must stay JSON. Other files (plain text
 * lists, .dockerignore) have no syntax to break; the re-audit still checks them.
 */
import { SourceFile } from '../core/source-file.js';
import { classify } from '../discover/classify.js';
import { parseYaml } from '../parse/compose/yaml-tree.js';
import { parseDockerfile } from '../parse/dockerfile/parse-dockerfile.js';
import { parseDotenv } from '../parse/dotenv/parse-dotenv.js';
import { parseShell } from '../parse/shell/parse-shell.js';
import { loadLanguage } from '../parse/tree-sitter.js';

type Errors = { message: string; line?: number }[];

async function errorsOf(path: string, text: string): Promise<Errors | null> {
  const kind = classify(path);
  switch (kind) {
    case 'compose':
    case 'config':
      return parseYaml(path, text).errors.map((e) => ({ message: e.message, line: e.loc.startLine }));
    case 'dockerfile':
      return parseDockerfile(new SourceFile(path, text)).errors.map((e) => ({ message: e.message, line: e.loc.startLine }));
    case 'dotenv':
      return parseDotenv(new SourceFile(path, text), () => undefined).errors.map((e) => ({ message: e.message, line: e.loc.startLine }));
    case 'shell': {
      const s = await parseShell(text, { file: path, source: new SourceFile(path, text) });
      return s.hasErrors ? (s.errors.length ? s.errors.map((e) => ({ message: e.message, line: e.loc.startLine })) : [{ message: 'shell syntax error' }]) : [];
    }
    case 'python': {
      const parser = await loadLanguage('python');
      const tree = parser.parse(text);
      try {
        return tree?.rootNode.hasError ? [{ message: 'Python syntax error' }] : [];
      } finally {
        tree?.delete();
      }
    }
    case 'node-manifest':
      try {
        JSON.parse(text);
        return [];
      } catch (e) {
        return [{ message: (e as Error).message }];
      }
    default:
      return null;
  }
}

/** Why `after` is not an acceptable replacement for `before`, or null when it parses as well as before. */
export async function syntaxRegression(path: string, before: string, after: string): Promise<string | null> {
  const next = await errorsOf(path, after);
  if (!next?.length) return null;
  const kind = classify(path);
  const strict = kind === 'compose' || kind === 'config' || kind === 'node-manifest';
  let fresh = next;
  if (!strict) {
    // an error is new when its message occurs more often than before (lines move with edits)
    const left = new Map<string, number>();
    for (const p of (await errorsOf(path, before)) ?? []) left.set(p.message, (left.get(p.message) ?? 0) + 1);
    fresh = next.filter((n) => {
      const k = left.get(n.message) ?? 0;
      if (k > 0) left.set(n.message, k - 1);
      return k === 0;
    });
    if (!fresh.length) return null;
  }
  const e = fresh[0]!;
  return `${path}${e.line !== undefined ? `:${e.line}` : ''} would no longer parse: ${e.message}`;
}
