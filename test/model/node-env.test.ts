/**
 * Environment reads of Node code: `process.env.X` with and without a fallback, destructuring,
 * envalid `cleanEnv` specs and zod schemas parsed from `process.env`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SourceFile } from '../../src/core/source-file.js';
import { buildApp } from '../../src/model/app/build-app.js';
import { isAppJsFile, nodeEnvReads } from '../../src/model/app/node-env.js';
import type { EnvRead } from '../../src/model/app/types.js';

const reads = (text: string, path = 'src/config.js'): EnvRead[] => nodeEnvReads(new SourceFile(path, text));
/** name → `required`/`optional` (plus `@fn` when read inside a function) */
const summary = (rs: EnvRead[]): Record<string, string> =>
  Object.fromEntries(rs.map((r) => [r.name, `${r.required ? 'required' : 'optional'}${r.atImport ? '' : '@fn'}${r.default !== undefined ? `=${r.default}` : ''}`]));

describe('node env reads: process.env', () => {
  it('is required without a fallback and optional with ??, ||, a test or a comparison', () => {
    const rs = reads(`const db = process.env.DATABASE_URL;
const secret = process.env["SESSION_SECRET"];
const port = process.env.PORT ?? 3000;
const host = process.env.HOST || '0.0.0.0';
const workers = Number(process.env.WORKERS) || 2;
if (process.env.SENTRY_DSN) init();
const mode = process.env.MODE ? 'a' : 'b';
const prod = process.env.NODE_ENV === 'production';
if (typeof process.env.FLAG !== 'undefined') {}
const dbg = !process.env.NO_DEBUG;
const region = process.env.REGION?.trim();
const api = process.env.REACT_APP_API;
process.env.WRITTEN = 'x';
`);
    assert.deepEqual(summary(rs), {
      DATABASE_URL: 'required',
      SESSION_SECRET: 'required',
      PORT: 'optional=3000',
      HOST: 'optional=0.0.0.0',
      WORKERS: 'optional',
      SENTRY_DSN: 'optional',
      MODE: 'optional',
      NODE_ENV: 'optional',
      FLAG: 'optional',
      NO_DEBUG: 'optional',
      REGION: 'optional',
      REACT_APP_API: 'optional',
    });
    const db = rs.find((r) => r.name === 'DATABASE_URL')!;
    assert.equal(db.language, 'node');
    assert.equal(db.via, 'process.env');
    assert.equal(db.loc.startLine, 1);
    assert.equal(rs.find((r) => r.name === 'SESSION_SECRET')!.via, 'process.env[]');
  });

  it('tells module-load reads from reads inside functions and handlers', () => {
    const rs = reads(`import express from 'express';
const app = express();
const pool = new Pool({ connectionString: process.env.DATABASE_URL });
app.get('/x', (req, res) => {
  res.send(process.env.GREETING);
});
function token() {
  return process.env.TOKEN;
}
const lazy = () => process.env.LAZY
const eager = process.env.EAGER
export class Svc {
  url(): string {
    return process.env.SVC_URL;
  }
}
`);
    assert.deepEqual(summary(rs), { DATABASE_URL: 'required', GREETING: 'required@fn', TOKEN: 'required@fn', LAZY: 'required@fn', EAGER: 'required', SVC_URL: 'required@fn' });
  });

  it('reads destructuring with and without defaults', () => {
    const rs = reads(`const { DATABASE_URL, LOG_LEVEL = 'info', REDIS_URL: redisUrl, ...rest } = process.env;\n`);
    assert.deepEqual(summary(rs), { DATABASE_URL: 'required', LOG_LEVEL: 'optional=info', REDIS_URL: 'required' });
  });

  it('ignores files that do not mention process.env, and skips tests, build output and dependencies', () => {
    assert.deepEqual(reads(`const env = process.argv;\n`), []);
    assert.equal(isAppJsFile('src/server.ts'), true);
    assert.equal(isAppJsFile('src/server.test.ts'), false);
    assert.equal(isAppJsFile('test/helpers.js'), false);
    assert.equal(isAppJsFile('__tests__/a.js'), false);
    assert.equal(isAppJsFile('dist/server.js'), false);
    assert.equal(isAppJsFile('node_modules/x/index.js'), false);
    assert.equal(isAppJsFile('src/types.d.ts'), false);
    assert.equal(isAppJsFile('jest.config.js'), false);
  });
});

describe('node env reads: schemas', () => {
  it('envalid: required unless default or devDefault', () => {
    const rs = reads(`import { cleanEnv, str, port, bool } from 'envalid';
export const env = cleanEnv(process.env, {
  DATABASE_URL: str(),
  PORT: port({ default: 3000 }),
  DEBUG: bool({ devDefault: true }),
  API_KEY: str({ desc: 'the key' }),
});
`);
    assert.deepEqual(summary(rs), { DATABASE_URL: 'required', PORT: 'optional=3000', DEBUG: 'optional', API_KEY: 'required' });
    assert.equal(rs.find((r) => r.name === 'PORT')!.via, 'envalid.port');
    assert.equal(rs.find((r) => r.name === 'DATABASE_URL')!.loc.startLine, 3);
  });

  it('zod: required unless .default/.optional/.nullish, inline or through a schema variable; safeParse never requires', () => {
    const inline = reads(`import { z } from 'zod';
export const env = z.object({
  DATABASE_URL: z.string().url(),
  LOG_LEVEL: z.string().default('info'),
  SENTRY_DSN: z.string().optional(),
  PORT: z.coerce.number().nullish(),
}).parse(process.env);
`);
    assert.deepEqual(summary(inline), { DATABASE_URL: 'required', LOG_LEVEL: 'optional=info', SENTRY_DSN: 'optional', PORT: 'optional' });
    const viaVar = reads(`const schema = z.object({ SECRET: z.string(), MODE: z.enum(['a', 'b']).default('a') });
export const env = schema.parse(process.env);
const safe = z.object({ OTHER: z.string() }).safeParse(process.env);
`);
    assert.deepEqual(summary(viaVar), { SECRET: 'required', MODE: 'optional=a', OTHER: 'optional' });
  });
});

describe('node env reads: the app model', () => {
  it('buildApp collects Node reads without any Python, and only from app files', async () => {
    const files: Record<string, string> = {
      'api/server.js': `const url = process.env.DATABASE_URL;\n`,
      'api/server.test.js': `const t = process.env.TEST_ONLY;\n`,
      'api/node_modules/x/index.js': `const d = process.env.DEP;\n`,
      'api/util.js': `module.exports = 1;\n`,
    };
    const b = await buildApp({ files: new Set(Object.keys(files)), read: (p) => new SourceFile(p, files[p]!) });
    assert.ok(b.app);
    assert.deepEqual(
      b.app.envReads.map((r) => [r.module, r.name, r.required, r.atImport]),
      [['api/server.js', 'DATABASE_URL', true, true]],
    );
    assert.ok(b.sources.has('api/server.js'));
  });
});
