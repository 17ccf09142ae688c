/** `daycap config --print`: the settings in effect — built-in defaults, then the configuration file, then flags. */
import { Command } from 'commander';
import { applyOverrides, CONFIG_FILE, loadConfig } from '../../config/load.js';
import { configAsFile } from '../../config/print.js';
import type { CommandContext } from '../context.js';
import { CAP_FROM_CONFIG, capOption, configOption, maxAttemptsOption, overridesOf, runSettingOptions, type RunSettingFlags } from '../options.js';

interface ConfigFlags extends RunSettingFlags {
  print?: boolean;
  config?: string;
}

const EXAMPLES = `
Examples:
  daycap config --print                                  defaults, with ${CONFIG_FILE} here if there is one
  daycap config --print --config night.json --workers 8  what \`daycap run --config night.json --workers 8\` would use
  daycap config --print | jq .settings > night.json      every setting written out, to edit

Durations are written 500ms, 30s, 10m, 1h30m or 2d. An unknown key in the file is an error.`;

export function configCommand(ctx: CommandContext): Command {
  const command = new Command('config')
    .summary('show the settings in effect (defaults, daycap.config.json, flags)')
    .description(`show the settings a command would use: the built-in defaults, overridden by ${CONFIG_FILE} in the current folder (or the file given to --config), overridden by flags`)
    .option('--print', 'print the settings in effect as JSON: "source" (the file read, or null), "flags" (settings given as flags) and "settings" (in the file\'s own shape)')
    .addOption(configOption())
    .addOption(capOption(CAP_FROM_CONFIG))
    .addOption(maxAttemptsOption());
  for (const option of runSettingOptions()) command.addOption(option);
  return command.addHelpText('after', EXAMPLES).action(async (flags: ConfigFlags, self: Command) => {
    if (!flags.print) self.error('daycap config needs --print (it shows the settings in effect; edit the file itself to change them)', { exitCode: 2, code: 'daycap.usage' });
    const overrides = overridesOf(flags);
    const config = applyOverrides(await loadConfig({ path: flags.config }), overrides);
    const given = Object.entries(overrides).filter(([, value]) => value !== undefined).map(([key]) => key.replace(/Ms$/, ''));
    const printed = {
      source: config.source ?? null,
      ...(config.source === undefined ? { note: `no ${CONFIG_FILE} in ${process.cwd()}: built-in defaults` } : {}),
      flags: given,
      settings: configAsFile(config),
    };
    ctx.io.out(compactLists(JSON.stringify(printed, null, 2)));
    ctx.setExitCode(0);
  });
}

const PRIMITIVE = String.raw`(?:"(?:[^"\\\n]|\\.)*"|-?[\d.eE+-]+|true|false|null)`;
const LIST_OF_PRIMITIVES = new RegExp(String.raw`\[\n\s*(${PRIMITIVE}(?:,\n\s*${PRIMITIVE})*)\n\s*\]`, 'g');

/** Lists of plain values on one line each: the classification table stays readable at a glance. */
function compactLists(json: string): string {
  return json.replace(LIST_OF_PRIMITIVES, (_, items: string) => `[${items.split(/,\n\s*/).join(', ')}]`);
}
