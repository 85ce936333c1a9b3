// The child processes the HTTP benchmarks run their servers in: the same script, re-entered with other arguments.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PROJECT_ROOT } from '../src/config.js';

/** The script at `moduleUrl` (a bench's own `import.meta.url`) in a child Node with tsx, optionally with IPC. */
export function childOf(moduleUrl: string, args: string[], ipc: boolean): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', fileURLToPath(moduleUrl), ...args], {
    cwd: PROJECT_ROOT,
    stdio: ipc ? ['ignore', 'inherit', 'inherit', 'ipc'] : ['ignore', 'inherit', 'inherit'],
  });
}

export function exited(c: ChildProcess): Promise<number | null> {
  return c.exitCode !== null ? Promise.resolve(c.exitCode) : new Promise((resolve) => c.once('exit', resolve));
}
