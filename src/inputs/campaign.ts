/**
 * A campaign folder, read as the seed system's seed_from_campaign reads it: every video found gets
 * the caption its name matches; a video without a caption, or a caption without a video, is skipped
 * and counted. Job ids are `<video file name>_<campaign>` as that system makes them.
 */
import { basename, join, relative, resolve, sep } from 'node:path';
import { InputError } from '../errors.js';
import type { SeedCandidate } from '../core/seed.js';
import { readAccountsFile } from './accounts.js';
import { findCaptionsFile, findVideoFolder, isFile, LAYOUT, readCampaignSettings, requireFolder, VIDEO_FILE, type Video } from './campaign-folder.js';
import { CAPTIONS, describeLayout, parseCaptions, type CaptionRow, type Captions } from './captions.js';
import { readInputBytes } from './read.js';

export interface Campaign {
  /** campaign.json's `name`, else the folder's name: the suffix of every job id. */
  name: string;
  candidates: SeedCandidate[];
  accounts: string[];
  /** campaign.json's `max_posts_per_account_per_day`, if it gives one. */
  cap: number | undefined;
  /** What was read and what was skipped, for the seed summary. */
  notes: string[];
  warnings: string[];
}

const shown = (root: string, path: string) => relative(root, path).split(sep).join('/');
const withoutExtension = (fileName: string) => fileName.replace(VIDEO_FILE, '');

/**
 * Captions by name. A name given twice keeps its first place and takes the later caption, as the
 * seed system's dict does; `repeats` counts such rows.
 */
function indexCaptions(rows: readonly CaptionRow[]): { byName: Map<string, CaptionRow>; repeats: number } {
  const byName = new Map<string, CaptionRow>();
  let repeats = 0;
  for (const row of rows) {
    if (byName.has(row.name)) repeats++;
    byName.set(row.name, row);
  }
  return { byName, repeats };
}

interface CaptionIndex {
  byName: ReadonlyMap<string, CaptionRow>;
  /** Rows by name without `.mp4` in any case, first row first: `clip.MP4` in the file still names clip.mp4. */
  byStem: ReadonlyMap<string, CaptionRow>;
  /** Each name's place in the file (its first row). */
  order: ReadonlyMap<string, number>;
}

function captionIndex(byName: ReadonlyMap<string, CaptionRow>): CaptionIndex {
  const byStem = new Map<string, CaptionRow>();
  for (const [name, row] of byName) if (!byStem.has(withoutExtension(name))) byStem.set(withoutExtension(name), row);
  return { byName, byStem, order: new Map([...byName.keys()].map((key, i) => [key, i])) };
}

/**
 * The caption row of a video, as seed_from_campaign finds it: its file name, else its name without
 * `.mp4`, else (shortcode layout) the first shortcode in file order that starts its name. Beyond it,
 * a row naming the video with another case of `.mp4` also counts, since it can mean no other video.
 */
function captionOf(video: Video, captions: Captions, { byName, byStem, order }: CaptionIndex): CaptionRow | undefined {
  const base = withoutExtension(video.fileName);
  const direct = byName.get(video.fileName) ?? byName.get(base) ?? byStem.get(base);
  if (direct || captions.layout.match !== 'shortcode') return direct;
  // Every prefix of the name, rather than every shortcode against every video: thousands of each are usual.
  let best: string | undefined;
  for (let length = 1; length <= base.length; length++) {
    const prefix = base.slice(0, length);
    const at = order.get(prefix);
    if (at !== undefined && (best === undefined || at < (order.get(best) ?? Infinity))) best = prefix;
  }
  return best === undefined ? undefined : byName.get(best);
}

