/** How a video is named across inputs: the scheduler gives paths, campaigns file names, the posted ledger either. */

/**
 * Only video extensions are dropped: the scheduler and campaigns name the same video `clip` or `clip.mp4`,
 * but a dot inside a name (`clip.v2`) must not make it match `clip`.
 */
const VIDEO_EXTENSION = /\.(mp4|mov|m4v|webm|mkv|avi)$/i;

/** The file name at the end of a path, whichever separator the scheduler used. */
export function videoKeyOf(videoPath: string): string {
  const cut = Math.max(videoPath.lastIndexOf('/'), videoPath.lastIndexOf('\\'));
  return videoPath.slice(cut + 1);
}

/** The name two references to one video share: `clip.mp4`, `clip` and `dir\clip.mp4` all give `clip`. */
export function videoStem(videoKeyOrPath: string): string {
  return videoKeyOf(videoKeyOrPath).replace(VIDEO_EXTENSION, '');
}
