/**
 * No private key in any output: a full run (enrollment by CLI and in-process,
 * an offline bundle, status, refresh with a merchant key delivered, redeem,
 * the service with a scan, doctor), with every log at debug level, collects
 * every CLI's stdout and stderr, the service's and the platform's logs, and
 * the platform's API answers; then searches them for every private key of
 * the run (terminal, wrap, one-time transport, merchant, platform signing
 * keys, the admin token), raw and as hex, Base64, Base64url and PEM body.
 */
import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { memoryLogger } from '../../device/logger.js';
import { enroll } from '../../provisioning/enroll.js';
import { loadPlatform } from '../../provisioning/store/load.js';
import { openPglite } from '../../platform/store/pglite-db.js';
import { PGLITE_SUBDIR } from '../../platform/store/open.js';
import { httpTransport } from '../../sync/transport/http.js';
import { clientFor } from '../../sync/terminal-state.js';
import { terminalStateAnswer } from '../../protocol/answers.js';
import { preparedDataDir } from '../support/pglite.js';
import { spawnServe, type ServeProcess } from '../platform/spawn-serve.js';
import { removeDir, tempDir } from '../device/helpers.js';
import { kioskAsync, kioskRun, ok, platformRun, transcript } from './cli.js';

const DEBUG = { KIOSK_LOG_LEVEL: 'debug' };

/** Every spelling of a private key an output could carry. */
function spellings(key: KeyObject): string[] {
  const der = key.export({ type: 'pkcs8', format: 'der' });
  const raw = key.asymmetricKeyType === 'rsa' ? der : der.subarray(der.length - 32);
  const pemBody = (key.export({ type: 'pkcs8', format: 'pem' }) as string).split('\n').filter((l) => l !== '' && !l.startsWith('-----'));
  return [raw.toString('hex'), raw.toString('base64').replace(/=+$/, ''), raw.toString('base64url'), der.toString('hex'), der.toString('base64').replace(/=+$/, ''), der.toString('base64url'), ...pemBody.map((l) => l.replace(/=+$/, ''))]
    .concat(raw.toString('latin1'));
}

