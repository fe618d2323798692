// Copy the compose-spec JSON schema from the dclint devDependency into src/knowledge/.
// The copy is committed so tests (tsx from source) and `npm ci` builds need no network and no
// dclint at run time. Rerun after bumping dclint: `node scripts/vendor-compose-schema.mjs`.
// Origin and license: src/knowledge/compose-schema.README.md and NOTICE.
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const pkgDir = path.dirname(require.resolve('dclint/package.json'));
const version = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).version;
const schema = JSON.parse(readFileSync(path.join(pkgDir, 'schemas/compose.schema.json'), 'utf8'));
const out = path.join(path.dirname(fileURLToPath(import.meta.url)), '../src/knowledge/compose-schema.json');
writeFileSync(out, JSON.stringify(schema, null, 2) + '\n');
console.log(`copied dclint@${version} schemas/compose.schema.json -> ${path.relative(process.cwd(), out)}`);
