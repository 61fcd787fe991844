import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkOptions, suggestOption, snakeToCamel } from '../src/utils/options.js';
import { ValueError } from '../src/errors.js';

test('snakeToCamel', () => {
  assert.equal(snakeToCamel('test_size'), 'testSize');
  assert.equal(snakeToCamel('max_iter_no_change'), 'maxIterNoChange');
  assert.equal(snakeToCamel('already'), 'already');
});

test('suggestOption: snake_case, case and typos', () => {
  const valid = ['testSize', 'trainSize', 'randomState', 'shuffle', 'stratify'];
  assert.equal(suggestOption('test_size', valid), 'testSize');
  assert.equal(suggestOption('randomstate', valid), 'randomState');
  assert.equal(suggestOption('shufle', valid), 'shuffle');
  assert.equal(suggestOption('completelyDifferent', valid), undefined);
});

test('checkOptions rejects unknown keys with the valid list and a suggestion', () => {
  assert.throws(
    () => checkOptions('trainTestSplit', { test_size: 0.2 }, ['testSize', 'shuffle']),
    (e: unknown) => e instanceof ValueError && /unknown option 'test_size' \(did you mean 'testSize'\?\)/.test(e.message) && /valid options are: shuffle, testSize/.test(e.message),
  );
  assert.doesNotThrow(() => checkOptions('f', { testSize: 0.2, other: undefined }, ['testSize']));
  assert.doesNotThrow(() => checkOptions('f', undefined, ['testSize']));
  assert.throws(() => checkOptions('f', [1], ['a']), ValueError);
  assert.throws(() => checkOptions('f', 3, ['a']), ValueError);
});
