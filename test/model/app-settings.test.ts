/**
 * The settings schema as pydantic-settings resolves it, environment coercion and guard evaluation.
 * Each behaviour is the documented one: https://docs.pydantic.dev/latest/concepts/pydantic_settings/
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SourceFile } from '../../src/core/source-file.js';
import { buildApp } from '../../src/model/app/build-app.js';
import { coerce, resolveSettingValues, type EffectiveVar } from '../../src/model/app/effective.js';
import { evaluateGuard } from '../../src/model/app/guards.js';
import { editDistance, judgeVariable } from '../../src/model/app/names.js';
import type { AppModel, SettingsClass, SettingValue } from '../../src/model/app/types.js';

async function app(files: Record<string, string>): Promise<AppModel> {
  const b = await buildApp({ files: new Set(Object.keys(files)), read: (p) => (files[p] === undefined ? undefined : new SourceFile(p, files[p]!)) });
  assert.deepEqual(b.problems, []);
  assert.ok(b.app, 'an app was found');
  return b.app;
}

const cls = (a: AppModel, name: string): SettingsClass => {
  const c = a.settings.find((s) => s.name === name);
  assert.ok(c, `no settings class ${name} in ${a.settings.map((s) => s.name).join(', ')}`);
  return c;
};
const names = (c: SettingsClass) => Object.fromEntries(c.fields.map((f) => [f.path, f.envNames]));
const vars = (o: Record<string, string | null>): Map<string, EffectiveVar> =>
  new Map(Object.entries(o).map(([name, value]) => [name, { name, value, from: 'environment', loc: { file: 'compose.yaml', startLine: 1 }, overrode: [], unset: [] } satisfies EffectiveVar]));

describe('settings schema: env names', () => {
  it('applies env_prefix to field names but not to aliases; AliasChoices gives every choice; names are upper-cased (case-insensitive)', async () => {
    const a = await app({
      'app/config.py': `from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="shop_")
    debug: bool = False
    api_key: str = Field(alias="MY_API_KEY")
    hosts: list[str] = Field(default_factory=list, validation_alias=AliasChoices("HOSTS", "allowed_hosts"))

settings = Settings()
`,
    });
    const s = cls(a, 'Settings');
    assert.deepEqual(names(s), { debug: ['SHOP_DEBUG'], api_key: ['MY_API_KEY'], hosts: ['HOSTS', 'ALLOWED_HOSTS'] });
    assert.equal(s.fields.find((f) => f.path === 'api_key')?.required, true);
    assert.equal(s.fields.find((f) => f.path === 'api_key')?.secret, true);
    assert.deepEqual(s.fields.find((f) => f.path === 'hosts')?.defaultValue, []);
  });

  it('keeps the case when case_sensitive=True', async () => {
    const a = await app({
      'settings.py': `from pydantic_settings import BaseSettings, SettingsConfigDict
class Settings(BaseSettings):
    model_config = SettingsConfigDict(case_sensitive=True, env_prefix="App_")
    redis_host: str = "localhost"
Settings()
`,
    });
    assert.deepEqual(names(cls(a, 'Settings')), { redis_host: ['App_redis_host'] });
  });

  it('flattens nested models: PREFIX + FIELD + delimiter + SUBFIELD, plus the JSON variable for the whole model', async () => {
    const a = await app({
      'app/settings.py': `from pydantic import BaseModel
from pydantic_settings import BaseSettings, SettingsConfigDict

class Deep(BaseModel):
    v4: str

class Database(BaseModel):
    host: str = "localhost"
    port: int = 5432
    deep: Deep

class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="APP_", env_nested_delimiter="__")
    database: Database = Database(host="db", deep=Deep(v4="x"))

settings = Settings()
`,
    });
    const s = cls(a, 'Settings');
    assert.deepEqual(names(s), {
      database: ['APP_DATABASE'],
      'database.host': ['APP_DATABASE__HOST'],
      'database.port': ['APP_DATABASE__PORT'],
      'database.deep': ['APP_DATABASE__DEEP'],
      'database.deep.v4': ['APP_DATABASE__DEEP__V4'],
    });
    const host = s.fields.find((f) => f.path === 'database.host')!;
    assert.equal(host.defaultValue, 'db', 'the default instance overrides the sub-default');
    assert.equal(host.parent, 'database');
    assert.equal(s.fields.find((f) => f.path === 'database.deep.v4')?.required, false, 'the parent has a default');
  });

  it('without a nested delimiter, sub-fields have no variable of their own (JSON only)', async () => {
    const a = await app({
      'settings.py': `from pydantic import BaseModel
from pydantic_settings import BaseSettings
class Sub(BaseModel):
    foo: str = "bar"
class Settings(BaseSettings):
    more: Sub = Sub()
Settings()
`,
    });
    assert.deepEqual(names(cls(a, 'Settings')), { more: ['MORE'], 'more.foo': [] });
  });

  it('v1: class Config env_prefix, Field(env=...) without prefix, aliases ignored, Optional defaults to None', async () => {
    const a = await app({
      'app/settings.py': `from typing import Optional
from pydantic import BaseSettings, Field

class Settings(BaseSettings):
    auth_key: str
    api_key: str = Field(..., env="my_api_key")
    other: str = Field("x", alias="OTHER_ALIAS")
    sentry_dsn: Optional[str]

    class Config:
        env_prefix = "legacy_"

settings = Settings()
`,
    });
    const s = cls(a, 'Settings');
    assert.equal(s.version, 1);
    assert.deepEqual(names(s), { auth_key: ['LEGACY_AUTH_KEY'], api_key: ['MY_API_KEY'], other: ['LEGACY_OTHER'], sentry_dsn: ['LEGACY_SENTRY_DSN'] });
    assert.deepEqual(
      s.fields.map((f) => [f.path, f.required]),
      [
        ['auth_key', true],
        ['api_key', true],
        ['other', false],
        ['sentry_dsn', false],
      ],
    );
  });

  it('inherits fields and merges model_config from settings base classes; class keywords count', async () => {
    const a = await app({
      'app/base.py': `from pydantic_settings import BaseSettings, SettingsConfigDict
class AppSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="APP_", env_nested_delimiter="__")
    debug: bool = True
`,
      'app/settings.py': `from .base import AppSettings
from pydantic_settings import SettingsConfigDict
class ProdSettings(AppSettings, extra="ignore"):
    model_config = SettingsConfigDict(env_prefix="PROD_")
    secret_key: str
settings = ProdSettings()
`,
    });
    assert.deepEqual(
      a.settings.map((s) => s.name),
      ['ProdSettings'],
      'a base class that is only subclassed is not a settings class of its own',
    );
    const s = cls(a, 'ProdSettings');
    assert.equal(s.envPrefix, 'PROD_');
    assert.equal(s.nestedDelimiter, '__');
    assert.equal(s.extra, 'ignore');
    assert.deepEqual(names(s), { debug: ['PROD_DEBUG'], secret_key: ['PROD_SECRET_KEY'] });
  });

  it('types: Literal and Enum choices, Enum member defaults, Optional unwrapping, SecretStr', async () => {
    const a = await app({
      'app/settings.py': `from enum import Enum
from typing import Annotated, Literal, Optional
from pydantic import SecretStr
from pydantic_settings import BaseSettings

class Environment(str, Enum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"

class Settings(BaseSettings):
    environment: Environment = Environment.DEVELOPMENT
    log_level: Literal["debug", "info"] = "info"
    workers: Optional[int] = None
    ratio: Annotated[float, "x"] = 0.5
    token: SecretStr
    tags: set[str] = set()

settings = Settings()
`,
    });
    const f = Object.fromEntries(cls(a, 'Settings').fields.map((x) => [x.path, x]));
    assert.deepEqual([f.environment!.kind, f.environment!.choices, f.environment!.defaultValue, f.environment!.default], ['enum', ['development', 'production'], 'development', 'Environment.DEVELOPMENT']);
    assert.deepEqual(f.environment!.enumClass, { name: 'Environment', strMixin: true });
    assert.deepEqual([f.log_level!.kind, f.log_level!.choices], ['enum', ['debug', 'info']]);
    assert.equal(f.workers!.kind, 'int');
    assert.equal(f.ratio!.kind, 'float');
    assert.deepEqual([f.token!.kind, f.token!.secret, f.token!.required], ['str', true, true]);
    assert.equal(f.tags!.kind, 'complex');
  });

  it('marks classes drydock cannot judge: secrets_dir, custom sources, constructor arguments', async () => {
    const a = await app({
      'app/settings.py': `from pydantic_settings import BaseSettings, SettingsConfigDict
class A(BaseSettings):
    model_config = SettingsConfigDict(secrets_dir="/run/secrets")
    x: str
class B(BaseSettings):
    y: str
    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings, file_secret_settings):
        return (env_settings,)
class C(BaseSettings):
    z: str
a = A()
b = B()
c = C(z="set in code")
`,
    });
    assert.match(cls(a, 'A').opaque ?? '', /secrets_dir/);
    assert.match(cls(a, 'B').opaque ?? '', /customises/);
    assert.match(cls(a, 'C').opaque ?? '', /constructed with arguments/);
  });

  it('selects settings used by other modules, skips tests and unused classes', async () => {
    const a = await app({
      'svc/config.py': 'from pydantic_settings import BaseSettings\nclass Settings(BaseSettings):\n    x: int = 1\nclass Unused(BaseSettings):\n    y: int = 2\n',
      'svc/main.py': 'from .config import Settings\nsettings = Settings()\n',
      'tests/test_config.py': 'from pydantic_settings import BaseSettings\nclass T(BaseSettings):\n    z: int\nT()\n',
    });
    assert.deepEqual(
      a.settings.map((s) => [s.module, s.name]),
      [['svc/config.py', 'Settings']],
    );
  });
});

describe('environment values as pydantic parses them', () => {
  it('bools accept 1/0/true/false/yes/no/on/off/t/f/y/n in any case', () => {
    for (const v of ['1', 'true', 'True', 'YES', 'on', 't', 'y']) assert.deepEqual(coerce({ kind: 'bool', type: 'bool' }, v), { ok: true, value: true }, v);
    for (const v of ['0', 'false', 'FALSE', 'no', 'Off', 'f', 'n']) assert.deepEqual(coerce({ kind: 'bool', type: 'bool' }, v), { ok: true, value: false }, v);
    for (const v of ['maybe', 'enabled', '2', '']) assert.equal(coerce({ kind: 'bool', type: 'bool' }, v).ok, false, v);
  });

  it('ints accept signs, underscores and a zero fraction; floats, Literals and JSON', () => {
    assert.deepEqual(coerce({ kind: 'int', type: 'int' }, ' -1_000 '), { ok: true, value: -1000 });
    assert.deepEqual(coerce({ kind: 'int', type: 'int' }, '8000.0'), { ok: true, value: 8000 });
    assert.equal(coerce({ kind: 'int', type: 'int' }, 'abc').ok, false);
    assert.equal(coerce({ kind: 'int', type: 'int' }, '1.5').ok, false);
    assert.deepEqual(coerce({ kind: 'float', type: 'float' }, '1e3'), { ok: true, value: 1000 });
    assert.equal(coerce({ kind: 'enum', type: 'Literal', choices: ['a', 'b'] }, 'A').ok, false);
    assert.equal(coerce({ kind: 'enum', type: 'Literal', choices: ['1', '2'] }, 'x').ok, true, 'int literals are not judged');
    assert.deepEqual(coerce({ kind: 'complex', type: 'list[str]' }, '["a","b"]'), { ok: true, value: ['a', 'b'] });
    assert.equal(coerce({ kind: 'complex', type: 'list[str]' }, 'a,b').ok, false);
  });

  it('resolves fields: nested variables win over the JSON variable; case-insensitive names; defaults', async () => {
    const a = await app({
      'app/settings.py': `from pydantic import BaseModel
from pydantic_settings import BaseSettings, SettingsConfigDict
class Sub(BaseModel):
    v1: str = "d1"
    v2: str = "d2"
    v3: int = 0
class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_nested_delimiter="__")
    sub_model: Sub = Sub()
    flag: bool = False
settings = Settings()
`,
    });
    const r = resolveSettingValues(cls(a, 'Settings'), vars({ SUB_MODEL: '{"v1": "json-1", "v2": "json-2"}', sub_model__v2: 'nested-2', FLAG: 'yes' }));
    assert.deepEqual(
      ['sub_model.v1', 'sub_model.v2', 'sub_model.v3', 'flag'].map((p) => [p, r.get(p)?.value, r.get(p)?.source]),
      [
        ['sub_model.v1', 'json-1', 'json'],
        ['sub_model.v2', 'nested-2', 'env'],
        ['sub_model.v3', 0, 'default'],
        ['flag', true, 'env'],
      ],
    );
  });
});

describe('production guards', () => {
  const SETTINGS = `from enum import Enum
from pydantic import BaseModel, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

class Environment(str, Enum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"

class Vault(BaseModel):
    enabled: bool = False

class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_nested_delimiter="__")
    environment: Environment = Environment.DEVELOPMENT
    trusted_hosts: list[str] = []
    vault: Vault = Vault()

    @model_validator(mode="after")
    def guard(self):
        if self.environment == Environment.PRODUCTION and not self.vault.enabled:
            raise ValueError("vault")
        return self

settings = Settings()
`;
  const MAIN = `from .settings import settings
if settings.environment.value in ("production", "prod") and not settings.trusted_hosts:
    raise RuntimeError("TRUSTED_HOSTS must be set")
if settings.debug_mode:
    raise RuntimeError("not a production guard")
`;

  it('finds guards in validators and in modules that import the settings instance', async () => {
    const a = await app({ 'app/settings.py': SETTINGS, 'app/main.py': MAIN });
    assert.deepEqual(
      a.guards.map((g) => [g.module, g.loc.startLine, g.productionValues, g.message]),
      [
        ['app/settings.py', 20, ['production'], 'vault'],
        ['app/main.py', 2, ['production', 'prod'], 'TRUSTED_HOSTS must be set'],
      ],
    );
  });

  it('evaluates against the environment with pydantic coercion and the defaults', async () => {
    const a = await app({ 'app/settings.py': SETTINGS, 'app/main.py': MAIN });
    const s = cls(a, 'Settings');
    const run = (env: Record<string, string>, i: number): boolean | undefined => {
      const vals = resolveSettingValues(s, vars(env));
      const lookup = (p: string): SettingValue | undefined => {
        const r = vals.get(p);
        return r && !r.error && r.source !== 'unset' && r.source !== 'unknown' ? r.value : undefined;
      };
      return evaluateGuard(a.guards[i]!.condition, lookup);
    };
    assert.equal(run({ ENVIRONMENT: 'production' }, 0), true, 'vault disabled by default');
    assert.equal(run({ ENVIRONMENT: 'production', VAULT__ENABLED: 'True' }, 0), false);
    assert.equal(run({ environment: 'production', vault: '{"enabled": true}' }, 0), false, 'JSON variable, case-insensitive name');
    assert.equal(run({ ENVIRONMENT: 'development' }, 0), false);
    assert.equal(run({ ENVIRONMENT: 'production' }, 1), true, 'trusted_hosts defaults to []');
    assert.equal(run({ ENVIRONMENT: 'production', TRUSTED_HOSTS: '["shop.example.com"]' }, 1), false);
    assert.equal(run({ ENVIRONMENT: 'production', TRUSTED_HOSTS: 'shop.example.com' }, 1), undefined, 'an unparseable value is unknown, not a pass');
  });

  it('a plain Enum compared with a string is not a guard (it is never equal in Python)', async () => {
    const a = await app({
      'app/settings.py': `from enum import Enum
from pydantic_settings import BaseSettings
class Env(Enum):
    PROD = "production"
class Settings(BaseSettings):
    env: Env = Env.PROD
settings = Settings()
if settings.env == "production":
    raise SystemExit("never taken")
`,
    });
    assert.equal(a.guards.length, 0);
  });
});

describe('unknown variables', () => {
  it('judges only the app namespace and suggests the nearest known name', async () => {
    const a = await app({
      'app/settings.py': `from pydantic import BaseModel
from pydantic_settings import BaseSettings, SettingsConfigDict
class Db(BaseModel):
    host: str = "localhost"
    database: str = "shop"
class Auth(BaseModel):
    jwt_secret_key: str = "x"
class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_nested_delimiter="__")
    database: Db = Db()
    auth: Auth = Auth()
    secret_key: str = "change-me"
settings = Settings()
`,
    });
    const svc = { settings: a.settings, envReads: a.envReads, guards: a.guards, modules: a.modules };
    const v = (n: string) => {
      const j = judgeVariable(svc, n, a.mentioned);
      return j ? [j.reason, j.suggestion?.name] : undefined;
    };
    assert.deepEqual(v('DATABASE__NAME'), ['nested', 'DATABASE__DATABASE']);
    assert.deepEqual(v('SECRT_KEY'), ['near', 'SECRET_KEY']);
    assert.deepEqual(v('JWT_SECRET'), ['near', 'AUTH__JWT_SECRET_KEY']);
    for (const n of ['DATABASE__HOST', 'PYTHONUNBUFFERED', 'POSTGRES_PASSWORD', 'TZ', 'LOG_LEVEL', 'SENTRY_DSN', 'AWS_SECRET_ACCESS_KEY']) assert.equal(v(n), undefined, n);
  });

  it('edit distance counts adjacent transpositions once', () => {
    assert.equal(editDistance('SECRET_KEY', 'SECERT_KEY'), 1);
    assert.equal(editDistance('abc', 'abc'), 0);
    assert.equal(editDistance('kitten', 'sitting'), 3);
  });
});

describe('linking services to the app', () => {
  it('a service runs the app when its build context ships the settings module (and .dockerignore keeps it), or it pulls the image a sibling builds', async () => {
    const { mkdtempSync, mkdirSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { audit } = await import('../../src/audit.js');
    const dir = mkdtempSync(join(tmpdir(), 'drydock-app-'));
    for (const d of ['api/app', 'docs', 'ignored/app']) mkdirSync(join(dir, d), { recursive: true });
    const settings = 'from functools import lru_cache\nfrom pydantic_settings import BaseSettings\n\nclass Settings(BaseSettings):\n    environment: str = "development"\n    token: str\n\n@lru_cache\ndef get_settings() -> Settings:\n    return Settings()\n';
    writeFileSync(join(dir, 'api/app/settings.py'), settings);
    writeFileSync(join(dir, 'api/app/main.py'), 'from .settings import get_settings\n\nif get_settings().environment == "production" and not get_settings().token:\n    raise SystemExit("token")\n');
    writeFileSync(join(dir, 'api/Dockerfile'), 'FROM python:3.12-slim\nCOPY app /app\n');
    writeFileSync(join(dir, 'ignored/app/settings.py'), settings);
    writeFileSync(join(dir, 'ignored/Dockerfile'), 'FROM python:3.12-slim\nCOPY . /app\n');
    writeFileSync(join(dir, 'ignored/.dockerignore'), 'app/settings.py\n');
    writeFileSync(join(dir, 'docs/Dockerfile'), 'FROM nginx:1.27\n');
    writeFileSync(
      join(dir, 'compose.yaml'),
      'services:\n  api:\n    build: ./api\n    image: shop/api:1\n  beat:\n    image: shop/api:1\n  docs:\n    build: ./docs\n  other:\n    build: ./ignored\n  db:\n    image: postgres:16\n',
    );
    const out = await audit({ root: dir, git: 'off', rules: [] });
    const svc = (n: string) => out.model.environments[0]!.services.find((s) => s.name === n)!;
    assert.deepEqual(svc('api').app?.settings.map((s) => `${s.module}:${s.name}`), ['api/app/settings.py:Settings']);
    assert.deepEqual(svc('beat').app?.settings.map((s) => s.module), ['api/app/settings.py']);
    assert.equal(svc('docs').app, undefined);
    assert.equal(svc('other').app, undefined, '.dockerignore drops the module from the context');
    assert.equal(svc('db').app, undefined);
    assert.deepEqual(
      svc('api').app?.guards.map((g) => [g.module, g.text]),
      [['api/app/main.py', 'get_settings().environment == "production" and not get_settings().token']],
    );
    assert.ok(out.model.sources.has('api/app/settings.py'), 'parsed modules are sources (code frames, suppressions)');
  });
});
