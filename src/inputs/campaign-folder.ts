/**
 * Finding the parts of a campaign folder the way the seed system's CampaignConfig.from_folder does:
 * `accounts.txt`, a captions CSV of any name, and the one sub-folder that holds the `.mp4` videos
 * (at any depth), with an optional `campaign.json` naming the campaign and its daily cap.
 */
import type { Dirent } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { captionLayoutOf, headerOf, LAYOUTS_TEXT } from './captions.js';
import { parseJson } from './json.js';
import { readInputText, type InputKind } from './read.js';

export const LAYOUT = [
  'A campaign folder looks like:',
  '  <campaign>/accounts.txt     one account name a line',
  '  <campaign>/<any name>.csv   the captions: `filename,caption`, `filename,onscreen_text,post_caption`',
  '                              or `Text` with a shortcode column',
  '  <campaign>/<one folder>/    the .mp4 videos, in subfolders at any depth (e.g. videos/)',
  '  <campaign>/campaign.json    optional: {"name": …, "max_posts_per_account_per_day": …}',
].join('\n');

/** The seed system looks for `.mp4` only; the case of the extension is not held against a file. */
export const VIDEO_FILE = /\.mp4$/i;
const CSV_FILE = /\.csv$/i;
/** The seed system's own ledger in a campaign folder, never its captions. */
const SEED_LEDGER_NAME = 'progress.csv';
/** Enough of a CSV to read its header line. */
const HEAD_BYTES = 64 * 1024;

export interface Video {
  path: string;
  /** Relative to the campaign folder, with '/' separators, for messages. */
  shown: string;
  fileName: string;
}

export interface CampaignSettings {
  name?: string | undefined;
  cap?: number | undefined;
}

const shown = (root: string, path: string) => relative(root, path).split(sep).join('/');

async function kindAt(path: string): Promise<'file' | 'dir' | 'other' | 'missing'> {
  try {
    const info = await stat(path);
    return info.isFile() ? 'file' : info.isDirectory() ? 'dir' : 'other';
  } catch {
    return 'missing';
  }
}

export async function requireFolder(root: string): Promise<Dirent[]> {
  const kind = await kindAt(root);
  if (kind === 'missing') throw new InputError('INPUT_MISSING', { file: root }, 'campaign folder not found', { hint: LAYOUT });
  if (kind !== 'dir') throw new InputError('CAMPAIGN_INVALID', { file: root }, 'is not a folder; expected a campaign folder', { hint: LAYOUT });
  const entries = await readdir(root, { withFileTypes: true });
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Symlinked folders are not followed (a loop would never end); symlinked files are, since copying videos is costly. */
async function isVideoFile(entry: Dirent, path: string): Promise<boolean> {
  if (!VIDEO_FILE.test(entry.name)) return false;
  if (entry.isFile()) return true;
  return entry.isSymbolicLink() && (await kindAt(path)) === 'file';
}

async function findVideos(root: string, dir: string, found: Video[]): Promise<Video[]> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await findVideos(root, path, found);
    else if (await isVideoFile(entry, path)) found.push({ path, shown: shown(root, path), fileName: entry.name });
  }
  return found;
}

/**
 * The sub-folder holding the videos. The seed system takes the first one its directory listing gives
 * that holds any; since that order differs between systems, two such folders are refused as ambiguous.
 * undefined: none holds a video.
 */
export async function findVideoFolder(root: string, entries: readonly Dirent[]): Promise<{ dir: string; videos: Video[] } | undefined> {
  const holding: { dir: string; videos: Video[] }[] = [];
  for (const entry of entries) {
    const dir = join(root, entry.name);
    if (!entry.isDirectory() && !(entry.isSymbolicLink() && (await kindAt(dir)) === 'dir')) continue;
    const videos = await findVideos(root, dir, []);
    if (videos.length > 0) holding.push({ dir, videos: videos.sort((a, b) => (a.shown < b.shown ? -1 : a.shown > b.shown ? 1 : 0)) });
  }
  if (holding.length > 1) {
    const listed = holding.map((folder) => `${shown(root, folder.dir)}/ (${folder.videos.length} .mp4)`).join(', ');
    throw new InputError('CAMPAIGN_INVALID', { file: root }, `${holding.length} sub-folders hold videos: ${listed}; daycap cannot tell which is the campaign's`, {
      hint: 'Keep the videos in one sub-folder (at any depth inside it) and move the other folders out of the campaign folder. Nothing was seeded.',
    });
  }
  return holding[0];
}

