import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SourceFile } from '../../src/core/source-file.js';
import { parseDotenv, type ParseDotenvOptions } from '../../src/parse/dotenv/parse-dotenv.js';
import type { DotenvFile } from '../../src/parse/dotenv/types.js';

const none = (): string | undefined => undefined;
const parse = (text: string, lookup: (n: string) => string | undefined = none, options?: ParseDotenvOptions): DotenvFile =>
  parseDotenv(new SourceFile('.env', text), lookup, options);
const values = (f: DotenvFile): Record<string, string | null> =>
  Object.fromEntries([...f.values].map(([k, e]) => [k, e.value]));
const one = (line: string): string | null => {
  const f = parse(line);
  assert.deepEqual(f.errors, [], line);
  assert.equal(f.entries.length, 1, line);
  return f.entries[0]!.value;
};

test('keys, separators and export (compose-go TestParsing)', () => {
  assert.deepEqual(values(parse('ONE=1\nTWO = 2\nTHREE= 3\nOPTION_A: 1\nOPTION_B: Foo=bar\nURL=a:b=c\n')), {
    ONE: '1',
    TWO: '2',
    THREE: '3',
    OPTION_A: '1',
    OPTION_B: 'Foo=bar',
    URL: 'a:b=c',
  });
  assert.deepEqual(values(parse('export A=2\n\texport B=3\nexportFOO=4\nexport.X=5\na[1]=6\nx-y.z=7\nárvíztűrő=8')), {
    A: '2',
    B: '3',
    exportFOO: '4',
    'export.X': '5',
    'a[1]': '6',
    'x-y.z': '7',
    árvíztűrő: '8',
  });
});

test('unquoted values: comments need a space before #, values are right-trimmed', () => {
  assert.equal(one('FOO=bar # this is foo'), 'bar');
  assert.equal(one('FOO=bar #'), 'bar');
  assert.equal(one('F=has#hash'), 'has#hash');
  assert.equal(one('FOO=123#not-a-comment'), '123#not-a-comment');
  assert.equal(one('FOO=bar   '), 'bar');
  assert.equal(one('FOO=a\\tb'), 'a\\tb');
  assert.equal(one('FOO='), '');
  // compose-go skips blanks after the separator first, so this is a value, not a comment
  assert.equal(one('FOO= #x'), '#x');
});

test('single quotes are literal and may span lines; \\\' escapes the quote', () => {
  assert.equal(one("A='quote $FOO \\n'"), 'quote $FOO \\n');
  assert.equal(one("A='bar#baz' # comment"), 'bar#baz');
  assert.equal(one("A='it\\'s'"), "it's");
  const f = parse("KEY='line one\nline two'\nNEXT=1\n");
  assert.deepEqual(values(f), { KEY: 'line one\nline two', NEXT: '1' });
  assert.equal(f.entries[0]!.quote, 'single');
  assert.equal(f.entries[0]!.raw, "'line one\nline two'");
});

test('double quotes: escapes, then interpolation; may span lines', () => {
  assert.equal(one('A="bar\\nbaz"'), 'bar\nbaz');
  assert.equal(one('A="escaped\\"bar"'), 'escaped"bar');
  assert.equal(one('A="\\"quoted\\""'), '"quoted"');
  assert.equal(one('A="a\\tb\\rc\\\\d"'), 'a\tb\rc\\d');
  assert.equal(one('A="\\0123"'), 'S');
  assert.equal(one('A="\\x07 \\ b"'), '\\x07 \\ b');
  assert.equal(one('A="foo\\$BAR"'), 'foo$BAR');
  assert.equal(one('A="foo\\${BAR}"'), 'foo${BAR}');
  assert.equal(one('A="bar#baz"#'), 'bar#baz');
  assert.equal(one('A="ba#r" # comment'), 'ba#r');
  assert.deepEqual(values(parse('U="stratum+tcp://a:3333\nstratum+tcp://b:443"\nB=2')), {
    U: 'stratum+tcp://a:3333\nstratum+tcp://b:443',
    B: '2',
  });
});

