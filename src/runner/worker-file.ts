/** Where the compiled worker entry lives, whether this module runs from dist/ or from TypeScript source in tests. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function workerFile(): string {
  const beside = fileURLToPath(new URL('../../workers/worker.js', import.meta.url));
  if (existsSync(beside)) return beside;
  const built = fileURLToPath(new URL('../../dist/workers/worker.js', import.meta.url));
  if (existsSync(built)) return built;
  throw new Error(`the worker entry is not built (looked for ${beside} and ${built}); run \`npm run build\``);
}
