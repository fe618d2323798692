/**
 * Lazy loading of the tree-sitter WASM runtime and grammars.
 *
 * Why lazy: initialising the runtime and a grammar costs ~35 ms and ~2 MB of WASM, and most scans
 * may never see a shell script or Python module. Nothing (not even the `web-tree-sitter` JS
 * module) is loaded until `loadLanguage` is first called; after that the same Parser is returned.
 *
 * Where the .wasm files are: the bundled build copies web-tree-sitter.wasm, tree-sitter-bash.wasm
 * and tree-sitter-python.wasm next to `dist/cli.mjs`, so the directory of the running module is
 * tried first. Under tsx/tests they live in node_modules (the grammar packages are
 * devDependencies and are absent from an installed drydock).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Parser } from 'web-tree-sitter';

export type LanguageName = 'bash' | 'python';

/** file name of each grammar and the package specifier that resolves it in node_modules */
const GRAMMARS: Record<LanguageName, { file: string; specifier: string }> = {
  bash: { file: 'tree-sitter-bash.wasm', specifier: 'tree-sitter-bash/tree-sitter-bash.wasm' },
  python: { file: 'tree-sitter-python.wasm', specifier: 'tree-sitter-python/tree-sitter-python.wasm' },
};
/** `web-tree-sitter/package.json` is not in the package's `exports`, but the wasm is. */
const RUNTIME = { file: 'web-tree-sitter.wasm', specifier: 'web-tree-sitter/web-tree-sitter.wasm' };

type TreeSitterModule = typeof import('web-tree-sitter');

let runtime: Promise<TreeSitterModule> | undefined;
const parsers = new Map<LanguageName, Promise<Parser>>();

/** Directories next to the running module: dist/ when bundled (and its parent, in case chunks go to a subdirectory). */
function moduleDirs(): string[] {
  try {
    const here = fileURLToPath(new URL('.', import.meta.url));
    return [here, dirname(here)];
  } catch {
    return []; // e.g. a CJS bundle where import.meta.url is empty
  }
}

/** Absolute path of a wasm file: next to the module first, then node_modules. Throws a readable error if missing. */
export function locateWasm(file: string, specifier: string): string {
  for (const dir of moduleDirs()) {
    const p = join(dir, file);
    if (existsSync(p)) return p;
  }
  try {
    return createRequire(import.meta.url).resolve(specifier);
  } catch {
    throw new Error(
      `drydock: cannot find ${file} (looked next to ${moduleDirs()[0] ?? 'the running module'} and in node_modules/${specifier.split('/')[0]}); the build must copy it next to dist/cli.mjs`,
    );
  }
}

function loadRuntime(): Promise<TreeSitterModule> {
  runtime ??= (async () => {
    const mod = await import('web-tree-sitter');
    // Without locateFile the runtime looks next to its own JS file, which in the bundle is
    // dist/cli.mjs's chunk, and aborts with ENOENT if the copy is missing; resolve it ourselves.
    const wasmPath = locateWasm(RUNTIME.file, RUNTIME.specifier);
    await mod.Parser.init({ locateFile: (name: string) => (name === RUNTIME.file ? wasmPath : name) });
    return mod;
  })();
  // A failed init is not cached, so a later call can retry (and report the error again).
  runtime.catch(() => {
    runtime = undefined;
  });
  return runtime;
}

/**
 * The shared Parser for a language, created on first use. Callers must not `delete()` it or
 * change its language; they must `delete()` every Tree they parse with it (WASM memory is not
 * garbage-collected).
 */
export function loadLanguage(name: LanguageName): Promise<Parser> {
  let p = parsers.get(name);
  if (!p) {
    p = (async () => {
      const { Parser, Language } = await loadRuntime();
      const g = GRAMMARS[name];
      const language = await Language.load(locateWasm(g.file, g.specifier));
      const parser = new Parser();
      parser.setLanguage(language);
      return parser;
    })();
    parsers.set(name, p);
    const mine = p;
    mine.catch(() => {
      if (parsers.get(name) === mine) parsers.delete(name); // let a later call retry
    });
  }
  return p;
}