test('interpolation: unquoted and double-quoted values, earlier keys of the file first', () => {
  const env = (n: string) => ({ HOME: '/root', FOO: 'from-shell' })[n];
  const f = parse('FOO=test\nBAR=$FOO\nBAZ="${FOO}bar"\nQ=\'$FOO\'\nH=${HOME}/x\nD=${NOPE:-/mnt/data}\n', env);
  assert.deepEqual(values(f), { FOO: 'test', BAR: 'test', BAZ: 'testbar', Q: '$FOO', H: '/root/x', D: '/mnt/data' });
  assert.deepEqual(f.errors, []);
  // compose-go's own order asks the lookup first
  assert.equal(parse('FOO=test\nBAR=$FOO\n', env, { precedence: 'lookup' }).values.get('BAR')!.value, 'from-shell');
  // a later line does not affect an earlier one
  assert.equal(parse('A=$B\nB=1').values.get('A')!.value, '');
});

test('a bare KEY line has a null value; the lookup only feeds later interpolation', () => {
  const f = parse('# comment\nFROM_SHELL\nUSE=${FROM_SHELL}\n  export ALSO  \n', (n) => (n === 'FROM_SHELL' ? 'yes' : undefined));
  assert.deepEqual(values(f), { FROM_SHELL: null, USE: 'yes', ALSO: null });
  assert.deepEqual(f.errors, []);
});

test('comments, blank lines, BOM and CRLF', () => {
  const f = parse('\uFEFF# top\r\n\r\n   # indented\r\nA=1\r\nB="two"\r\nC=3 # c\r\nD\r\n');
  assert.deepEqual(values(f), { A: '1', B: 'two', C: '3', D: null });
  assert.deepEqual(f.errors, []);
  const c = f.values.get('C')!;
  assert.deepEqual(c.loc, { file: '.env', startLine: 6, startColumn: 1, endLine: 6, endColumn: 8 });
  assert.deepEqual(c.valueLoc, { file: '.env', startLine: 6, startColumn: 3, endLine: 6, endColumn: 4 });
});

test('later lines win in values; entries keep every line', () => {
  const f = parse('A=1\nA=2\n');
  assert.equal(f.entries.length, 2);
  assert.equal(f.values.get('A')!.value, '2');
  assert.equal(f.values.get('A'), f.entries[1]);
});

test('locations and ranges', () => {
  const text = 'A=1\n  export KEY = "v a l"  # note\nM=\'x\ny\'\n';
  const f = parse(text);
  const key = f.values.get('KEY')!;
  assert.deepEqual(key.loc, { file: '.env', startLine: 2, startColumn: 3, endLine: 2, endColumn: 31 });
  assert.deepEqual(key.valueLoc, { file: '.env', startLine: 2, startColumn: 16, endLine: 2, endColumn: 23 });
  assert.equal(key.raw, '"v a l"');
  assert.equal(key.quote, 'double');
  assert.equal(text.slice(...key.range), '  export KEY = "v a l"  # note');
  const m = f.values.get('M')!;
  assert.deepEqual(m.valueLoc, { file: '.env', startLine: 3, startColumn: 3, endLine: 4, endColumn: 3 });
  assert.equal(text.slice(...m.range), "M='x\ny'");
});

test('bad lines are reported with their location and parsing goes on', () => {
  const f = parse('GOOD=1\nlol$wut\nMY KEY=x\nK="a" junk\n%!(EXTRA string)=foo\nQ=\'never closed\nAFTER=2\nLAST=3');
  assert.deepEqual(values(f), { GOOD: '1', K: 'a', AFTER: '2', LAST: '3' });
  assert.deepEqual(
    f.errors.map((e) => [e.loc.startLine, e.message]),
    [
      [2, 'unexpected character "$" in variable name "lol$wut"'],
      [3, 'key cannot contain a space'],
      [4, 'unexpected text after the closing quote'],
      [5, 'unexpected character "%" in variable name "%!(EXTRA string)=foo"'],
      [6, "unterminated quoted value 'never closed"],
    ],
  );
  assert.equal(f.errors[0]!.loc.startColumn, 1);
});

test('an empty key is reported, and interpolation errors point at the value', () => {
  const f = parse('="value"\nX=${NEEDED:?set NEEDED}\nY=a$ b\n');
  assert.equal(f.entries.length, 2);
  assert.deepEqual(
    f.errors.map((e) => [e.loc.startLine, e.loc.startColumn, e.message.split(':')[0]]),
    [
      [1, 1, 'missing variable name before the separator'],
      [2, 3, 'required variable NEEDED is missing a value'],
      [3, 3, 'invalid interpolation format near "$ b"'],
    ],
  );
  assert.equal(f.values.get('X')!.value, '');
});
