import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SourceFile } from '../../src/core/source-file.js';
import { npmLockMismatches, parseLock, pythonLockMismatches, allPyprojectRequirements } from '../../src/parse/manifests/locks.js';
import { parsePackageJson } from '../../src/parse/manifests/package-json.js';
import { normalizeDistName, parsePep508, poetryToPep440 } from '../../src/parse/manifests/pep508.js';
import { parsePyproject } from '../../src/parse/manifests/pyproject.js';
import { parseRequirements } from '../../src/parse/manifests/requirements.js';

describe('PEP 508 and PEP 503', () => {
  test('normalised names', () => {
    assert.equal(normalizeDistName('Flask_SQLAlchemy'), 'flask-sqlalchemy');
    assert.equal(normalizeDistName('zope.interface'), 'zope-interface');
    assert.equal(normalizeDistName('a__-.b'), 'a-b');
  });
  test('requirement strings', () => {
    assert.deepEqual(structuredClone(parsePep508('uvicorn[standard] >= 0.20, <1 ; python_version >= "3.8"')), {
      name: 'uvicorn', extras: ['standard'], specifier: '>=0.20,<1', marker: 'python_version >= "3.8"', nameStart: 0, nameEnd: 7,
    });
    assert.equal(parsePep508('requests (>=2.0)')?.specifier, '>=2.0');
    const at = parsePep508('pkg @ https://example.com/pkg-1.0.whl ; sys_platform == "linux"');
    assert.equal(at?.url, 'https://example.com/pkg-1.0.whl');
    assert.equal(at?.marker, 'sys_platform == "linux"');
    assert.equal(parsePep508('./local/pkg'), undefined);
    assert.equal(parsePep508('git+https://github.com/x/y'), undefined);
    assert.equal(parsePep508('name ^1.0'), undefined);
  });
  test('Poetry constraints become PEP 440', () => {
    assert.equal(poetryToPep440('^1.2.3'), '>=1.2.3,<2.0.0');
    assert.equal(poetryToPep440('^1.2'), '>=1.2,<2.0');
    assert.equal(poetryToPep440('^0.2.3'), '>=0.2.3,<0.3.0');
    assert.equal(poetryToPep440('^0.0.3'), '>=0.0.3,<0.0.4');
    assert.equal(poetryToPep440('~1.2.3'), '>=1.2.3,<1.3.0');
    assert.equal(poetryToPep440('~1'), '>=1,<2');
    assert.equal(poetryToPep440('1.2.3'), '==1.2.3');
    assert.equal(poetryToPep440('1.2.*'), '==1.2.*');
    assert.equal(poetryToPep440('*'), '');
    assert.equal(poetryToPep440('>=1.2, <2'), '>=1.2,<2');
    assert.equal(poetryToPep440('>=1.2 <2'), '>=1.2,<2');
    assert.equal(poetryToPep440('^1.0 || ^2.0'), undefined);
  });
});

