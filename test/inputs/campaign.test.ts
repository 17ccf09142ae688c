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
  it('reads the spring fixture: jobs in captions.csv order, absolute paths, exact captions', async () => {
    const dir = copyOf('campaigns/spring');
    const before = fileTree(dir);
    const result = await readCampaign(dir);
    expect(result.name).toBe('spring');
    expect(result.accounts).toEqual(['bloomdaily', 'petal.pusher', 'greenthumb_tv', 'springreels_']);
    expect(result.warnings).toEqual([]);
    expect(result.candidates).toEqual([
      { job_id: 'tulips_spring', video_path: join(dir, 'videos/a/tulips.mp4'), caption: 'Tulip season is here 🌷 #spring #tulips', video_id: 'tulips', videoKey: 'tulips.mp4' },
      {
        job_id: 'blossom_spring',
        video_path: join(dir, 'videos/a/blossom.mp4'),
        caption: 'Cherry blossom walk 🌸\nSlow mornings, soft light.\n#sakura #springvibes',
        video_id: 'blossom',
        videoKey: 'blossom.mp4',
      },
      {
        job_id: 'rain-garden_spring',
        video_path: join(dir, 'videos/b/c/rain-garden.mp4'),
        caption: 'Rain, then sun: the garden said "thank you" 🌧️☀️ #garden',
        video_id: 'rain-garden',
        videoKey: 'rain-garden.mp4',
      },
      { job_id: 'seedlings_spring', video_path: join(dir, 'videos/b/c/seedlings.mp4'), caption: 'Day 12 of the seedling diary 🌱 #growwithme', video_id: 'seedlings', videoKey: 'seedlings.mp4' },
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
      'elsewhere/real.mp4': video,
    });
    symlinkSync(join(dir, 'elsewhere/real.mp4'), join(dir, 'videos/linked.mp4'));
    const result = await readCampaign(dir);
    expect(result.candidates.map((c) => [c.job_id, c.video_path, c.videoKey])).toEqual([
      ['deep_summer', join(dir, 'videos/x/y/z/deep.MP4'), 'deep.MP4'],
      ['top_summer', join(dir, 'videos/top.mp4'), 'top.mp4'],
      ['linked_summer', join(dir, 'videos/linked.mp4'), 'linked.mp4'],
    ]);
  });

  it('accepts the columns in either order and any case', async () => {
    const dir = campaign({ 'captions.csv': 'Caption,FILENAME\nhello,a.mp4\n', 'videos/a.mp4': video });
    expect((await readCampaign(dir)).candidates.map((c) => [c.job_id, c.caption])).toEqual([['a_summer', 'hello']]);
  });

  it('gives absolute video paths for a relative folder argument, and names the campaign after the folder', async () => {
    const dir = campaign({ 'captions.csv': 'filename,caption\na,x\n', 'videos/a.mp4': video }, 'autumn');
    const result = await readCampaign(`${relative(process.cwd(), dir)}/`);
    expect(result.name).toBe('autumn');
    expect(isAbsolute(result.candidates[0]?.video_path ?? '')).toBe(true);
    expect(existsSync(result.candidates[0]?.video_path ?? '')).toBe(true);
  });

  it('warns about videos without a caption instead of failing', async () => {
    const dir = campaign({ 'captions.csv': 'filename,caption\na,x\n', 'videos/a.mp4': video, 'videos/sub/b.mp4': video });
    const result = await readCampaign(dir);
    expect(result.candidates.map((c) => c.job_id)).toEqual(['a_summer']);
    expect(result.warnings).toEqual(['videos/sub/b.mp4 has no caption in captions.csv; no job for it']);
  });

  it('a header-only captions.csv gives no jobs and a warning per video', async () => {
    const dir = campaign({ 'captions.csv': 'filename,caption\n', 'videos/a.mp4': video });
    const result = await readCampaign(dir);
    expect(result.candidates).toEqual([]);
    expect(result.warnings).toHaveLength(1);
  });

  describe('errors (CAMPAIGN_INVALID unless said otherwise; the folder is left byte-identical)', () => {
    it('a missing campaign folder is INPUT_MISSING, with the expected layout', async () => {
      const dir = join(tempDir(), 'nope');
      const error = await inputError(() => readCampaign(dir), 'INPUT_MISSING');
      expect(error.message).toBe(`${dir}: campaign folder not found`);
      expect(error.hint).toMatch(/accounts\.txt[\s\S]*captions\.csv[\s\S]*videos\//);
    });

    it('a file instead of a folder', async () => {
      const dir = campaign({});
      const error = await inputError(() => readCampaign(join(dir, 'accounts.txt')), 'CAMPAIGN_INVALID', dir);
      expect(error.message).toBe(`${join(dir, 'accounts.txt')}: is not a folder; expected a campaign folder`);
    });

    it('the missing-captions fixture names captions.csv and the layout', async () => {
      const dir = copyOf('bad/campaigns/missing-captions');
      const error = await inputError(() => readCampaign(dir), 'CAMPAIGN_INVALID', dir);
      expect(error.message).toBe(`${dir}: campaign folder is missing captions.csv`);
      expect(error.hint).toMatch(/<campaign>\/captions\.csv/);
    });

    it('names every missing part at once', async () => {
      const dir = join(tempDir(), 'empty');
      writeTree(dir, { 'videos.txt': 'not a folder' });
      const error = await inputError(() => readCampaign(dir), 'CAMPAIGN_INVALID', dir);
      expect(error.message).toBe(`${dir}: campaign folder is missing accounts.txt, captions.csv, the videos/ folder`);
    });

    it('a videos file rather than a folder counts as missing', async () => {
      const dir = campaign({ 'captions.csv': 'filename,caption\n', videos: 'oops' });
      const error = await inputError(() => readCampaign(dir), 'CAMPAIGN_INVALID', dir);
      expect(error.message).toMatch(/missing the videos\/ folder$/);
    });

    it('the captions-without-videos fixture lists each orphan caption with its line', async () => {
      const dir = copyOf('bad/campaigns/captions-without-videos');
      const error = await inputError(() => readCampaign(dir), 'CAMPAIGN_INVALID', dir);
      const file = join(dir, 'captions.csv');
      expect(error.position).toEqual({ file, line: 3 });
      expect(error.message).toBe(`${file}:3: 2 caption(s) have no matching video in videos/: line 3 "daffodils.mp4", line 5 "crocus"`);
    });

    it('counts lines right after multi-line CRLF captions and blank lines', async () => {
      const captions = '\ufefffilename,caption\r\na.mp4,"first\r\nsecond"\r\n\r\nb.mp4,plain\r\nghost.mp4,"x\r\ny"\r\nghost2,z\r\n';
      const dir = campaign({ 'captions.csv': captions, 'videos/a.mp4': video, 'videos/b.mp4': video });
      const error = await inputError(() => readCampaign(dir), 'CAMPAIGN_INVALID', dir);
      expect(error.message).toMatch(/: line 6 "ghost\.mp4", line 8 "ghost2"$/);
    });

    it('two videos with the same file name in different subfolders are named', async () => {
      const dir = campaign({ 'captions.csv': 'filename,caption\nclip,x\n', 'videos/a/clip.mp4': video, 'videos/b/clip.MP4': video });
      const error = await inputError(() => readCampaign(dir), 'CAMPAIGN_INVALID', dir);
      expect(error.message).toBe(`${join(dir, 'videos')}: two videos share the name "clip": videos/a/clip.mp4 and videos/b/clip.MP4`);
    });

    it('two captions for one video (with and without the extension) name both lines', async () => {
      const dir = campaign({ 'captions.csv': 'filename,caption\nclip,one\nother,x\nclip.mp4,two\n', 'videos/clip.mp4': video, 'videos/other.mp4': video });
      const error = await inputError(() => readCampaign(dir), 'CAMPAIGN_INVALID', dir);
      expect(error.message).toBe(`${join(dir, 'captions.csv')}:4: a second caption for "clip" (the first is on line 2)`);
    });

    it.each([
      ['an unclosed quote', 'filename,caption\na.mp4,ok\nb.mp4,"never closed\nc.mp4,more\n', 3, 'caption', 'a quoted field that starts here is never closed'],
      ['an unclosed quote after CRLF multi-line captions', 'filename,caption\r\na.mp4,"x\r\ny"\r\nb.mp4,"open\r\n', 4, 'caption', 'a quoted field that starts here is never closed'],
      ['an unquoted comma (three fields)', 'filename,caption\na.mp4,ok\nb.mp4,Hello, world\n', 3, undefined, 'expected 2 fields (filename,caption), found 3'],
      ['a row with one field', 'filename,caption\nb.mp4\n', 2, undefined, 'expected 2 fields (filename,caption), found 1'],
      ['a quote inside an unquoted caption', 'filename,caption\na.mp4,say "hi"\n', 2, 'caption', 'a quote in the middle of a field'],
      ['text after a closing quote', 'filename,caption\n"a.mp4"x,hi\n', 2, 'filename', 'a quote in the middle of a field'],
      ['no header', 'a.mp4,Hello\n', 1, undefined, 'expected the header `filename,caption`, found `a.mp4,Hello`'],
      ['a header after blank lines, wrong', '\n\nfile,text\n', 3, undefined, 'expected the header `filename,caption`, found `file,text`'],
      ['an extra column', 'filename,caption,notes\na.mp4,x,y\n', 1, undefined, 'expected the header `filename,caption`, found `filename,caption,notes`'],
      ['an empty file', '', 1, undefined, 'expected the header `filename,caption`, the file is empty'],
      ['an empty file name', 'filename,caption\n  ,hello\n', 2, 'filename', 'the file name is empty'],
    ])('malformed captions.csv: %s', async (_what, captions, line, column, problem) => {
      const dir = campaign({ 'captions.csv': captions, 'videos/a.mp4': video, 'videos/b.mp4': video, 'videos/c.mp4': video });
      const error = await inputError(() => readCampaign(dir), 'CAMPAIGN_INVALID', dir);
      const file = join(dir, 'captions.csv');
      expect(error.position).toEqual(column === undefined ? { file, line } : { file, line, column });
      expect(error.message).toBe(`${file}:${line}${column === undefined ? '' : ` (column ${column})`}: ${problem}`);
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