async function headBytes(path: string): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * The captions CSV. The seed system takes the first `.csv` its directory listing gives other than
 * `progress.csv`; daycap looks at every `.csv` and leaves aside ledgers (a `job_id` column: the
 * seed system's progress files and their archives, or daycap's own ledger) and files whose header is
 * not a captions layout. One left: that is it. Two captions files are ambiguous and refused; none
 * names the CSVs looked at. undefined: the folder has no `.csv` but ledgers.
 */
export async function findCaptionsFile(root: string, entries: readonly Dirent[]): Promise<{ file: string; ignored: string[] } | undefined> {
  const captions: string[] = [];
  const others: { name: string; header: string[] | undefined }[] = [];
  for (const entry of entries) {
    if (!CSV_FILE.test(entry.name) || entry.name === SEED_LEDGER_NAME) continue;
    const path = join(root, entry.name);
    if ((await kindAt(path)) !== 'file') continue;
    const header = headerOf(await headBytes(path));
    if (header?.some((cell) => cell.trim() === 'job_id')) continue;
    if (header && captionLayoutOf(header)) captions.push(entry.name);
    else others.push({ name: entry.name, header });
  }
  if (captions.length > 1) {
    throw new InputError('CAMPAIGN_INVALID', { file: root }, `${captions.length} captions files: ${captions.join(', ')}; daycap cannot tell which is the campaign's`, {
      hint: 'Keep one captions .csv in the campaign folder and move the others out. Nothing was seeded.',
    });
  }
  const [chosen] = captions;
  if (chosen) return { file: join(root, chosen), ignored: others.map((other) => other.name) };
  // One CSV that is not captions: parse it, so the message names its line and what is wrong.
  if (others.length === 1) return { file: join(root, others[0]!.name), ignored: [] };
  if (others.length === 0) return undefined;
  const listed = others.map((other) => `${other.name} (${other.header ? `\`${other.header.join(',')}\`` : 'no header'})`).join(', ');
  throw new InputError('CAMPAIGN_INVALID', { file: root }, `no captions file: none of ${listed} has a captions header (${LAYOUTS_TEXT})`, {
    hint: 'Give the captions file one of those header lines. Nothing was seeded.',
  });
}

const SETTINGS: InputKind = { what: 'campaign settings', code: 'CAMPAIGN_INVALID', hint: LAYOUT };
const SettingsShape = z.looseObject({
  name: z.string('expected a non-empty string').trim().min(1, 'expected a non-empty string').nullish(),
  max_posts_per_account_per_day: z.number('expected a whole number of 1 or more').int('expected a whole number of 1 or more').min(1, 'expected a whole number of 1 or more').nullish(),
}, 'expected an object');

/** `campaign.json`, optional: its `name` replaces the folder's name in job ids, as in the seed system. */
export async function readCampaignSettings(root: string): Promise<CampaignSettings> {
  const file = join(root, 'campaign.json');
  if ((await kindAt(file)) === 'missing') return {};
  const fix = 'Fix campaign.json (or remove it to use the folder name and the default cap). Nothing was seeded.';
  const parsed = SettingsShape.safeParse(parseJson(await readInputText(file, SETTINGS), file, SETTINGS.code, fix));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError(SETTINGS.code, { file }, `${issue.path.join('.') || '(top level)'}: ${issue.message}`, { hint: fix });
  }
  return { name: parsed.data.name ?? undefined, cap: parsed.data.max_posts_per_account_per_day ?? undefined };
}

export async function isFile(path: string): Promise<boolean> {
  return (await kindAt(path)) === 'file';
}