/** Job ids are made from the file name alone, so two videos of one name in different folders would collide. */
function checkUniqueNames(videos: readonly Video[], root: string, videosDir: string): void {
  const seen = new Map<string, Video>();
  for (const video of videos) {
    const other = seen.get(video.fileName);
    if (other) {
      throw new InputError('CAMPAIGN_INVALID', { file: videosDir }, `two videos share the name ${JSON.stringify(video.fileName)}: ${other.shown} and ${video.shown}`, {
        hint: `Rename one of them (and its caption row): job ids are made from the file name, so they must be unique in the campaign (${shown(root, videosDir)}/).`,
      });
    }
    seen.set(video.fileName, video);
  }
}

async function requireParts(root: string) {
  const entries = await requireFolder(root);
  const accountsFile = join(root, 'accounts.txt');
  const hasAccounts = await isFile(accountsFile);
  const captions = await findCaptionsFile(root, entries);
  const videos = await findVideoFolder(root, entries);
  const missing = [hasAccounts ? '' : 'accounts.txt', captions ? '' : 'a captions .csv file', videos ? '' : 'a sub-folder of .mp4 videos'].filter(Boolean);
  if (missing.length > 0 || !captions || !videos) {
    throw new InputError('CAMPAIGN_INVALID', { file: root }, `campaign folder is missing ${missing.join(', ')}`, { hint: LAYOUT });
  }
  return { accountsFile, captions, videos };
}

export async function readCampaign(dir: string): Promise<Campaign> {
  const root = resolve(dir);
  const { accountsFile, captions: found, videos: folder } = await requireParts(root);
  const settings = await readCampaignSettings(root);
  const name = settings.name ?? basename(root);
  const accounts = await readAccountsFile(accountsFile);
  const captions = parseCaptions(await readInputBytes(found.file, CAPTIONS), found.file);
  checkUniqueNames(folder.videos, root, folder.dir);

  const { byName, repeats } = indexCaptions(captions.rows);
  const index = captionIndex(byName);
  const order = index.order;
  const used = new Set<string>();
  const matched: { video: Video; row: CaptionRow }[] = [];
  let uncaptioned = 0;
  for (const video of folder.videos) {
    const row = captionOf(video, captions, index);
    if (!row) uncaptioned++;
    else {
      used.add(row.name);
      matched.push({ video, row });
    }
  }
  // Jobs in captions-file order (videos of one shortcode in name order), so the ledger reads like the file.
  matched.sort((a, b) => (order.get(a.row.name) ?? 0) - (order.get(b.row.name) ?? 0) || (a.video.shown < b.video.shown ? -1 : a.video.shown > b.video.shown ? 1 : 0));
  const candidates: SeedCandidate[] = matched.map(({ video, row }) => ({
    job_id: `${video.fileName}_${name}`,
    video_path: video.path,
    caption: row.caption,
    video_id: withoutExtension(video.fileName),
    videoKey: video.fileName,
  }));

  const notes = [
    `Campaign: ${name}${settings.name ? ' (from campaign.json)' : ''}; job ids are <video file name>_${name}`,
    `Captions: ${shown(root, found.file)} ${describeLayout(captions.layout)}`,
    `Videos: ${shown(root, folder.dir)}/ (${folder.videos.length} .mp4 ${folder.videos.length === 1 ? 'file' : 'files'})`,
  ];
  const unused = byName.size - used.size;
  if (unused > 0) notes.push(`skipped ${unused} ${unused === 1 ? 'caption' : 'captions'} with no video`);
  if (uncaptioned > 0) notes.push(`skipped ${uncaptioned} ${uncaptioned === 1 ? 'video' : 'videos'} with no caption`);
  const nameless = captions.layout.match === 'shortcode' ? 'shortcode' : 'file name';
  if (captions.blankRows > 0) notes.push(`skipped ${captions.blankRows} caption ${captions.blankRows === 1 ? 'row' : 'rows'} with no ${nameless} or no caption`);
  if (repeats > 0) notes.push(`${repeats} caption ${repeats === 1 ? 'row repeats' : 'rows repeat'} an earlier file name; the last caption given is used`);
  const warnings = found.ignored.map((file) => `${file} is not a captions file (no captions header); it was left aside`);
  return { name, candidates, accounts, cap: settings.cap, notes, warnings };
}