describe('requirements.txt', () => {
  const text = [
    '# top comment',
    '--index-url https://pypi.example.com/simple',
    '-r base.txt',
    '-c ../constraints.txt',
    'Django>=4.2,<5 # the framework',
    'gunicorn==22.0.0 \\',
    '    --hash=sha256:aaaa \\',
    '    --hash=sha256:bbbb',
    'uvicorn[standard]==0.30.6 ; python_version >= "3.8"',
    '-e git+https://github.com/acme/lib.git@v1#egg=acme-lib',
    '-e .',
    './vendor/pkg',
    'pkg @ https://example.com/pkg-1.0.tar.gz',
    'zope.interface>=6.0',
    '--no-binary :all:',
    '',
  ].join('\n');
  const r = parseRequirements(new SourceFile('svc/requirements.txt', text));
  test('requirements with locations', () => {
    assert.deepEqual(r.errors, []);
    assert.deepEqual(
      r.requirements.map((q) => [q.key, q.specifier, q.loc.startLine]),
      [
        ['django', '>=4.2,<5', 5],
        ['gunicorn', '==22.0.0', 6],
        ['uvicorn', '==0.30.6', 9],
        ['acme-lib', '', 10],
        ['pkg', '', 13],
        ['zope-interface', '>=6.0', 14],
      ],
    );
    const django = r.requirements[0]!;
    assert.deepEqual([django.loc.startColumn, django.loc.endColumn], [1, 15]);
    assert.deepEqual(r.requirements[2]!.extras, ['standard']);
    assert.equal(r.requirements[2]!.marker, 'python_version >= "3.8"');
    assert.equal(r.requirements[3]!.editable, true);
  });
  test('includes, unnamed targets and options', () => {
    assert.deepEqual(r.includes.map((i) => [i.kind, i.written, i.path]), [
      ['requirement', 'base.txt', 'svc/base.txt'],
      ['constraint', '../constraints.txt', 'constraints.txt'],
    ]);
    assert.deepEqual(r.unnamed.map((u) => [u.target, u.editable]), [['.', true], ['./vendor/pkg', false]]);
    assert.deepEqual(r.options.map((o) => [o.name, o.value]), [['--index-url', 'https://pypi.example.com/simple'], ['--no-binary', ':all:']]);
    assert.equal(r.fullyPinned, false);
  });
  test('a freeze is fully pinned', () => {
    assert.equal(parseRequirements(new SourceFile('r.txt', 'a==1\nb===2.0\n')).fullyPinned, true);
    assert.equal(parseRequirements(new SourceFile('r.txt', 'a==1\nb>=2\n')).fullyPinned, false);
  });
  test('glued options and unreadable lines', () => {
    const g = parseRequirements(new SourceFile('r.txt', '-rother.txt\n--requirement=more.txt\nnot a requirement!\nhas#hash==1.0\n--bogus\n'));
    assert.deepEqual(g.includes.map((i) => i.path), ['other.txt', 'more.txt']);
    // `#` only starts a comment at the line start or after whitespace (pip's COMMENT_RE)
    assert.deepEqual(g.errors.map((e) => e.loc.startLine), [3, 4]);
  });
});

describe('pyproject.toml', () => {
  test('PEP 621, extras and PEP 735 groups', () => {
    const text = `[project]
name = "My_App"
dependencies = [
    "fastapi>=0.115",
    'httpx[http2]>=0.27 ; python_version >= "3.9"',
]

[project.optional-dependencies]
pg = ["psycopg[binary]>=3.1"]

[dependency-groups]
test = ["pytest>=8"]
dev = [{include-group = "test"}, "ruff"]
`;
    const p = parsePyproject(new SourceFile('pyproject.toml', text));
    assert.deepEqual(p.errors, []);
    assert.equal(p.name, 'my-app');
    assert.deepEqual(p.dependencies.map((d) => [d.key, d.specifier, d.loc.startLine, d.loc.startColumn]), [['fastapi', '>=0.115', 4, 5], ['httpx', '>=0.27', 5, 5]]);
    assert.deepEqual(p.optional.get('pg')!.map((d) => [d.key, d.loc.startLine]), [['psycopg', 9]]);
    assert.deepEqual(p.groups.get('dev')!.map((d) => d.key).sort(), ['pytest', 'ruff']);
    assert.equal(p.isProject, true);
  });
  test('Poetry dependencies and groups', () => {
    const text = `[tool.poetry]
name = "api"

[tool.poetry.dependencies]
python = "^3.11"
fastapi = "^0.115.0"
passlib = { version = "~1.7.4", extras = ["bcrypt"] }
boto3 = { version = "^1.34", optional = true }
mylib = { path = "../mylib", develop = true }

[tool.poetry.group.dev.dependencies]
pytest = "^8"

[tool.poetry.group.docs]
optional = true

[tool.poetry.group.docs.dependencies]
mkdocs = "*"

[tool.poetry.extras]
aws = ["boto3"]
`;
    const p = parsePyproject(new SourceFile('pyproject.toml', text));
    assert.deepEqual(p.errors, []);
    assert.deepEqual(p.dependencies.map((d) => [d.key, d.specifier, d.loc.startLine]), [
      ['fastapi', '>=0.115.0,<0.116.0', 6],
      ['passlib', '>=1.7.4,<1.8.0', 7],
      ['boto3', '>=1.34,<2.0', 8],
      ['mylib', '', 9],
    ]);
    assert.deepEqual(p.dependencies[1]!.extras, ['bcrypt']);
    assert.equal(p.dependencies[2]!.optional, true);
    assert.equal(p.dependencies[3]!.url, '../mylib');
    assert.deepEqual(p.groups.get('dev')!.map((d) => [d.key, d.specifier]), [['pytest', '>=8,<9']]);
    assert.deepEqual([...p.optionalGroups], ['docs']);
    assert.deepEqual(p.optional.get('aws')!.map((d) => d.key), ['boto3']);
  });
  test('uv legacy dev-dependencies and a TOML error', () => {
    const p = parsePyproject(new SourceFile('pyproject.toml', '[project]\nname = "x"\ndependencies = []\n[tool.uv]\ndev-dependencies = ["pytest"]\n'));
    assert.deepEqual(p.groups.get('dev')!.map((d) => d.key), ['pytest']);
    const bad = parsePyproject(new SourceFile('pyproject.toml', 'a = 1\na = 2\n'));
    assert.equal(bad.errors.length, 1);
    assert.equal(bad.errors[0]!.loc.startLine, 2);
  });
});

