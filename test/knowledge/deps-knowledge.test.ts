import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EXTRAS, needForDatabaseUrl, needForGunicornWorker, needForPasslibScheme } from '../../src/knowledge/implicit-deps.js';
import { INCOMPATIBLE, isAffected, likelyInstalled } from '../../src/knowledge/incompatible.js';
import { IMPORT_TABLE, importRow, isStdlibModule, stdlibRemoval } from '../../src/knowledge/python-imports.js';

test('import table: 87 rows from KNOWLEDGE §3.2, each with a source and a confidence', () => {
  assert.equal(IMPORT_TABLE.length, 87);
  for (const r of IMPORT_TABLE) assert.ok(r.source && (r.conf === 'V' || r.conf === 'S') && r.dists.length, r.imports.join());
  assert.equal(IMPORT_TABLE.filter((r) => r.conf === 'V').length, 31);
  assert.deepEqual(importRow('jwt.algorithms')?.row.dists, ['PyJWT']);
  assert.deepEqual(importRow('google.cloud.storage.blob')?.prefix, 'google.cloud.storage');
  assert.equal(importRow('google.cloud.bigquery'), undefined);
  assert.equal(importRow('requests'), undefined);
});

test('standard library per version', () => {
  assert.ok(isStdlibModule('asyncio'));
  assert.ok(isStdlibModule('distutils'));
  assert.ok(!isStdlibModule('distutils', '3.12'));
  assert.ok(isStdlibModule('distutils', '3.11'));
  assert.ok(!isStdlibModule('cgi', '3.13'));
  assert.ok(isStdlibModule('formatter', '3.12'), 'U removals are never claimed');
  assert.equal(stdlibRemoval('imp', '3.12')?.removedIn, '3.12');
  assert.ok(!isStdlibModule('requests'));
});

test('implicit needs', () => {
  assert.deepEqual(needForDatabaseUrl('postgresql+psycopg2://u@h/db')?.need.dists, ['psycopg2', 'psycopg2-binary']);
  assert.equal(needForDatabaseUrl('postgresql://u@h/db')?.explicitDriver, false);
  assert.deepEqual(needForDatabaseUrl('mysql+pymysql://u@h/db')?.need.dists, ['pymysql']);
  assert.equal(needForDatabaseUrl('mysql+aiomysql://u@h/db'), undefined, 'U rows stay unknown');
  assert.equal(needForDatabaseUrl('sqlite:///x.db'), undefined);
  assert.deepEqual(needForPasslibScheme('bcrypt_sha256')?.dists, ['bcrypt']);
  assert.deepEqual(needForGunicornWorker('uvicorn.workers.UvicornWorker')?.dists, ['uvicorn']);
  assert.equal(needForGunicornWorker('sync'), undefined);
  for (const e of EXTRAS) assert.ok(e.source);
});

test('incompatible pairs: what a range installs', () => {
  const row = INCOMPATIBLE.find((r) => r.id === 'bcrypt5-passlib17')!;
  assert.equal(likelyInstalled('', row.other), '1.7.4', 'passlib has no release after 1.7.4');
  assert.ok(isAffected(likelyInstalled('', row.fixSide)!, row.fixSide), 'unpinned bcrypt installs 5.x');
  assert.ok(isAffected(likelyInstalled('>=4.0.1', row.fixSide)!, row.fixSide));
  assert.ok(!isAffected(likelyInstalled('>=4.0.1,<5', row.fixSide)!, row.fixSide));
  assert.ok(!isAffected(likelyInstalled('==4.3.0', row.fixSide)!, row.fixSide));
  assert.ok(!isAffected(likelyInstalled('~=4.2', row.fixSide)!, row.fixSide));
  const flask = INCOMPATIBLE.find((r) => r.id === 'werkzeug3-flask22')!;
  assert.ok(isAffected(likelyInstalled('>=2.0,<2.3', flask.other)!, flask.other));
  assert.ok(!isAffected(likelyInstalled('>=2.0', flask.other)!, flask.other));
});
