import { cpSync, existsSync, symlinkSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCampaign } from '../../src/inputs/index.js';
import { fileTree, fixture, tempDir, writeTree } from '../helpers/files.js';
import { inputError } from './helpers.js';

/** A campaign folder named `name` in a fresh temp folder, with one account and the given files on top. */
function campaign(files: Record<string, string | Uint8Array>, name = 'summer'): string {
  const dir = join(tempDir(), name);
  writeTree(dir, { 'accounts.txt': 'acct1\n', ...files });
  return dir;
}

/** A copy of a fixture campaign, so the test can show it is left byte-identical. */
function copyOf(rel: string): string {
  const dir = join(tempDir(), rel.split('/').pop() as string);
  cpSync(fixture(rel), dir, { recursive: true });
  return dir;
}

const video = 'not really a video\n';

describe('readCampaign', () => {
  it('reads the spring fixture: jobs in captions.csv order, ids `<file name>_<campaign>`, absolute paths, exact captions', async () => {
    const dir = copyOf('campaigns/spring');
    const before = fileTree(dir);
    const result = await readCampaign(dir);
    expect(result.name).toBe('spring');
    expect(result.accounts).toEqual(['bloomdaily', 'petal.pusher', 'greenthumb_tv', 'springreels_']);
    expect(result.warnings).toEqual([]);
    expect(result.cap).toBeUndefined();
    expect(result.notes).toEqual([
      'Campaign: spring; job ids are <video file name>_spring',
      'Captions: captions.csv (filename,caption): caption from caption, matched by file name',
      'Videos: videos/ (4 .mp4 files)',
    ]);
    expect(result.candidates).toEqual([
      { job_id: 'tulips.mp4_spring', video_path: join(dir, 'videos/a/tulips.mp4'), caption: 'Tulip season is here 🌷 #spring #tulips', video_id: 'tulips', videoKey: 'tulips.mp4' },
      {
        job_id: 'blossom.mp4_spring',
        video_path: join(dir, 'videos/a/blossom.mp4'),
        caption: 'Cherry blossom walk 🌸\nSlow mornings, soft light.\n#sakura #springvibes',
        video_id: 'blossom',
        videoKey: 'blossom.mp4',
      },
      {
        job_id: 'rain-garden.mp4_spring',
        video_path: join(dir, 'videos/b/c/rain-garden.mp4'),
        caption: 'Rain, then sun: the garden said "thank you" 🌧️☀️ #garden',
        video_id: 'rain-garden',
        videoKey: 'rain-garden.mp4',
      },
      { job_id: 'seedlings.mp4_spring', video_path: join(dir, 'videos/b/c/seedlings.mp4'), caption: 'Day 12 of the seedling diary 🌱 #growwithme', video_id: 'seedlings', videoKey: 'seedlings.mp4' },
    ]);
    expect(fileTree(dir)).toEqual(before);
  });

  it('keeps captions byte for byte: CRLF and LF inside quotes, spaces, tabs, quotes, emoji; BOM and CRLF rows', async () => {
    const captions = ['\ufefffilename,caption', 'a,"one\r\ntwo"', 'b,"  spaced\tout  "', 'c,plain with trailing space  ', 'd,"say ""hi"" 👋\nbye"', ''].join('\r\n');
    const dir = campaign({ 'captions.csv': captions, 'videos/a.mp4': video, 'videos/b.mp4': video, 'videos/c.mp4': video, 'videos/d.mp4': video });
    const result = await readCampaign(dir);
    expect(result.candidates.map((c) => c.caption)).toEqual(['one\r\ntwo', '  spaced\tout  ', 'plain with trailing space  ', 'say "hi" 👋\nbye']);
  });

  it('finds .mp4 files at any depth, any case of extension, and through symlinked files; ignores other files', async () => {
    const dir = campaign({
      'captions.csv': 'filename,caption\ndeep.MP4,deep\ntop,top\nlinked.mp4,linked\n',
      'videos/x/y/z/deep.MP4': video,
      'videos/top.mp4': video,
      'videos/notes.txt': 'hello',
      'videos/top.mov': video,
      'notes/readme.txt': 'no videos here',
    });
    const elsewhere = writeTree(tempDir(), { 'real.mp4': video });
    symlinkSync(join(elsewhere, 'real.mp4'), join(dir, 'videos/linked.mp4'));
    const result = await readCampaign(dir);
    expect(result.candidates.map((c) => [c.job_id, c.video_path, c.videoKey])).toEqual([
      ['deep.MP4_summer', join(dir, 'videos/x/y/z/deep.MP4'), 'deep.MP4'],
      ['top.mp4_summer', join(dir, 'videos/top.mp4'), 'top.mp4'],
      ['linked.mp4_summer', join(dir, 'videos/linked.mp4'), 'linked.mp4'],
    ]);
  });

  it('accepts the columns in either order and any case', async () => {
    const dir = campaign({ 'captions.csv': 'Caption,FILENAME\nhello,a.mp4\n', 'videos/a.mp4': video });
    expect((await readCampaign(dir)).candidates.map((c) => [c.job_id, c.caption])).toEqual([['a.mp4_summer', 'hello']]);
  });

  it('gives absolute video paths for a relative folder argument, and names the campaign after the folder', async () => {
    const dir = campaign({ 'captions.csv': 'filename,caption\na,x\n', 'videos/a.mp4': video }, 'autumn');
    const result = await readCampaign(`${relative(process.cwd(), dir)}/`);
    expect(result.candidates[0]?.job_id).toBe('a.mp4_autumn');
    expect(result.name).toBe('autumn');
    expect(isAbsolute(result.candidates[0]?.video_path ?? '')).toBe(true);
    expect(existsSync(result.candidates[0]?.video_path ?? '')).toBe(true);
  });

  it('skips and counts videos without a caption and captions without a video, as the seed system does', async () => {
    const dir = campaign({ 'captions.csv': 'filename,caption\na,x\nghost.mp4,y\nghost2,z\n', 'videos/a.mp4': video, 'videos/sub/b.mp4': video });
    const result = await readCampaign(dir);
    expect(result.candidates.map((c) => c.job_id)).toEqual(['a.mp4_summer']);
    expect(result.notes.slice(3)).toEqual(['skipped 2 captions with no video', 'skipped 1 video with no caption']);
    expect(result.warnings).toEqual([]);
  });

  it('a header-only captions.csv gives no jobs and counts the video', async () => {
    const dir = campaign({ 'captions.csv': 'filename,caption\n', 'videos/a.mp4': video });
    const result = await readCampaign(dir);
    expect(result.candidates).toEqual([]);
    expect(result.notes.slice(3)).toEqual(['skipped 1 video with no caption']);
  });

  it('skips rows without a file name or without a caption (a spreadsheet\'s trailing `,,` rows), and counts them', async () => {
    const dir = campaign({ 'captions.csv': 'filename,caption\na.mp4,x\n  ,hello\nb.mp4,   \n,\n', 'videos/a.mp4': video, 'videos/b.mp4': video });
    const result = await readCampaign(dir);
    expect(result.candidates.map((c) => c.job_id)).toEqual(['a.mp4_summer']);
    expect(result.notes.slice(3)).toEqual(['skipped 1 video with no caption', 'skipped 3 caption rows with no file name or no caption']);
  });

  it('a name given twice takes the later caption, in the first place; the exact file name beats the name without .mp4', async () => {
    const dir = campaign({ 'captions.csv': 'filename,caption\nclip,one\nother.mp4,x\nclip.mp4,two\nother.mp4,y\n', 'videos/clip.mp4': video, 'videos/other.mp4': video });
    const result = await readCampaign(dir);
    expect(result.candidates.map((c) => [c.job_id, c.caption])).toEqual([['other.mp4_summer', 'y'], ['clip.mp4_summer', 'two']]);
    expect(result.notes.slice(3)).toEqual(['skipped 1 caption with no video', '1 caption row repeats an earlier file name; the last caption given is used']);
  });

  it.each([
    ['filename,post_caption', 'filename,post_caption\r\na.mp4,the post\r\n', 'the post', 'post_caption'],
    ['filename,onscreen_text,post_caption', 'filename,onscreen_text,post_caption\r\na.mp4,"on\r\nscreen",the post\r\n', 'the post', 'post_caption'],
    ['filename,caption,notes (other columns ignored)', 'filename,caption,notes\na.mp4,x,y\n', 'x', 'caption'],
    ['Filename,Text', 'Filename,Text\na.mp4,from text\n', 'from text', 'Text'],
  ])('reads the %s layout', async (_layout, captions, caption, column) => {
    const dir = campaign({ 'captions.csv': captions, 'videos/a.mp4': video });
    const result = await readCampaign(dir);
    expect(result.candidates.map((c) => [c.job_id, c.caption])).toEqual([['a.mp4_summer', caption]]);
    expect(result.notes[1]).toMatch(new RegExp(`: caption from ${column}, matched by file name$`));
  });

  it('the shortcode layout: a shortcode names every video whose name starts with it, the first shortcode in the file winning', async () => {
    const dir = campaign({
      'captions.csv': 'Text,Image/Video link 1 (shortcode)\r\n"first\r\ncaption",DM6m1\r\nsecond,DM6m1Econ4x\r\nlonely,DQ2XdLzgCze\r\n',
      'videos/src/DM6m1Econ4x-2.mp4': video,
      'videos/src/DM6m1Econ4x-1.mp4': video,
      'videos/src/DMbMMftoiDC-1.mp4': video,
    });
    const result = await readCampaign(dir);
    expect(result.candidates.map((c) => [c.job_id, c.caption])).toEqual([
      ['DM6m1Econ4x-1.mp4_summer', 'first\r\ncaption'],
      ['DM6m1Econ4x-2.mp4_summer', 'first\r\ncaption'],
    ]);
    expect(result.notes.slice(1)).toEqual([
      'Captions: captions.csv (Text,Image/Video link 1 (shortcode)): caption from Text, matched to the videos whose names start with the shortcode',
      'Videos: videos/ (3 .mp4 files)',
      'skipped 2 captions with no video',
      'skipped 1 video with no caption',
    ]);
  });

  it('the captions file may have any .csv name and the videos any sub-folder; ledgers and other CSVs beside them are left aside', async () => {
    const dir = campaign({
      'captions_xyz.csv': 'filename,post_caption\na.mp4,x\n',
      'clips/deep/a.mp4': video,
      'progress.csv': '',
      'progress_20251216.csv': 'job_id,account,video_path,caption,status,worker_id,claimed_at,completed_at,error\n',
      'daycap-ledger.csv': 'job_id,account,video_path,caption,status,worker_id,claimed_at,completed_at,error,platform\n',
      'notes.csv': 'when,what\nmonday,shoot\n',
      'empty-folder/readme.txt': 'x',
    });
    const result = await readCampaign(dir);
    expect(result.candidates.map((c) => [c.job_id, c.video_path])).toEqual([['a.mp4_summer', join(dir, 'clips/deep/a.mp4')]]);
    expect(result.notes.slice(1, 3)).toEqual(['Captions: captions_xyz.csv (filename,post_caption): caption from post_caption, matched by file name', 'Videos: clips/ (1 .mp4 file)']);
    expect(result.warnings).toEqual(['notes.csv is not a captions file (no captions header); it was left aside']);
  });

  it('campaign.json: its name makes the job ids (as in the seed system) and its daily cap is the default cap', async () => {
    const dir = campaign({ 'campaign.json': '{"name": "podcast", "max_posts_per_account_per_day": 2, "enabled": true}', 'captions.csv': 'filename,caption\na.mp4,x\n', 'videos/a.mp4': video });
    const result = await readCampaign(dir);
    expect(result.name).toBe('podcast');
    expect(result.cap).toBe(2);
    expect(result.candidates[0]?.job_id).toBe('a.mp4_podcast');
    expect(result.notes[0]).toBe('Campaign: podcast (from campaign.json); job ids are <video file name>_podcast');
  });

  it('reads the seed system\'s viral folder: captions_xyz.csv (CRLF) beside its progress files, videos in clips/', async () => {
    const dir = copyOf('seed-system/campaigns/viral');
    const before = fileTree(dir);
    const result = await readCampaign(dir);
    expect(result.candidates.map((c) => c.job_id)).toEqual([
      '-1UnGQwl3B1P-1.mp4_viral', '-1UnGQwl3B1P-2.mp4_viral', '-1UnGQwl3B1P-3.mp4_viral', '-2RWt4WaZIf1-1.mp4_viral', '-2RWt4WaZIf1-2.mp4_viral',
    ]);
    expect(result.candidates[0]?.caption).toBe('Caption 1 for -1UnGQwl3B1P, "quoted", with a comma');
    expect(result.notes).toEqual([
      'Campaign: viral; job ids are <video file name>_viral',
      'Captions: captions_xyz.csv (filename,onscreen_text,post_caption): caption from post_caption, matched by file name',
      'Videos: clips/ (6 .mp4 files)',
      'skipped 7 captions with no video',
      'skipped 1 video with no caption',
    ]);
    expect(result.warnings).toEqual([]);
    expect(fileTree(dir)).toEqual(before);
  });

  describe('errors (CAMPAIGN_INVALID unless said otherwise; the folder is left byte-identical)', () => {
    it('a missing campaign folder is INPUT_MISSING, with the expected layout', async () => {
      const dir = join(tempDir(), 'nope');
      const error = await inputError(() => readCampaign(dir), 'INPUT_MISSING');
      expect(error.message).toBe(`${dir}: campaign folder not found`);
      expect(error.hint).toMatch(/accounts\.txt[\s\S]*\.csv[\s\S]*videos\/[\s\S]*campaign\.json/);
    });

    it('a file instead of a folder', async () => {
      const dir = campaign({});
      const error = await inputError(() => readCampaign(join(dir, 'accounts.txt')), 'CAMPAIGN_INVALID', dir);
      expect(error.message).toBe(`${join(dir, 'accounts.txt')}: is not a folder; expected a campaign folder`);
    });

    it('the missing-captions fixture says a captions .csv is missing, with the layout', async () => {
      const dir = copyOf('bad/campaigns/missing-captions');
      const error = await inputError(() => readCampaign(dir), 'CAMPAIGN_INVALID', dir);
      expect(error.message).toBe(`${dir}: campaign folder is missing a captions .csv file`);
      expect(error.hint).toMatch(/<campaign>\/<any name>\.csv/);
    });

    it('a folder whose only CSVs are ledgers has no captions file', async () => {
      const dir = campaign({ 'progress.csv': 'job_id,account\n', 'progress_1.csv': 'job_id,account,video_path,caption,status,worker_id,claimed_at,completed_at,error\n', 'videos/a.mp4': video });
      const error = await inputError(() => readCampaign(dir), 'CAMPAIGN_INVALID', dir);
      expect(error.message).toBe(`${dir}: campaign folder is missing a captions .csv file`);
    });

    it('two captions files are ambiguous', async () => {
      const dir = copyOf('bad/campaigns/two-captions-files');
      const error = await inputError(() => readCampaign(dir), 'CAMPAIGN_INVALID', dir);
      expect(error.message).toBe(`${dir}: 2 captions files: captions.csv, captions_old.csv; daycap cannot tell which is the campaign's`);
    });

    it('two sub-folders holding videos are ambiguous', async () => {
      const dir = copyOf('bad/campaigns/two-video-folders');
      const error = await inputError(() => readCampaign(dir), 'CAMPAIGN_INVALID', dir);
      expect(error.message).toBe(`${dir}: 2 sub-folders hold videos: clips/ (1 .mp4), videos/ (1 .mp4); daycap cannot tell which is the campaign's`);
    });

    it('several CSVs, none of them captions, are each named with their header', async () => {
      const dir = campaign({ 'a.csv': 'x,y\n', 'b.csv': '', 'videos/a.mp4': video });
      const error = await inputError(() => readCampaign(dir), 'CAMPAIGN_INVALID', dir);
      expect(error.message).toBe(`${dir}: no captions file: none of a.csv (\`x,y\`), b.csv (no header) has a captions header (\`filename,caption\`, \`filename,onscreen_text,post_caption\`, or \`Text\` with a shortcode column)`);
    });

    it('a campaign.json that is not JSON, or names no campaign', async () => {
      const notJson = campaign({ 'campaign.json': '{"name": ', 'captions.csv': 'filename,caption\n', 'videos/a.mp4': video });
      expect((await inputError(() => readCampaign(notJson), 'CAMPAIGN_INVALID', notJson)).message).toMatch(/campaign\.json:1:\d+: not valid JSON/);
      const emptyName = campaign({ 'campaign.json': '{"name": "  "}', 'captions.csv': 'filename,caption\n', 'videos/a.mp4': video });
      expect((await inputError(() => readCampaign(emptyName), 'CAMPAIGN_INVALID', emptyName)).message).toBe(`${join(emptyName, 'campaign.json')}: name: expected a non-empty string`);
    });

    it('names every missing part at once', async () => {
      const dir = join(tempDir(), 'empty');
      writeTree(dir, { 'videos.txt': 'not a folder' });
      const error = await inputError(() => readCampaign(dir), 'CAMPAIGN_INVALID', dir);
      expect(error.message).toBe(`${dir}: campaign folder is missing accounts.txt, a captions .csv file, a sub-folder of .mp4 videos`);
    });

    it('a videos file rather than a folder, or a folder without .mp4 files, counts as missing', async () => {
      const dir = campaign({ 'captions.csv': 'filename,caption\n', videos: 'oops', 'clips/a.mov': video });
      const error = await inputError(() => readCampaign(dir), 'CAMPAIGN_INVALID', dir);
      expect(error.message).toMatch(/missing a sub-folder of \.mp4 videos$/);
    });

    it('two videos with the same file name in different subfolders are named', async () => {
      const dir = campaign({ 'captions.csv': 'filename,caption\nclip,x\n', 'videos/a/clip.mp4': video, 'videos/b/clip.mp4': video });
      const error = await inputError(() => readCampaign(dir), 'CAMPAIGN_INVALID', dir);
      expect(error.message).toBe(`${join(dir, 'videos')}: two videos share the name "clip.mp4": videos/a/clip.mp4 and videos/b/clip.mp4`);
    });

    it.each([
      ['an unclosed quote', 'filename,caption\na.mp4,ok\nb.mp4,"never closed\nc.mp4,more\n', 3, 'caption', 'a quoted field that starts here is never closed'],
      ['an unclosed quote after CRLF multi-line captions', 'filename,caption\r\na.mp4,"x\r\ny"\r\nb.mp4,"open\r\n', 4, 'caption', 'a quoted field that starts here is never closed'],
      ['an unquoted comma (three fields)', 'filename,caption\na.mp4,ok\nb.mp4,Hello, world\n', 3, undefined, 'expected 2 fields (filename,caption), found 3'],
      ['a row with one field', 'filename,caption\nb.mp4\n', 2, undefined, 'expected 2 fields (filename,caption), found 1'],
      ['a quote inside an unquoted caption', 'filename,caption\na.mp4,say "hi"\n', 2, 'caption', 'a quote in the middle of a field'],
      ['text after a closing quote', 'filename,caption\n"a.mp4"x,hi\n', 2, 'filename', 'a quote in the middle of a field'],
      ['no header', 'a.mp4,Hello\n', 1, undefined, 'expected a captions header (`filename,caption`, `filename,onscreen_text,post_caption`, or `Text` with a shortcode column), found `a.mp4,Hello`'],
      ['a header after blank lines, wrong', '\n\nfile,text\n', 3, undefined, 'expected a captions header (`filename,caption`, `filename,onscreen_text,post_caption`, or `Text` with a shortcode column), found `file,text`'],
      ['an empty file', '', 1, undefined, 'expected a captions header (`filename,caption`, `filename,onscreen_text,post_caption`, or `Text` with a shortcode column), the file is empty'],
      ['a row with four fields under three columns', 'filename,onscreen_text,post_caption\r\na.mp4,x,y\r\nb.mp4,x,y,z\r\n', 3, undefined, 'expected 3 fields (filename,onscreen_text,post_caption), found 4'],
    ])('malformed captions.csv: %s', async (_what, captions, line, column, problem) => {
      const dir = campaign({ 'captions.csv': captions, 'videos/a.mp4': video, 'videos/b.mp4': video, 'videos/c.mp4': video });
      const error = await inputError(() => readCampaign(dir), 'CAMPAIGN_INVALID', dir);
      const file = join(dir, 'captions.csv');
      expect(error.position).toEqual(column === undefined ? { file, line } : { file, line, column });
      expect(error.message).toBe(`${file}:${line}${column === undefined ? '' : ` (column ${column})`}: ${problem}`);
    });

    it('a captions file with a NUL byte (zero-filled by a crash) is damage, named with its line', async () => {
      const dir = campaign({ 'captions.csv': Buffer.concat([Buffer.from('filename,caption\r\na.mp4,x\r\n'), Buffer.alloc(16)]), 'videos/a.mp4': video });
      const error = await inputError(() => readCampaign(dir), 'CAMPAIGN_INVALID', dir);
      expect(error.message).toBe(`${join(dir, 'captions.csv')}:3:1: holds 16 NUL bytes at offset 27: the file is damaged (zero-filled by a crash?), not text`);
    });

    it('a captions.csv that is not UTF-8', async () => {
      const dir = campaign({ 'captions.csv': Buffer.from('filename,caption\na.mp4,caf\xe9\n', 'latin1'), 'videos/a.mp4': video });
      const error = await inputError(() => readCampaign(dir), 'CAMPAIGN_INVALID', dir);
      expect(error.message).toBe(`${join(dir, 'captions.csv')}:2:10: is not UTF-8 text (byte 0xe9)`);
    });

    it('a bad accounts.txt is reported against accounts.txt', async () => {
      const dir = campaign({ 'accounts.txt': 'ok\nnot ok\n', 'captions.csv': 'filename,caption\n', 'videos/a.mp4': video });
      const error = await inputError(() => readCampaign(dir), 'ACCOUNTS_INVALID', dir);
      expect(error.position).toEqual({ file: join(dir, 'accounts.txt'), line: 2, column: 4 });
    });
  });
});
