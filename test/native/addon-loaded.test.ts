// Which addon the native tests run against. A lane that builds the addon another way (cmake-js,
// sanitizers, prebuilds) names its file in HCN_SDK_ADDON; if that name is empty or wrong, the tests
// must not quietly load the node-gyp build and pass for the wrong addon.
import * as path from 'node:path';
import test from 'ava';
import { loadBinding, packageRoot } from '../../ts/native';

/** Every native addon file this process has loaded (Node keeps each in require.cache). */
function loadedAddons(): string[] {
  return Object.keys(require.cache).filter((file) => file.toLowerCase().endsWith('.node'));
}

test('the addon that loaded is the one HCN_SDK_ADDON names, else the one node-gyp-build picks', (t) => {
  const named = process.env.HCN_SDK_ADDON;
  t.not(named, '', 'HCN_SDK_ADDON is set but empty: the lane that set it found no addon');
  loadBinding();
  let expected: string;
  if (named) {
    expected = path.resolve(named);
  } else {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const nodeGypBuild = require('node-gyp-build') as { resolve(dir: string): string };
    expected = nodeGypBuild.resolve(packageRoot());
  }
  const loaded = loadedAddons();
  t.is(loaded.length, 1, `exactly one addon is loaded (${loaded.join(', ')})`);
  t.is(path.normalize(loaded[0] ?? '').toLowerCase(), path.normalize(expected).toLowerCase());
  t.log(`addon: ${loaded[0]}`);
});
