/**
 * `coupon-platform import-batch` as an operator runs it: batches laid out as
 * on a stick (coupon-export/<platform>/<terminal>/batch-NNNNNN.*), a real
 * `serve` process, one JSON summary line, the exit status.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { batchFileNames, batchFolder } from '../../protocol/batch.js';
import { preparedDataDir } from '../support/pglite.js';
import { platform, tempDir } from './cli-run.js';
import { TestTerminal, socketTransport } from './service/terminal-client.js';
import { spawnServe, type ServeProcess } from './spawn-serve.js';
import { makeBatch, redemption, type Batch, type Chain } from './usb-batches.js';

type Json = Record<string, unknown>;

describe('coupon-platform import-batch', function () {
  this.timeout(120_000);
  let data: string;
  let serve: ServeProcess;
  let chain: Chain;
  let ctis: string[];
  /** the manifest hash of the last batch the first test imported */
  let head: string;
  const tmp = tempDir();
  const admin = async (method: string, route: string, body?: unknown) => {
    const token = readFileSync(path.join(data, 'admin-token'), 'utf8').trim();
    const r = await fetch(`${serve.url}/v1/admin${route}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
    return (await r.json()) as Json;
  };
  const importBatch = (...args: string[]) => platform(['import-batch', '--url', serve.url, '--data', data, ...args]);
  const summary = (r: { stdout: string }): Json => {
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 1, 'one JSON summary line');
    return JSON.parse(lines[0]!) as Json;
  };
  /** writes a batch where a kiosk puts it on a stick; returns its folder */
  const write = (root: string, seq: number, b: Batch): string => {
    const dir = path.join(root, ...batchFolder(chain.platformId, chain.terminalId));
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, batchFileNames(seq).manifest), b.manifest);
    writeFileSync(path.join(dir, batchFileNames(seq).data), b.data);
    return dir;
  };

  before(async function () {
    data = await preparedDataDir();
    serve = await spawnServe(['--data', data, '--platform-id', 'plat-usb']);
    await admin('POST', '/merchants', { merchantId: 'shop-1' });
    await admin('POST', '/merchants/shop-1/branches', { branchId: 'north' });
    // an enrolled terminal's key signs the batches (the answer's documents are the enrollment tests' business)
    const t = new TestTerminal(socketTransport(serve.url));
    const token = (await admin('POST', '/enrollment-tokens', { merchantId: 'shop-1', branchId: 'north' }))['token'] as string;
    assert.equal((await t.request('POST', '/v1/enroll', t.enrollBody(token))).status, 200);
    const listed = (await admin('GET', '/terminals')) as unknown as Json[];
    chain = { platformId: 'plat-usb', terminalId: listed.find((x) => x['signKid'] === t.kid)!['terminalId'] as string, key: t.sign.privateKey };
    const iat = new Date(Date.now() - 3600_000).toISOString();
    ctis = [];
    for (let i = 0; i < 6; i++) ctis.push((await admin('POST', '/coupons', { aud: 'shop-1', sub: 'u-7', product: 'hotpot', quantity: 2, iat }))['ctiHex'] as string);
  });
  after(async () => {
    if (serve && serve.child.exitCode === null) await serve.stop();
    rmSync(data, { recursive: true, force: true });
    tmp.remove();
  });

  it('imports a stick\'s batches in chain order; again, everything is a duplicate; exit 0', function () {
    const at = Date.now() - 60_000;
    const b1 = makeBatch(chain, 1, null, [redemption(chain, 1, ctis[0]!, at), redemption(chain, 2, ctis[1]!, at + 1)]);
    const b2 = makeBatch(chain, 2, b1.sha256, [redemption(chain, 1, ctis[2]!, at + 2)]);
    head = b2.sha256;
    const stick = path.join(tmp.dir, 'stick');
    const dir = write(stick, 2, b2);
    write(stick, 1, b1);
    const r = importBatch('--json', path.join(dir, batchFileNames(2).manifest), stick);
    assert.equal(r.status, 0, r.stderr);
    const s = summary(r);
    assert.deepEqual([s['accepted'], s['duplicates'], s['conflicts'], s['refused']], [3, 0, 0, 0]);
    assert.deepEqual((s['batches'] as Json[]).map((b) => [b['sequence'], b['status']]), [[1, 'imported'], [2, 'imported']], 'chain order, each once');
    const again = importBatch('--json', stick);
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual([summary(again)['accepted'], summary(again)['duplicates']], [0, 3]);
    const human = importBatch(stick);
    assert.match(human.stdout, /batch 1 of t-[0-9a-f]{16}\): already-imported: 0 accepted, 2 duplicates/);
  });

  it('a tampered batch and refused records: counted, said why, exit 1', function () {
    const at = Date.now() - 60_000;
    const b3 = makeBatch(chain, 3, head, [
      redemption(chain, 1, ctis[3]!, at), redemption(chain, 2, '42'.repeat(12), at + 1), redemption(chain, 3, ctis[4]!, at + 2, { quantity: 9 }),
    ]);
    const tampered = path.join(tmp.dir, 'tampered');
    const dir = write(tampered, 3, { ...b3, data: Buffer.from(Buffer.from(b3.data).toString().replace('hotpot', 'hotpOt')) });
    const bad = importBatch('--json', tampered);
    assert.equal(bad.status, 1);
    const s = summary(bad);
    assert.deepEqual([s['accepted'], s['refused']], [0, 3]);
    const batch = (s['batches'] as Json[])[0]!;
    assert.deepEqual([batch['status'], batch['code']], ['refused', 'DATA_ALTERED']);
    assert.match(batch['message'] as string, /SHA-256/);
    writeFileSync(path.join(dir, batchFileNames(3).data), b3.data);
    const partly = importBatch(path.join(dir, batchFileNames(3).data));
    assert.equal(partly.status, 1, 'a record was refused');
    assert.match(partly.stdout, /1 accepted, 0 duplicates, 0 conflicts, 2 refused/);
    assert.match(partly.stdout, /#2 \S+ unknown: not a coupon this platform issued/);
    assert.match(partly.stdout, /#3 \S+ refused COUPON_MISMATCH: .*quantity 9 \(issued 2\)/);
  });

  it('a manifest without its data file, and a folder without batches', function () {
    const lone = path.join(tmp.dir, 'lone');
    const dir = write(lone, 9, makeBatch(chain, 9, null, [redemption(chain, 1, ctis[5]!, Date.now() - 1000)]));
    rmSync(path.join(dir, batchFileNames(9).data));
    const r = importBatch('--json', lone);
    assert.equal(r.status, 1);
    assert.equal((summary(r)['batches'] as Json[])[0]!['code'], 'DATA_FILE_MISSING');
    const empty = path.join(tmp.dir, 'empty');
    mkdirSync(empty);
    const none = importBatch('--json', empty);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /no batch/);
  });
});
