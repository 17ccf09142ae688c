/** Settings from `daycap.config.json` (or --config), under the command line's flags. */
export { CONFIG_FILE, applyOverrides, defaultConfig, loadConfig, parseConfig, type ConfigOverrides, type EffectiveConfig } from './load.js';
export { configAsFile } from './print.js';
export { ConfigSchema, type ConfigFile, type ConfigFileInput } from './schema.js';
export { DurationError, durationMs, formatDuration, type DurationProblem } from '../core/duration.js';
