/**
 * The CLI has no file-layer option, so tests of the built binary under a full disk preload a module
 * (NODE_OPTIONS=--import=<file>) that makes the real fs fail instead. DAYCAP_TEST_FAULT says how:
 * `datasync:<calls that succeed first>:<code>` or `rename:<target file name>:<code>`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PRELOAD = `
import { isMainThread } from 'node:worker_threads';
import fsp from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
// DAYCAP_TEST_FAULT=datasync:<calls that succeed first>:<code> | rename:<target file name>:<code>
const [what, okCalls, code] = (process.env.DAYCAP_TEST_FAULT ?? '').split(':');
if (isMainThread && what) {
  let calls = 0;
  const fault = (syscall) => Object.assign(new Error(code + ': injected by test, ' + syscall), { code, syscall });
  if (what === 'datasync') {
    const probe = await fsp.open(process.execPath, 'r');
    const proto = Object.getPrototypeOf(probe);
    await probe.close();
    const real = proto.datasync;
    proto.datasync = function () { return ++calls > Number(okCalls) ? Promise.reject(fault('fdatasync')) : real.call(this); };
  } else if (what === 'rename') {
    // Here the middle field names the target: only renames onto that file fail.
    const real = fsp.rename;
    fsp.rename = (from, to) => (String(to).endsWith(okCalls) ? Promise.reject(fault('rename')) : real(from, to));
    syncBuiltinESMExports();
  }
}
`;

/** Writes the preload module into `dir`; returns its path, for NODE_OPTIONS=--import=<path>. */
export function writeFaultPreload(dir: string): string {
  const file = join(dir, 'fault-preload.mjs');
  writeFileSync(file, PRELOAD);
  return file;
}
