/** Small text helpers for command output. */

/** `a, b, c` — at most `max` ids, then how many more, so a big day does not flood the terminal. */
export function listIds(ids: readonly string[], max = 20): string {
  const shown = ids.slice(0, max).join(', ');
  return ids.length > max ? `${shown}, … and ${ids.length - max} more` : shown;
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** The width closing texts keep to: a standard terminal's. */
export const TEXT_WIDTH = 80;

/** `text` in lines of at most `width` columns, broken between words; each line starts with `indent`. */
export function wrapText(text: string, indent = '', width = TEXT_WIDTH): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line !== '' && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(indent + line);
  return lines;
}

/**
 * A command to copy into a shell, in lines of at most `width` columns where it can be: broken
 * between `groups` (an option and its value stay together) with a ` \` at each line's end.
 */
export function shellLines(groups: readonly string[], indent = '  ', width = TEXT_WIDTH): string[] {
  const lines: string[] = [];
  let line = '';
  for (const group of groups) {
    const lead = lines.length === 0 ? indent : `${indent}  `;
    if (line !== '' && lead.length + line.length + 1 + group.length + 2 > width) {
      lines.push(`${lead}${line} \\`);
      line = group;
    } else line = line === '' ? group : `${line} ${group}`;
  }
  if (line !== '') lines.push(`${lines.length === 0 ? indent : `${indent}  `}${line}`);
  return lines;
}
