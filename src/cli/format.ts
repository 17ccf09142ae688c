/** Small text helpers for command output. */

/** `a, b, c` — at most `max` ids, then how many more, so a big day does not flood the terminal. */
export function listIds(ids: readonly string[], max = 20): string {
  const shown = ids.slice(0, max).join(', ');
  return ids.length > max ? `${shown}, … and ${ids.length - max} more` : shown;
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}
