/**
 * `npm run demo` end to end, as CI runs it: the built demo as a child
 * process (as an unprivileged user when the tests run as root: the demo is
 * for a newcomer's laptop), exit status 0 and a table in which every step
 * matched, including each verdict the issue names.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { needTool } from '../support/host-tool.js';

const DEMO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../demo/run.js');
const NOBODY = 65534;

function runDemo(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const asNobody = process.getuid?.() === 0 ? { uid: NOBODY, gid: NOBODY } : {};
  const child = spawn(process.execPath, [DEMO], { ...asNobody, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: '/tmp' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

/** The table's rows: first cell the row number, last cell ok / FAIL (wrapped cells continue on lines without a number). */
function rows(table: string): Array<{ text: string; result: string }> {
  const out: Array<{ text: string; result: string }> = [];
  for (const line of table.split('\n')) {
    const cells = line.split(' | ');
    if (cells.length < 4) continue;
    if (/^\d+\s*$/.test(cells[0] ?? '')) out.push({ text: line, result: (cells.at(-1) ?? '').trim() });
    else if (out.length > 0 && /^\s*$/.test(cells[0] ?? '')) out.at(-1)!.text += ' ' + line;
  }
  return out;
}

describe('npm run demo (the whole flow in one command)', function () {
  this.timeout(600_000);

  before(function () {
    needTool(this, 'script', 'apt-get install bsdutils (util-linux script: the serial scanner pseudo-terminal)');
  });

  it('exits 0 with every row of the table matched, each verdict the issue names among them', async () => {
    const r = await runDemo();
    const table = rows(r.stdout);
    const failed = table.filter((t) => t.result !== 'ok').map((t) => t.text.replace(/\s+/g, ' '));
    assert.deepEqual(failed, [], `rows that did not match:\n${failed.join('\n')}\n${r.stdout}\n${r.stderr}`);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`all ${table.length} rows matched`));
    const all = table.map((t) => t.text).join('\n');
    for (const want of ['ACCEPTED', 'ALREADY_REDEEMED', 'DECRYPTION_FAILED', 'EXPIRED', 'UNKNOWN_MERCHANT_KEY', 'REVOKED', 'RSA suite', 'X25519 suite', 'import-batch']) {
      assert.ok(all.includes(want), `the table shows ${want}`);
    }
    assert.ok(table.some((t) => /\(serial\) scans/.test(t.text)) && table.some((t) => /\(hid\) scans/.test(t.text)), 'scans through both drivers');
  });
});
