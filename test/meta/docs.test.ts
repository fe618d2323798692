import assert from 'node:assert/strict';
import { test } from 'node:test';
import { docsDrift } from '../../scripts/gen-docs.js';

test('generated rule docs match the rule metadata (npm run docs)', () => {
  assert.deepEqual(docsDrift(), []);
});
