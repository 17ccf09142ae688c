/** A campaign folder: accounts.txt, captions.csv and videos/ (DESIGN section 6). */
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import { InputError } from '../errors.js';
import type { SeedCandidate } from '../core/seed.js';
import { readAccountsFile } from './accounts.js';
import { CAPTIONS, parseCaptions, type CaptionRow } from './captions.js';
import { readInputBytes } from './read.js';

export interface Campaign {
  name: string;
  candidates: SeedCandidate[];
  accounts: string[];
  warnings: string[];
}

const LAYOUT = [
  'A campaign folder looks like:',
  '  <campaign>/accounts.txt   one account name a line',
  '  <campaign>/captions.csv   header `filename,caption`, one row per video',
  '  <campaign>/videos/        .mp4 files, in subfolders at any depth',
].join('\n');

const MP4 = /\.mp4$/i;

interface Video {
  path: string;
  /** Relative to the campaign folder, with '/' separators, for messages. */
  shown: string;
  fileName: string;
  stem: string;
}

async function kindAt(path: string): Promise<'file' | 'dir' | 'other' | 'missing'> {
  try {
    const info = await stat(path);
    return info.isFile() ? 'file' : info.isDirectory() ? 'dir' : 'other';
  } catch {
    return 'missing';
  }
}

/** Symlinked folders are not followed (a loop would never end); symlinked files are, since copying videos is costly. */
async function isVideoFile(entry: Dirent, path: string): Promise<boolean> {
  if (!MP4.test(entry.name)) return false;
  if (entry.isFile()) return true;
  return entry.isSymbolicLink() && (await kindAt(path)) === 'file';
}

async function findVideos(campaignDir: string, dir: string, found: Video[]): Promise<Video[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await findVideos(campaignDir, path, found);
    else if (await isVideoFile(entry, path)) {
      found.push({ path, shown: relative(campaignDir, path).split(sep).join('/'), fileName: entry.name, stem: entry.name.replace(MP4, '') });
    }
  }
  return found;
}

async function requireLayout(dir: string): Promise<void> {
  const kind = await kindAt(dir);
  if (kind === 'missing') throw new InputError('INPUT_MISSING', { file: dir }, 'campaign folder not found', { hint: LAYOUT });
  if (kind !== 'dir') throw new InputError('CAMPAIGN_INVALID', { file: dir }, 'is not a folder; expected a campaign folder', { hint: LAYOUT });
  const missing: string[] = [];
  if ((await kindAt(join(dir, 'accounts.txt'))) !== 'file') missing.push('accounts.txt');
  if ((await kindAt(join(dir, 'captions.csv'))) !== 'file') missing.push('captions.csv');
  if ((await kindAt(join(dir, 'videos'))) !== 'dir') missing.push('the videos/ folder');
  if (missing.length > 0) {
    throw new InputError('CAMPAIGN_INVALID', { file: dir }, `campaign folder is missing ${missing.join(', ')}`, { hint: LAYOUT });
  }
}

/** Job ids are built from the file name alone, so two videos sharing a name would collide. */
function indexByStem(videos: readonly Video[], videosDir: string): Map<string, Video> {
  const byStem = new Map<string, Video>();
  for (const video of videos) {
    const other = byStem.get(video.stem);
    if (other) {
      throw new InputError('CAMPAIGN_INVALID', { file: videosDir }, `two videos share the name ${JSON.stringify(video.stem)}: ${other.shown} and ${video.shown}`, {
        hint: 'Rename one of them (and its row in captions.csv): job ids are made from the file name, so they must be unique in the campaign.',
      });
    }
    byStem.set(video.stem, video);
  }
  return byStem;
}

/** `clip` and `clip.mp4` in captions.csv both name the video clip.mp4, so two such rows would be two captions for one video. */
function indexCaptions(rows: readonly CaptionRow[], file: string): Map<string, CaptionRow> {
  const byStem = new Map<string, CaptionRow>();
  for (const row of rows) {
    const stem = row.filename.replace(MP4, '');
    const other = byStem.get(stem);
    if (other) {
      throw new InputError('CAMPAIGN_INVALID', { file, line: row.line }, `a second caption for ${JSON.stringify(stem)} (the first is on line ${other.line})`, {
        hint: 'Keep one row per video in captions.csv. The file has not been changed.',
      });
    }
    byStem.set(stem, row);
  }
  return byStem;
}

export async function readCampaign(dir: string): Promise<Campaign> {
  const root = resolve(dir);
  await requireLayout(root);
  const name = basename(root);
  const captionsFile = join(root, 'captions.csv');
  const videosDir = join(root, 'videos');

  const accounts = await readAccountsFile(join(root, 'accounts.txt'));
  const captions = indexCaptions(parseCaptions(await readInputBytes(captionsFile, CAPTIONS), captionsFile), captionsFile);
  const videos = (await findVideos(root, videosDir, [])).sort((a, b) => (a.shown < b.shown ? -1 : a.shown > b.shown ? 1 : 0));
  const videosByStem = indexByStem(videos, videosDir);

  const orphans = [...captions.values()].filter((row) => !videosByStem.has(row.filename.replace(MP4, '')));
  if (orphans.length > 0) {
    const [first] = orphans as [CaptionRow];
    const listed = orphans.map((row) => `line ${row.line} ${JSON.stringify(row.filename)}`).join(', ');
    throw new InputError('CAMPAIGN_INVALID', { file: captionsFile, line: first.line }, `${orphans.length} caption(s) have no matching video in videos/: ${listed}`, {
      hint: 'Add the missing videos, or remove or correct those rows in captions.csv. Nothing was seeded.',
    });
  }

  const candidates: SeedCandidate[] = [];
  for (const row of captions.values()) {
    const video = videosByStem.get(row.filename.replace(MP4, '')) as Video;
    candidates.push({ job_id: `${video.stem}_${name}`, video_path: video.path, caption: row.caption, video_id: video.stem, videoKey: video.fileName });
  }
  const warnings = videos.filter((video) => !captions.has(video.stem)).map((video) => `${video.shown} has no caption in captions.csv; no job for it`);
  return { name, candidates, accounts, warnings };
}
