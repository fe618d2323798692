import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SourceFile } from '../../src/core/source-file.js';
import { literalValue } from '../../src/parse/python/expr.js';
import { parsePython } from '../../src/parse/python/parse-python.js';

const parse = (text: string, path = 'app/settings.py') => parsePython(new SourceFile(path, text));

const SETTINGS = `import os
from typing import Literal, Optional

from pydantic import AliasChoices, BaseModel, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class RedisSettings(BaseModel):
    url: str = "redis://localhost:6379/0"
    pool_size: int = 10


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="APP_", env_nested_delimiter="__", env_file=(".env", ".env.prod"), extra="ignore")

    debug: bool = False
    database_url: str
    mode: Literal["a", "b"] = "a"
    hosts: list[str] = Field(default_factory=list, validation_alias=AliasChoices("HOSTS", "ALLOWED_HOSTS"))
    api_key: Optional[str] = Field(None, alias="API_KEY")
    redis: RedisSettings = RedisSettings()

    @model_validator(mode="after")
    def check(self) -> "Settings":
        if self.mode == "b" and not self.hosts:
            raise ValueError("hosts are required in mode b")
        return self


SECRET = os.environ["DJANGO_SECRET_KEY"]
DEBUG = os.getenv("DEBUG", "0")
HOSTS = os.environ.get("ALLOWED_HOSTS")
settings = Settings()
`;

describe('parsePython: a pydantic-settings module', () => {
  it('extracts classes, bases, fields with annotations and model_config keywords', async () => {
    const m = await parse(SETTINGS);
    assert.equal(m.hasErrors, false);
    assert.deepEqual(
      m.classes.map((c) => [c.name, c.bases]),
      [
        ['RedisSettings', ['BaseModel']],
        ['Settings', ['BaseSettings']],
      ],
    );
    const s = m.classes[1]!;
    assert.deepEqual(
      s.fields.map((f) => [f.name, f.annotation]),
      [
        ['debug', 'bool'],
        ['database_url', 'str'],
        ['mode', 'Literal["a", "b"]'],
        ['hosts', 'list[str]'],
        ['api_key', 'Optional[str]'],
        ['redis', 'RedisSettings'],
      ],
    );
    assert.deepEqual(s.fields.find((f) => f.name === 'mode')?.literals, ['a', 'b']);
    assert.equal(s.fields.find((f) => f.name === 'database_url')?.value, undefined);
    assert.deepEqual(
      s.modelConfig?.map((k) => [k.name, literalValue(k.value)]),
      [
        ['env_prefix', 'APP_'],
        ['env_nested_delimiter', '__'],
        ['env_file', ['.env', '.env.prod']],
        ['extra', 'ignore'],
      ],
    );
    assert.deepEqual(s.methods.map((x) => [x.name, x.decorators]), [['check', ['model_validator(mode="after")']]]);
  });

  it('gives 1-based locations of field names', async () => {
    const m = await parse(SETTINGS);
    const f = m.classes[1]!.fields.find((x) => x.name === 'database_url')!;
    assert.deepEqual(f.nameLoc, { file: 'app/settings.py', startLine: 17, startColumn: 5, endLine: 17, endColumn: 17 });
  });

  it('finds environment reads with required/optional, defaults and locations', async () => {
    const m = await parse(SETTINGS);
    assert.deepEqual(
      m.envReads.map((r) => [r.name, r.via, r.required, r.default ? literalValue(r.default) : undefined, r.scope, r.loc.startLine, r.loc.startColumn]),
      [
        ['DJANGO_SECRET_KEY', 'os.environ[]', true, undefined, 'module', 30, 10],
        ['DEBUG', 'os.getenv', false, '0', 'module', 31, 9],
        ['ALLOWED_HOSTS', 'os.environ.get', false, undefined, 'module', 32, 9],
      ],
    );
  });

  it('finds if/raise guards in validators with their message and the enclosing method', async () => {
    const m = await parse(SETTINGS);
    assert.equal(m.ifRaises.length, 1);
    const g = m.ifRaises[0]!;
    assert.equal(g.condition.kind, 'boolop');
    assert.equal(g.condition.text, 'self.mode == "b" and not self.hosts');
    assert.equal(g.exception, 'ValueError');
    assert.equal(g.message, 'hosts are required in mode b');
    assert.equal(g.className, 'Settings');
    assert.equal(g.functionName, 'check');
    assert.deepEqual(g.decorators, ['model_validator(mode="after")']);
    assert.deepEqual([g.loc.startLine, g.loc.startColumn, g.loc.endLine], [25, 9, 25]);
  });

  it('records module assignments and calls (instantiation)', async () => {
    const m = await parse(SETTINGS);
    assert.ok(m.assignments.some((a) => a.name === 'settings' && a.value?.kind === 'call'));
    assert.ok(m.calls.some((c) => c.callee === 'Settings' && c.positional === 0 && !c.functionName));
  });
});

