import { describe, expect, it } from 'vitest';
import { encodeMessage, MessageReader } from '../../src/handlers/spawner-protocol.js';

describe('spawner channel framing', () => {
  it('reads messages however the text is cut into chunks', () => {
    const messages = [
      { id: 1, program: 'node', args: ['a\nb', '{caption}', ''], env: { DAYCAP_CAPTION: 'multi\nline "quoted" ✨' } },
      { kill: 1 },
      { id: 2, code: 0, signal: null, stdoutTail: 'x\r\ny\n', stderrTail: '' },
    ];
    const text = messages.map((message) => encodeMessage(message as never)).join('');
    expect(text.split('\n')).toHaveLength(messages.length + 1);
    for (const size of [1, 2, 7, text.length]) {
      const got: unknown[] = [];
      const reader = new MessageReader<unknown>((message) => got.push(message));
      for (let i = 0; i < text.length; i += size) reader.push(text.slice(i, i + size));
      expect(got, `chunks of ${size}`).toEqual(messages);
    }
  });
});
