/** What every command does to its process first, on oclif's path and on the paths that skip it. */
import { applyColorPolicy } from './output.js';

export function prepareCommandProcess(): void {
  // Everything mailmon creates (store, WAL, leases, keys, logs) is private to the user.
  process.umask(0o077);
  applyColorPolicy();
}
