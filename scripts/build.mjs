// Bundle the CLI into dist/cli.mjs with esbuild and copy the tree-sitter WASM files beside it
// (the runtime looks for them next to the bundle). Type-checking is `npm run typecheck`.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
rmSync('dist', { recursive: true, force: true });
mkdirSync('dist', { recursive: true });
await build({
  entryPoints: { cli: 'src/cli/main.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  // CJS dependencies inside an ESM bundle need a real `require`
  banner: { js: "import { createRequire as __drydockRequire } from 'node:module'; const require = __drydockRequire(import.meta.url);" },
});
const wasm = [
  ['web-tree-sitter', 'web-tree-sitter.wasm'],
  ['tree-sitter-bash', 'tree-sitter-bash.wasm'],
  ['tree-sitter-python', 'tree-sitter-python.wasm'],
];
for (const [pkg, file] of wasm) {
  // web-tree-sitter's `exports` hides package.json but lists the wasm itself
  const src = pkg === 'web-tree-sitter' ? require.resolve(`${pkg}/${file}`) : join(dirname(require.resolve(`${pkg}/package.json`)), file);
  copyFileSync(src, join('dist', file));
}
