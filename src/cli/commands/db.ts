/** `daycap db migrate`: create or upgrade daycap's tables in a database (runs use it on first use too). */
import { Command } from 'commander';
import { migrateDatabase } from '../../api/transfer.js';
import type { CommandContext } from '../context.js';
import { ledgerOption } from '../options.js';

export function dbCommand(ctx: CommandContext): Command {
  const db = new Command('db')
    .summary("manage daycap's tables in a PostgreSQL database")
    .description("manage daycap's tables in a PostgreSQL database (docs/postgres.md)");
  db.addCommand(
    new Command('migrate')
      .summary("create or upgrade daycap's schema")
      .description("create daycap's schema and tables, or bring them to this version, under an advisory lock (hosts starting together apply each migration once). Every command does this on first use; run it explicitly to upgrade at a time of your choosing, or with a role allowed to create tables")
      .addOption(ledgerOption())
      .addHelpText('after', "\nExample:\n  daycap db migrate --ledger 'postgres://daycap@db.lan/posting'")
      .action(async (flags: { ledger: string }) => {
        const { from, to, where } = await migrateDatabase(flags.ledger);
        ctx.io.out(from === to ? `${where}: daycap's schema is at version ${to}, nothing to do` : `${where}: daycap's schema migrated from version ${from} to ${to}`);
        ctx.setExitCode(0);
      }),
  );
  return db;
}
