/**
 * Ledgers that look like a real day's plan, for the benchmark: each job its own account, captions
 * of 50 to 2,200 characters (most short, a long tail) with hashtags and emoji, about a third with
 * quotes, commas or line breaks (the CSV must quote them), video paths in Windows and POSIX form.
 * Deterministic for a seed, so two runs measure the same bytes.
 */
import { writeFileSync } from 'node:fs';
import { newJob, type Job } from '../src/core/job.js';
import { serializeLedger } from '../src/ledger/codec.js';
import { mulberry32 } from '../src/core/seeded-random.js';

const WORDS = ['sunset', 'vibes', 'weekend', 'recipe', 'quick', 'tutorial', 'before', 'after', 'you', 'won\'t', 'believe', 'this', 'day', 'in', 'my', 'life', 'the', 'best', 'part', 'wait', 'for', 'it', 'new', 'drop', 'link', 'in', 'bio', 'follow', 'for', 'more', 'cozy', 'morning', 'routine', 'glow', 'up', 'street', 'food', 'hidden', 'gem'];
const TAGS = ['#fyp', '#viral', '#reels', '#explore', '#foodie', '#travel', '#fitness', '#ootd', '#diy', '#petsoftiktok', '#asmr', '#motivation'];
const EMOJI = ['✨', '🔥', '😂', '🙌', '💯', '🌅', '🍜', '🐶', '👀', '❤️', '🎉', '👇'];
const SPICE = ['"', ',', '\n', '""quoted""', ', and', '\r\n'];

/** Most captions are short, a few run to the platform's 2,200 characters. */
function captionLength(next: () => number): number {
  const r = next();
  if (r < 0.75) return 50 + Math.floor(next() * 150);
  if (r < 0.97) return 200 + Math.floor(next() * 400);
  return 600 + Math.floor(next() * 1600);
}

function caption(next: () => number): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const length = captionLength(next);
  const spiced = next() < 1 / 3;
  let text = '';
  while (text.length < length) {
    const r = next();
    if (r < 0.75) text += `${pick(WORDS)} `;
    else if (r < 0.88) text += `${pick(TAGS)} `;
    else if (r < 0.96) text += `${pick(EMOJI)} `;
    else text += spiced ? pick(SPICE) : '. ';
  }
  return text.slice(0, length).trimEnd();
}

function videoPath(i: number, next: () => number): string {
  const name = `${Math.floor(next() * 1e12).toString(36)}-${i}.mp4`;
  return next() < 0.5 ? `C:\\Users\\ops\\Desktop\\campaigns\\spring\\clips\\${name}` : `/srv/campaigns/spring/clips/${name}`;
}

export function realisticJobs(size: number, seed = 7): Job[] {
  const next = mulberry32(seed);
  return Array.from({ length: size }, (_, i) => newJob({ job_id: `job-${i}`, account: `account-${i}`, video_path: videoPath(i, next), caption: caption(next) }));
}

/** Writes the ledger; returns its size in bytes. */
export function writeRealisticLedger(path: string, size: number, seed = 7): number {
  const text = serializeLedger(realisticJobs(size, seed));
  writeFileSync(path, text);
  return Buffer.byteLength(text);
}
