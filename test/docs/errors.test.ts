/** docs/errors.md lists exactly the error replies the code can send (DESIGN principle 8). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderErrorCatalog } from './error-catalog.js';

const docPath = fileURLToPath(new URL('../../docs/errors.md', import.meta.url));

test('docs/errors.md agrees with the error catalogs in code', () => {
  const expected = renderErrorCatalog();
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(docPath, expected);
  assert.equal(readFileSync(docPath, 'utf8'), expected, 'docs/errors.md is out of date: run UPDATE_GOLDEN=1 npm test -- test/docs');
});
