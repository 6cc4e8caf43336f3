// The README's tables stay true to the package: every exported error class is in its errors table.
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as sdk from '../../ts/index';

const root = path.resolve(__dirname, '..', '..', '..');

test('the README errors table lists every exported error class', (t) => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const table = readme.slice(readme.indexOf('## Errors and codes'), readme.indexOf('## Thread safety'));
  const errorClasses = Object.entries(sdk)
    .filter(([, v]) => typeof v === 'function' && (v as { prototype?: unknown }).prototype instanceof Error)
    .map(([k]) => k)
    .sort();
  t.true(errorClasses.length >= 15, errorClasses.join(', '));
  t.deepEqual(errorClasses.filter((name) => !table.includes(`| \`${name}\` |`)), []);
});