describe('package.json and locks', () => {
  const pkgText = '{\n\t"name": "web",\n\t"dependencies": {\n\t\t"express": "^4.18.0",\n\t\t"left-pad": "npm:left-pad-ng@^2"\n\t},\n\t"devDependencies": { "typescript": "~5.9.3" }\n}\n';
  const pkg = parsePackageJson(new SourceFile('package.json', pkgText));
  test('dependencies with positions', () => {
    assert.deepEqual(pkg.errors, []);
    assert.deepEqual(pkg.dependencies.map((d) => [d.name, d.range, d.kind, d.loc.startLine, d.loc.startColumn]), [
      ['express', '^4.18.0', 'dependencies', 4, 3],
      ['left-pad', 'npm:left-pad-ng@^2', 'dependencies', 5, 3],
      ['typescript', '~5.9.3', 'devDependencies', 7, 23],
    ]);
  });
  test('package-lock v3 against package.json', () => {
    const lock = parseLock(new SourceFile('package-lock.json', JSON.stringify({
      lockfileVersion: 3,
      packages: {
        '': { dependencies: { express: '^4.18.0', 'left-pad': 'npm:left-pad-ng@^2' } },
        'node_modules/express': { version: '4.19.2' },
        'node_modules/left-pad': { name: 'left-pad-ng', version: '2.1.0' },
        'node_modules/typescript': { version: '5.4.0', dev: true },
        'node_modules/x/node_modules/typescript': { version: '5.9.9' },
      },
    })))!;
    assert.deepEqual(npmLockMismatches(pkg, lock).map((m) => [m.name, m.problem, m.locked]), [['typescript', 'version', ['5.4.0']]]);
  });
  test('package-lock v1', () => {
    const lock = parseLock(new SourceFile('package-lock.json', JSON.stringify({ lockfileVersion: 1, dependencies: { express: { version: '4.19.2' } } })))!;
    assert.deepEqual(npmLockMismatches(pkg, lock).map((m) => [m.name, m.problem]), [['left-pad', 'missing'], ['typescript', 'missing']]);
  });
  test('uv.lock and poetry.lock against pyproject', () => {
    const py = parsePyproject(new SourceFile('pyproject.toml', '[project]\nname = "app"\ndependencies = ["fastapi>=0.115", "httpx>=0.27", "Flask_Login>=0.6"]\n[dependency-groups]\ndev = ["pytest>=9"]\n'));
    const uv = parseLock(new SourceFile('uv.lock', 'version = 1\n[[package]]\nname = "app"\nversion = "0.1.0"\nsource = { virtual = "." }\n[[package]]\nname = "fastapi"\nversion = "0.110.0"\n[[package]]\nname = "flask-login"\nversion = "0.6.3"\n[[package]]\nname = "pytest"\nversion = "8.3.0"\n'))!;
    assert.deepEqual(pythonLockMismatches(allPyprojectRequirements(py), uv, py).map((m) => [m.name, m.problem, m.locked]), [
      ['fastapi', 'version', ['0.110.0']],
      ['httpx', 'missing', []],
      ['pytest', 'version', ['8.3.0']],
    ]);
    const poetry = parseLock(new SourceFile('poetry.lock', '[[package]]\nname = "FastAPI"\nversion = "0.115.2"\n\n[metadata]\ncontent-hash = "x"\n'))!;
    assert.deepEqual([...poetry.packages], [['fastapi', ['0.115.2']]]);
  });
});
