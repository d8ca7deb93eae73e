import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { Bitmap } from '../../../drivers/display/bitmap.js';
import type { Screen } from '../../../drivers/display/screen.js';
import { TerminalDisplay, halfBlocks } from '../../../drivers/display/terminal.js';
import { screenText } from '../../../drivers/display/words.js';
import { FIXTURE_HEX, STATUS } from './helpers.js';

const ACCEPTED: Screen = { kind: 'verdict', reason: 'ACCEPTED', title: 'Hotpot', quantity: 2, serial: 'S-1', status: STATUS };

function sink(tty = false): { out: PassThrough & { isTTY?: boolean }; text: () => string } {
  const out: PassThrough & { isTTY?: boolean } = new PassThrough();
  if (tty) out.isTTY = true;
  const chunks: string[] = [];
  out.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
  return { out, text: () => chunks.join('') };
}

describe('display/terminal', () => {
  it('maps two pixel rows to one character: ▀ top, ▄ bottom, █ both', () => {
    const b = new Bitmap(4, 8);
    b.set(0, 0);
    b.set(1, 1);
    b.set(2, 0);
    b.set(2, 1);
    assert.equal(halfBlocks(b).split('\n')[0], '▀▄█ ');
    assert.equal(halfBlocks(b).split('\n').length, 4);
  });

  it("'blocks' prints a 128×64 frame as 32 lines, frames separated by a blank line when not a TTY", async () => {
    const { out, text } = sink();
    const d = new TerminalDisplay({ out, mode: 'blocks', language: 'en' });
    await d.start();
    await d.show({ kind: 'idle', status: STATUS });
    await d.show(ACCEPTED);
    await d.stop();
    const frames = text().split('\n\n').filter((f) => f !== '');
    assert.equal(frames.length, 2);
    for (const f of frames) {
      const lines = f.split('\n');
      assert.equal(lines.length, 32);
      assert.ok(lines.every((l) => [...l].length <= 128 && /^[ ▀▄█]*$/.test(l)));
    }
    assert.ok(!text().includes('\x1b'), 'no escape codes into a pipe');
  });

  it("'blocks' redraws in place with cursor moves on a TTY", async () => {
    const { out, text } = sink(true);
    const d = new TerminalDisplay({ out, mode: 'blocks', language: 'zh', unifontPath: FIXTURE_HEX });
    await d.start();
    await d.show({ kind: 'idle', status: STATUS });
    await d.show(ACCEPTED);
    assert.ok(text().startsWith('\x1b[H\x1b[2J'));
    assert.equal(text().split('\x1b[2J').length, 2, 'clears the screen once, then only moves home');
    assert.equal(text().split('\x1b[H').length, 3);
  });

  it("'text' prints the same words as screenText, in the chosen language", async () => {
    const { out, text } = sink();
    const d = new TerminalDisplay({ out, mode: 'text', language: 'zh' });
    await d.start();
    await d.show(ACCEPTED);
    assert.equal(text(), screenText(ACCEPTED, 'zh').join('\n') + '\n\n');
    assert.match(text(), /验证成功/);
  });
});
