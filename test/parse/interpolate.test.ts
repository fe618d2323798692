import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interpolate } from '../../src/parse/interpolate.js';

const env: Record<string, string> = { FOO: 'first', EMPTY: '', B: 'bee' };
const lookup = (n: string): string | undefined => (Object.hasOwn(env, n) ? env[n] : undefined);
const value = (t: string): string => interpolate(t, lookup).value;

test('plain $VAR and ${VAR}; unset becomes empty without an error', () => {
  assert.equal(value('This $FOO var'), 'This first var');
  assert.equal(value('This ${FOO} var'), 'This first var');
  assert.equal(value('x${MISSING}y$MISSING'), 'xy');
  assert.deepEqual(interpolate('$MISSING', lookup).errors, []);
  // names stop at the first non-name character (compose-go TestNonBraced)
  assert.equal(value('$FOO-bar'), 'first-bar');
  assert.equal(value('$FOO.bar'), 'first.bar');
});

test('defaults: ":-" for unset or empty, "-" for unset only', () => {
  assert.equal(value('${MISSING:-def}'), 'def');
  assert.equal(value('${EMPTY:-def}'), 'def');
  assert.equal(value('${FOO:-def}'), 'first');
  assert.equal(value('${MISSING-def}'), 'def');
  assert.equal(value('${EMPTY-def}'), '');
  assert.equal(value('${FOO-def}'), 'first');
  // the rest of the braces is free text
  assert.equal(value('${EMPTY:-/non:-alphanumeric}'), '/non:-alphanumeric');
  assert.equal(value('${MISSING-myerror?msg}'), 'myerror?msg');
});

test('alternatives: ":+" when set and non-empty, "+" when set', () => {
  assert.equal(value('${FOO:+alt}'), 'alt');
  assert.equal(value('${EMPTY:+alt}'), '');
  assert.equal(value('${MISSING:+alt}'), '');
  assert.equal(value('${FOO+alt}'), 'alt');
  assert.equal(value('${EMPTY+alt}'), 'alt');
  assert.equal(value('${MISSING+alt}'), '');
});

test('required forms report compose-go\'s message', () => {
  const r1 = interpolate('not ok ${MISSING:?Mandatory Variable Unset}', lookup);
  assert.equal(r1.value, 'not ok ');
  assert.deepEqual(r1.errors, ['required variable MISSING is missing a value: Mandatory Variable Unset']);
  assert.deepEqual(interpolate('${EMPTY:?empty}', lookup).errors, ['required variable EMPTY is missing a value: empty']);
  assert.deepEqual(interpolate('${MISSING?}', lookup).errors, ['required variable MISSING is missing a value']);
  // "?" only fails when unset
  assert.deepEqual(interpolate('${EMPTY?err}', lookup), {
    value: '',
    uses: [{ name: 'EMPTY', form: 'required-unset', start: 0, end: 12, defined: true }],
    errors: [],
  });
  assert.equal(value('${FOO:?err}'), 'first');
  // the message is interpolated too
  assert.deepEqual(interpolate('${MISSING?need ${FOO}}', lookup).errors, ['required variable MISSING is missing a value: need first']);
  // the first operator wins: this is "?" with the message "bar-baz"
  assert.deepEqual(interpolate('${MISSING?bar-baz}', lookup).errors, ['required variable MISSING is missing a value: bar-baz']);
});

test('nested defaults, with every use reported at its offset', () => {
  const r = interpolate('a ${X:-${Y:-$B}} z', lookup);
  assert.equal(r.value, 'a bee z');
  assert.deepEqual(r.uses, [
    { name: 'X', form: 'default-unset-or-empty', start: 2, end: 16, defined: false },
    { name: 'Y', form: 'default-unset-or-empty', start: 7, end: 15, defined: false },
    { name: 'B', form: 'plain', start: 12, end: 14, defined: true },
  ]);
  assert.equal(value('${MISSING-${FOO} ${FOO}}'), 'first first');
  assert.equal(value('${FOO:-${MISSING}}'), 'first');
});

test('the default is interpolated even when not used, as compose-go does', () => {
  const r = interpolate('${FOO:-${NOPE:?needed}}', lookup);
  assert.equal(r.value, 'first');
  assert.deepEqual(r.errors, ['required variable NOPE is missing a value: needed']);
  assert.deepEqual(r.uses.map((u) => u.name), ['FOO', 'NOPE']);
});

test('$$ is a literal dollar and is not a use', () => {
  const r = interpolate('$${FOO} $$FOO cost$$', lookup);
  assert.equal(r.value, '${FOO} $FOO cost$');
  assert.deepEqual(r.uses, []);
  assert.deepEqual(r.errors, []);
  assert.equal(value('${MISSING:-$$}'), '$');
});

test('a lone $ stays in the value and is reported (compose-go: invalid template)', () => {
  for (const t of ['a $ b', 'price: 5$', '$-x', '$1']) {
    const r = interpolate(t, lookup);
    assert.equal(r.value, t, t);
    assert.equal(r.errors.length, 1, t);
    assert.match(r.errors[0]!, /^invalid interpolation format/);
  }
});

test('an unterminated ${ is an error and the text is kept', () => {
  const r = interpolate('x ${FOO and $B', lookup);
  assert.equal(r.value, 'x ${FOO and $B');
  assert.equal(r.errors.length, 1);
  assert.match(r.errors[0]!, /^invalid interpolation format/);
  assert.deepEqual(r.uses, []);
});

test('unsupported braced forms are errors and stay as written', () => {
  for (const t of ['${}', '${ FOO}', '${FOO }', '${FOO!}', '${FOO/a/b}', '${1A}', '${FOO:x}']) {
    const r = interpolate(`<${t}>`, lookup);
    assert.equal(r.value, `<${t}>`, t);
    assert.equal(r.errors.length, 1, t);
    assert.match(r.errors[0]!, /^invalid interpolation format/, t);
  }
  // and the text after it is still interpolated
  assert.equal(value('${A/b} $FOO'), '${A/b} first');
});

test('the braces close by counting ${ openers, not bare {', () => {
  // compose-go getFirstBraceClosingIndex: `${X:-{a}` ends at the first `}`
  assert.equal(value('${MISSING:-{a}}'), '{a}');
  assert.equal(value('${MISSING:-${FOO}}}'), 'first}');
});

test('uses carry form and the whole span', () => {
  const r = interpolate('$FOO/${EMPTY-d}/${MISSING:+a}', lookup);
  assert.deepEqual(
    r.uses.map((u) => [u.name, u.form, u.start, u.end, u.defined]),
    [
      ['FOO', 'plain', 0, 4, true],
      ['EMPTY', 'default-unset', 5, 15, true],
      ['MISSING', 'alt', 16, 29, false],
    ],
  );
});
