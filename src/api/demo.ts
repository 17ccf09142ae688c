/**
 * `daycap demo`: a small, realistic campaign written into a new folder, and the settings to run it
 * with the simulator, so a new user sees seeding, parallel posting, failures, retries and the cap
 * at work in a few seconds.
 */
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { durationMs } from '../core/duration.js';
import { DaycapError } from '../errors.js';
import { parseSimulateSpec } from '../handlers/simulate-spec.js';
import type { RunDayOptions } from './run.js';

const ACCOUNTS = [
  '# demo accounts, one a line (lines starting with # are comments)',
  'quickcutspod',
  'dailybearclips',
  'morningbrew.tv',
  'citywalks_4k',
  'gardenwithmo',
  'petpals.daily',
  'streetfood_hunt',
  'lofi.loops',
];

/** [batch folder, file stem, caption]: multi-line captions, emoji, #tags, and one with a comma and quotes. */
const VIDEOS: ReadonlyArray<readonly [string, string, string]> = [
  ['batch_01', 'sunrise-bay', 'Morning light over the bay 🌅\nWho else is up this early?\n#sunrise #bay #goodmorning'],
  ['batch_01', 'coffee-tips', '3 tips for better coffee ☕️\n1. grind fresh\n2. weigh it\n3. 93°C water\n#coffee #tips'],
  ['batch_01', 'bears-picnic', 'When the bears find the picnic basket 🐻🧺 #2bears #wildlife #fyp'],
  ['batch_01', 'bears-part2', 'Part 2!! 🐻🐻\nThey came back for dessert.\n#2bears #part2'],
  ['batch_01', 'unboxing-haul', 'Unboxing day 📦✨\n"Best purchase of the year," says my mum\n#unboxing #haul'],
  ['batch_01', 'city-walk-rain', 'Tokyo in the rain 🌧️🏙️ 4K walk, no talking #citywalk #asmr'],
  ['batch_02', 'tulip-timelapse', 'Tulips opening in 10 seconds 🌷⏱️ #timelapse #spring'],
  ['batch_02', 'puppy-first-snow', 'His first snow ever ❄️🐶\nwait for it…\n#puppy #firstsnow'],
  ['batch_02', 'ramen-stall', 'Best ramen under ¥800? 🍜 We found it. #streetfood #ramen #japan'],
  ['batch_02', 'lofi-night-drive', 'night drive // lofi beats to unwind to 🌙🚗 #lofi #chill'],
  ['batch_02', 'seedling-diary', 'Day 12 of the seedling diary 🌱\nThe tomatoes are winning.\n#growwithme #garden'],
  ['batch_02', 'latte-art-fail', 'Latte art: expectation vs reality 😅☕ #latteart #fail'],
  ['batch_03', 'cat-vs-cucumber', 'She was NOT expecting that 🥒🐱 #cats #funny'],
  ['batch_03', 'market-tacos', 'Tacos al pastor at the night market 🌮🔥\nworth the 40 min queue\n#tacos #foodie'],
  ['batch_03', 'bay-sunset', 'Same bay, 12 hours later 🌇 #sunset #bay'],
  ['batch_03', 'bears-river', 'Fishing lesson from mom 🐻🐟 #wildlife #bears #nature'],
  ['batch_03', 'desk-setup', 'My 2025 desk setup 🖥️⌨️\nlinks in bio\n#desksetup #wfh'],
  ['batch_03', 'rainy-window', 'rain on the window, tea on the desk ☔🍵 #lofi #rainyday'],
  ['batch_04', 'herb-garden', 'Balcony herb garden tour 🌿 basil, mint, thyme #garden #balcony'],
  ['batch_04', 'dog-agility', 'Agility run, personal best 🐕💨 #dogsoftiktok #agility'],
  ['batch_04', 'dumpling-fold', '5 ways to fold a dumpling 🥟\nwhich one is yours?\n#dumplings #cooking'],
  ['batch_04', 'old-town-stairs', '1,000 steps through the old town 🏘️ #citywalk #travel'],
  ['batch_04', 'espresso-slowmo', 'Espresso in slow motion ☕🎞️ #coffee #slowmo'],
  ['batch_04', 'bear-cub-nap', 'Nap time for the cub 🐻💤 #wildlife #cute #2bears'],
];

/** The first bytes of an MP4 (an `ftyp` box) and a note: enough to look like a video to a file browser. */
const PLACEHOLDER_VIDEO = Buffer.concat([
  Buffer.from([0, 0, 0, 24]),
  Buffer.from('ftypisom\0\0\x02\0isommp42', 'latin1'),
  Buffer.from('\ndaycap demo placeholder: not a real video\n'),
]);

export interface DemoCampaign {
  dir: string;
  ledger: string;
  accounts: number;
  videos: number;
}

