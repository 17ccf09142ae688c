// The server helper is shared with the benchmark, which is built with the package: one piece of code.
export { freePort, startPostgres, type PostgresServer, type StartOptions } from '../../bench/pg-server.js';
