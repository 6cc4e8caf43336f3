// Where the `hcn` command keeps the simulator's state file, so that separate invocations share one
// simulated HNS (as separate processes share the one real HNS on Windows).
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultSimulatorStatePath } from '../simulator';

/** What {@link defaultStatePath} looks at; passed in so every platform's rule is testable anywhere. */
export interface StatePathHost {
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  homedir: string;
}

/** File name of the simulator state inside the data directory. */
export const STATE_FILE_NAME = 'sim-state.json';

/** Folder name of the SDK inside the user's data directory. */
export const DATA_DIR_NAME = 'hcn-sdk';

/**
 * The per-user data directory of hcn-sdk:
 * - Windows: `%LOCALAPPDATA%\hcn-sdk` (else `<home>\AppData\Local\hcn-sdk`)
 * - macOS: `~/Library/Application Support/hcn-sdk`
 * - elsewhere: `$XDG_DATA_HOME/hcn-sdk` when XDG_DATA_HOME is an absolute path, else `~/.local/share/hcn-sdk`
 */
export function userDataDir(host: StatePathHost = currentHost()): string {
  const { env, platform, homedir } = host;
  if (platform === 'win32') {
    const local = env.LOCALAPPDATA;
    return path.win32.join(local && local.length > 0 ? local : path.win32.join(homedir, 'AppData', 'Local'), DATA_DIR_NAME);
  }
  if (platform === 'darwin') {
    return path.posix.join(homedir, 'Library', 'Application Support', DATA_DIR_NAME);
  }
  // The XDG spec says relative values are invalid and must be ignored.
  const xdg = env.XDG_DATA_HOME;
  if (xdg && path.posix.isAbsolute(xdg)) return path.posix.join(xdg, DATA_DIR_NAME);
  return path.posix.join(homedir, '.local', 'share', DATA_DIR_NAME);
}

/** The simulator state file: `HCN_SIM_STATE` when set and non-empty, else `<userDataDir>/sim-state.json`. */
export function defaultStatePath(host: StatePathHost = currentHost()): string {
  // The same rule as the SDK's Hcn.open (defaultSimulatorStatePath), so both see one HNS.
  const fromEnv = defaultSimulatorStatePath(host.env);
  if (fromEnv !== undefined) return fromEnv;
  const dir = userDataDir(host);
  return host.platform === 'win32' ? path.win32.join(dir, STATE_FILE_NAME) : path.posix.join(dir, STATE_FILE_NAME);
}

function currentHost(): StatePathHost {
  return { env: process.env, platform: process.platform, homedir: os.homedir() };
}