/**
 * Writes the demo campaign into a new folder and returns where. With `dir`, that folder must not
 * exist or be empty; without it, `<cwd>/daycap-demo`, else `-1`, `-2`, … is created. Every file is
 * created exclusively, so nothing that exists is ever overwritten.
 */
export async function createDemoCampaign(dir?: string, options: { cwd?: string } = {}): Promise<DemoCampaign> {
  const root = dir === undefined ? await makeFreshDir(resolve(options.cwd ?? process.cwd(), 'daycap-demo')) : await useEmptyDir(resolve(options.cwd ?? process.cwd(), dir));
  await writeFile(join(root, 'accounts.txt'), `${ACCOUNTS.join('\n')}\n`, { flag: 'wx' });
  await writeFile(join(root, 'captions.csv'), captionsCsv(), { flag: 'wx' });
  for (const [batch, stem] of VIDEOS) {
    await mkdir(join(root, 'videos', batch), { recursive: true });
    await writeFile(join(root, 'videos', batch, `${stem}.mp4`), PLACEHOLDER_VIDEO, { flag: 'wx' });
  }
  return { dir: root, ledger: join(root, 'progress.csv'), accounts: ACCOUNTS.filter((line) => !line.startsWith('#')).length, videos: VIDEOS.length };
}

/** How fast the demo goes: `normal` lasts about 20 s, long enough to watch the live view; `fast` a few seconds. */
export type DemoPace = 'normal' | 'fast';

/**
 * The simulator's settings and the retry delay for each pace, as `daycap run` would be given them:
 * posts that take a few seconds, a realistic mix of failures (a rate limit's retry-after among
 * them), and retries soon enough to happen within the demo.
 */
export const DEMO_PACES: Readonly<Record<DemoPace, { handler: string; retryDelay: string }>> = {
  normal: { handler: 'simulate:latency=2s-6s,fail=0.35,retry-after=5s-10s,seed=28', retryDelay: '6s' },
  fast: { handler: 'simulate:latency=0.1s-0.5s,fail=0.35,retry-after=1s-2s,seed=28', retryDelay: '1s' },
};

/** How the demo runs: `daycap run --campaign <dir> --handler <the pace's> --workers 4 --cap 1 --retry-delay <the pace's>`. */
export function demoRunOptions(campaign: DemoCampaign, pace: DemoPace = 'normal'): RunDayOptions {
  const { handler, retryDelay } = DEMO_PACES[pace];
  return {
    ledger: campaign.ledger,
    source: { campaign: campaign.dir },
    handler: parseSimulateSpec(handler),
    workers: 4,
    cap: 1,
    retryDelayMs: durationMs(retryDelay),
    jobTimeoutMs: 30_000,
    graceMs: 5000,
    command: 'daycap demo',
  };
}

function captionsCsv(): string {
  const quote = (text: string) => (/[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
  return ['filename,caption', ...VIDEOS.map(([, stem, caption]) => `${stem}.mp4,${quote(caption)}`)].join('\n') + '\n';
}

/** mkdir without `recursive` fails on an existing folder, which makes picking a free name race-free. */
async function makeFreshDir(base: string): Promise<string> {
  for (let n = 0; n < 1000; n++) {
    const candidate = n === 0 ? base : `${base}-${n}`;
    try {
      await mkdir(candidate);
      return candidate;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw demoDirError(candidate, error);
    }
  }
  throw new DaycapError('DEMO_DIR_TAKEN', `${base} and ${base}-1 … ${base}-999 all exist`, { hint: 'Pick a folder with --dir <dir>, or remove old demo folders.' });
}

async function useEmptyDir(dir: string): Promise<string> {
  const entries = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw demoDirError(dir, error);
  });
  if (entries === undefined) {
    // Not recursive: a typo in a parent folder should be reported, not silently created.
    await mkdir(dir).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' && !(await stat(dirname(dir)).then(() => true, () => false))) {
        throw new DaycapError('DEMO_DIR_UNUSABLE', `cannot create the demo folder ${dir}: its parent folder ${dirname(dir)} does not exist`, { hint: 'Create the parent folder first, or pick another --dir.' });
      }
      throw demoDirError(dir, error);
    });
  } else if (entries.length > 0) {
    throw new DaycapError('DEMO_DIR_NOT_EMPTY', `${dir} already exists and is not empty; the demo never writes over existing files`, {
      hint: 'Give --dir a new or empty folder, or leave --dir out to get a fresh ./daycap-demo folder.',
    });
  }
  return dir;
}

function demoDirError(dir: string, error: unknown): DaycapError {
  return new DaycapError('DEMO_DIR_UNUSABLE', `cannot create the demo folder ${dir}: ${(error as Error).message}`, { cause: error, hint: 'Pick a writable folder with --dir <dir>.' });
}