describe('no key material in any output of a full enrollment-and-redeem run', function () {
  this.timeout(180_000);
  let dir: string;
  let data: string;
  let serve: ServeProcess;

  before(async () => {
    dir = tempDir('nokeys-');
    data = await preparedDataDir();
    serve = await spawnServe(['--data', data, '--platform-id', 'meituan-01'], { COUPON_PLATFORM_LOG_LEVEL: 'debug' });
  });
  after(async () => {
    if (serve && serve.child.exitCode === null) await serve.stop();
    rmSync(data, { recursive: true, force: true });
    removeDir(dir);
  });

  it('finds none of them', async function () {
    transcript.length = 0;
    const outputs: string[] = [];
    const admin = (...args: string[]) => ok(platformRun([...args, '--url', serve.url, '--data', data]));
    admin('merchant', 'add', '--id', 'shop-1');
    admin('branch', 'add', '--merchant', 'shop-1', '--id', 'north');
    const tokenOf = () => JSON.parse(admin('enroll-token', '--merchant', 'shop-1', '--branch', 'north', '--json')) as { token: string; platformKid: string };
    const [a, b, c] = ['a', 'b', 'c'].map((n) => path.join(dir, n)) as [string, string, string];

    const t1 = tokenOf();
    ok(kioskRun(['provision', 'enroll', '--home', a, '--url', serve.url, '--token', t1.token, '--expect-platform-kid', t1.platformKid, '--json'], { env: DEBUG }));

    const made: KeyObject[] = [];
    const { logger, lines } = memoryLogger('debug');
    const t2 = tokenOf();
    const http = httpTransport({ url: serve.url, tls: { mode: 'system' } }, { logger });
    try {
      const generateKey = (type: 'ed25519' | 'x25519') => {
        const k = (type === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('x25519')).privateKey;
        made.push(k);
        return k;
      };
      outputs.push(JSON.stringify(await enroll({ home: b, endpoint: { url: serve.url, tls: { mode: 'system' } }, token: t2.token, expectPlatformKid: t2.platformKid, device: { name: 'b', software: 't' } }, { exchange: http.exchange, logger, generateKey })));
    } finally {
      await http.close();
    }
    assert.equal(made.length, 3, 'terminal, wrap and transport key');

    writeFileSync(path.join(dir, 'pass'), 'correct horse battery staple');
    admin('bundle', '--merchant', 'shop-1', '--branch', 'north', '--passphrase-file', path.join(dir, 'pass'), '--out', path.join(dir, 'till.bundle'));
    ok(kioskRun(['provision', 'import', '--home', c, '--bundle', path.join(dir, 'till.bundle'), '--passphrase-file', path.join(dir, 'pass'), '--url', serve.url, '--json'], { env: DEBUG }));

    admin('merchant', 'rotate-key', '--id', 'shop-1');
    admin('keys', 'rotate', '--overlap', '600');
    for (const h of [a, b, c]) {
      ok(kioskRun(['provision', 'refresh', '--home', h, '--json'], { env: DEBUG }));
      ok(kioskRun(['provision', 'status', '--home', h, '--json'], { env: DEBUG }));
      ok(kioskRun(['provision', 'status', '--home', h], { env: DEBUG }));
      kioskRun(['status', '--home', h, '--json'], { env: DEBUG });
      kioskRun(['doctor', '--home', h, '--user', 'root', '--json'], { env: DEBUG });
    }
    const coupons = [1, 2, 3].map(() => admin('issue', '--aud', 'shop-1', '--sub', 'u', '--product', 'p', '--quantity', '1').trim());
    ok(kioskRun(['redeem', '--home', b, '-'], { input: coupons.slice(0, 2).join('\n') + '\n', env: DEBUG }));
    const service = await kioskAsync(['start', '--home', a, '--simulate', '--json', '--display', 'text'], { input: coupons[2] + '\n', env: DEBUG });
    assert.match(service.stdout, /"reason":"ACCEPTED"/);
    admin('redemptions', '--json');
    admin('terminal', 'list', '--json');
    admin('merchant', 'show', '--id', 'shop-1', '--json');
    admin('keys', 'list', '--json');

    // the platform's API answers, the terminal's state answer (its sealed keys included) among them
    const token = readFileSync(path.join(data, 'admin-token'), 'utf8').trim();
    for (const route of ['/platform', '/merchants', '/merchants/shop-1', '/terminals', '/redemptions', '/conflicts']) {
      outputs.push(await (await fetch(`${serve.url}/v1/admin${route}`, { headers: { authorization: `Bearer ${token}` } })).text());
    }
    const platform = loadPlatform(a, 'meituan-01', { credentials: undefined });
    const client = clientFor(() => platform, { logger });
    try {
      outputs.push(JSON.stringify((await client.call({ method: 'GET', path: '/v1/terminal/state' }, terminalStateAnswer)).body));
    } finally {
      await client.close();
    }
    await serve.stop();
    outputs.push(serve.stderr(), ...lines.map((l) => JSON.stringify(l)), ...transcript);

    const secrets: { what: string; key: KeyObject }[] = made.map((key, i) => ({ what: ['terminal', 'wrap', 'transport'][i]!, key }));
    for (const h of [a, b, c]) {
      const pdir = path.join(h, 'platforms/meituan-01');
      for (const f of ['terminal.pem', 'wrap.pem', ...readdirSync(path.join(pdir, 'keys')).map((n) => `keys/${n}`)]) {
        secrets.push({ what: `${h}/${f}`, key: createPrivateKey(readFileSync(path.join(pdir, f), 'utf8')) });
      }
    }
    const db = await openPglite({ dataDir: path.join(data, PGLITE_SUBDIR) });
    try {
      for (const table of ['signing_keys', 'merchant_keys']) {
        for (const row of (await db.query<{ kid: string; private_pkcs8: string }>(`SELECT kid, private_pkcs8 FROM ${table}`)).rows) secrets.push({ what: `${table} ${row.kid}`, key: createPrivateKey(row.private_pkcs8) });
      }
    } finally {
      await db.close();
    }
    assert.ok(secrets.length >= 3 + 3 * 3 + 2 + 2, `${secrets.length} keys`); // made in-process; 3 homes × terminal, wrap, merchant; the platform's 2 signing and 2 merchant keys

    const all = outputs.join('\n');
    const bytes = Buffer.from(all, 'utf8');
    assert.ok(all.length > 30_000, `a real run's worth of output (${all.length} characters)`);
    const leaks = (text: string, buf: Buffer, key: KeyObject) => spellings(key).filter((s) => (s.length === 32 ? buf.indexOf(Buffer.from(s, 'latin1')) : text.indexOf(s)) >= 0);
    for (const { what, key } of secrets) assert.deepEqual(leaks(all, bytes, key).map((s) => s.slice(0, 12)), [], `${what} appears in the output`);
    // the search finds a key that is there: a terminal key logged as hex, as a PEM line, as raw bytes
    const probe = secrets[0]!.key;
    const der = probe.export({ type: 'pkcs8', format: 'der' });
    for (const planted of [der.subarray(der.length - 32).toString('hex'), (probe.export({ type: 'pkcs8', format: 'pem' }) as string).split('\n')[1]!]) {
      assert.ok(leaks(all + planted, bytes, probe).length > 0, 'a planted key is found');
    }
    assert.ok(leaks(all, Buffer.concat([bytes, der.subarray(der.length - 32)]), probe).length > 0, 'planted raw bytes are found');
    assert.ok(!all.includes(token), 'the admin token appears nowhere');
    assert.ok(!all.includes('PRIVATE KEY'), 'no PEM private key anywhere');
  });
});
