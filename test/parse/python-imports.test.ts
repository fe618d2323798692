import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SourceFile } from '../../src/core/source-file.js';
import { scanPythonModule } from '../../src/parse/python/imports.js';

const SRC = `import os, a.b as c
from x.y import z, w as q
from . import rel
from .mod import r
from __future__ import annotations
from typing import TYPE_CHECKING
if TYPE_CHECKING:
    import onlytypes
else:
    import elsepart
try:
    import ujson as json
except (ImportError, OSError):
    import json
try:
    import yaml
except ValueError:
    pass
def f():
    import inner
if sys.version_info < (3, 11):
    import tomli
from m import (a,
   b)
from n import *
pwd = CryptContext(schemes=["bcrypt", "argon2"], deprecated="auto")
url = f"postgresql+asyncpg://{u}@h/db"
`;

test('import inventory: relative, __future__ and TYPE_CHECKING skipped; optional, nested, conditional marked', async () => {
  const f = await scanPythonModule(new SourceFile('a.py', SRC), { wantString: (s) => s.includes('://'), wantCall: (n) => n === 'CryptContext' });
  assert.deepEqual(
    f.imports.map((i) => [i.module, i.names.join(','), i.loc.startLine, i.optional, i.nested, i.conditional]),
    [
      ['os', '', 1, false, false, false],
      ['a.b', '', 1, false, false, false],
      ['x.y', 'z,w', 2, false, false, false],
      ['typing', 'TYPE_CHECKING', 6, false, false, false],
      ['elsepart', '', 10, false, true, false],
      ['ujson', '', 12, true, true, false],
      ['json', '', 14, false, true, false],
      ['yaml', '', 16, false, true, false],
      ['inner', '', 20, false, true, false],
      ['tomli', '', 22, false, true, true],
      ['m', 'a,b', 23, false, false, false],
      ['n', '*', 25, false, false, false],
    ],
  );
  assert.deepEqual(f.imports[1]!.loc, { file: 'a.py', startLine: 1, startColumn: 12, endLine: 1, endColumn: 15 });
  assert.deepEqual(f.strings.map((s) => [s.value, s.loc.startLine]), [['postgresql+asyncpg://{}@h/db', 27]]);
  assert.deepEqual(f.calls.map((c) => [c.callee, c.keywords.get('schemes')]), [['CryptContext', ['bcrypt', 'argon2']]]);
});

test('imports under `if __name__ == "__main__"` are conditional', async () => {
  const f = await scanPythonModule(new SourceFile('m.py', 'import fastapi\nif __name__ == "__main__":\n    import uvicorn\n'));
  assert.deepEqual(f.imports.map((i) => [i.top, i.conditional]), [['fastapi', false], ['uvicorn', true]]);
});

test('broken code still yields its imports', async () => {
  const f = await scanPythonModule(new SourceFile('b.py', 'import requests\ndef broken(:\n    pass\nfrom flask import Flask\n'));
  assert.equal(f.hasErrors, true);
  assert.deepEqual(f.imports.map((i) => i.top), ['requests', 'flask']);
});