describe('parsePython: environment reads', () => {
  it('follows import aliases and skips writes, deletes and handled KeyErrors', async () => {
    const m = await parse(`import os as _os
from os import environ, getenv as ge
A = environ["A"]
B = ge("B", "b")
C = _os.environ.get("C")
_os.environ["W"] = "1"
del environ["D"]
try:
    E = environ["E"]
except KeyError:
    E = None
def f():
    return int(environ["F"])
`);
    assert.deepEqual(
      m.envReads.map((r) => [r.name, r.via, r.required, r.inTry, r.scope, r.cast ?? '']),
      [
        ['A', 'os.environ[]', true, false, 'module', ''],
        ['B', 'os.getenv', false, false, 'module', ''],
        ['C', 'os.environ.get', false, false, 'module', ''],
        ['E', 'os.environ[]', true, true, 'module', ''],
        ['F', 'os.environ[]', true, false, 'function', 'int'],
      ],
    );
  });

  it('reads django-environ: env(), typed getters, scheme defaults and implied names', async () => {
    const m = await parse(`import environ
env = environ.Env(DEBUG=(bool, False), ALLOWED=list)
environ.Env.read_env()
SECRET_KEY = env("SECRET_KEY")
DEBUG = env("DEBUG")
ALLOWED = env.list("ALLOWED")
PORT = env.int("PORT", default=8000)
DATABASES = {"default": env.db()}
CACHE = env.str("CACHE", "x")
`);
    assert.deepEqual(
      m.envReads.map((r) => [r.name, r.via, r.required, r.cast ?? '']),
      [
        ['SECRET_KEY', 'env()', true, ''],
        ['DEBUG', 'env()', false, ''],
        ['ALLOWED', 'env.method', true, 'list'],
        ['PORT', 'env.method', false, 'int'],
        ['DATABASE_URL', 'env.method', true, 'db'],
        ['CACHE', 'env.method', false, 'str'],
      ],
    );
  });

  it('does not mistake django-environ for os.environ, or a local dict for the environment', async () => {
    const m = await parse(`import environ
environ = {"X": 1}
x = environ["X"]
`);
    assert.deepEqual(m.envReads, []);
  });
});

describe('parsePython: expressions and robustness', () => {
  it('models comparisons, Enum attributes, tuples, not and v1 Config', async () => {
    const m = await parse(`from enum import Enum
class Environment(str, Enum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"

class S(BaseSettings):
    environment: Environment = Environment.DEVELOPMENT
    class Config:
        env_prefix = "LEGACY_"
        case_sensitive = True

if settings.environment in ("production", "prod") and settings.debug is not None:
    raise SystemExit("no debug in production")
`);
    const s = m.classes.find((c) => c.name === 'S')!;
    assert.deepEqual(s.legacyConfig?.map((k) => [k.name, literalValue(k.value)]), [
      ['env_prefix', 'LEGACY_'],
      ['case_sensitive', true],
    ]);
    assert.ok(!m.classes.some((c) => c.name === 'Config' && !c.outer), 'Config is nested');
    const g = m.ifRaises[0]!;
    assert.equal(g.exception, 'SystemExit');
    assert.equal(g.message, 'no debug in production');
    const c = g.condition;
    assert.ok(c.kind === 'boolop' && c.left.kind === 'compare' && c.right.kind === 'compare');
    if (c.kind === 'boolop' && c.left.kind === 'compare' && c.right.kind === 'compare') {
      assert.deepEqual(c.left.ops, ['in']);
      assert.equal(c.left.operands[1]!.kind, 'seq');
      assert.deepEqual(c.right.ops, ['is not']);
    }
  });

  it('survives syntax errors and hostile input without throwing', async () => {
    const broken = await parse('class S(BaseSettings:\n    x: int = \n    y: str = "ok"\nos.environ["A"\n');
    assert.equal(broken.hasErrors, true);
    const deep = await parse(`x = ${'('.repeat(3000)}1${')'.repeat(3000)}\n`);
    assert.ok(deep);
    const empty = await parse('');
    assert.deepEqual(empty.classes, []);
  });
});
