/**
 * The kiosk's platform transport over real sockets: TLS on loopback with a
 * self-signed certificate (pinned by the setup code, or given as CA), a pin
 * that does not match (nothing sent after the handshake), the clock offset
 * learned from a signed STALE_REQUEST only, unsigned answers ignored,
 * timeouts and aborts that never block the event loop, oversized answers.
 */
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { memoryLogger } from '../../device/logger.js';
import { enroll } from '../../provisioning/enroll.js';
import { lookupValid } from '../../provisioning/platform-documents.js';
import { loadPlatform } from '../../provisioning/store/load.js';
import { terminalStateAnswer } from '../../protocol/answers.js';
import type { AddressInfo } from 'node:net';
import { spkiPin } from '../../protocol/setup-code.js';
import { PlatformClient } from '../../sync/transport/client.js';
import { TransportError } from '../../sync/transport/errors.js';
import { httpTransport } from '../../sync/transport/http.js';
import { pullState } from '../../sync/terminal-state.js';
import { removeDir, tempDir } from '../device/helpers.js';
import { selfSigned, startFixture, type ServiceFixture } from '../provisioning/service-fixture.js';

const signer = () => {
  const k = generateKeyPairSync('ed25519').privateKey;
  return { kid: 'a1b2c3d4e5f60718', privateKey: k };
};
const code = (c: string) => (err: unknown) => err instanceof TransportError && err.code === c;
const listen = (s: Server | ReturnType<typeof createTlsServer> | ReturnType<typeof createNetServer>) =>
  new Promise<number>((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port)));

describe('sync/transport: the platform transport over real sockets', function () {
  this.timeout(60_000);
  let dir: string;
  let tls: ReturnType<typeof selfSigned>;
  let other: ReturnType<typeof selfSigned>;
  let fx: ServiceFixture;
  let home: string;

  before(async () => {
    dir = tempDir('transport-');
    tls = selfSigned(dir, 'server');
    other = selfSigned(dir, 'other');
    fx = await startFixture({ tls });
    await fx.merchant('shop-1');
    home = path.join(dir, 'home');
  });
  after(async () => {
    await fx?.stop();
    removeDir(dir);
  });

  it('enrolls over TLS on loopback with a self-signed certificate pinned by its SPKI pin, and refreshes over the stored pin', async () => {
    assert.match(fx.url, /^https:/);
    const { token, platformKid } = await fx.token('shop-1');
    const { logger } = memoryLogger();
    const endpoint = { url: fx.url, tls: { mode: 'pin' as const, pin: spkiPin(tls.cert) } };
    const http = httpTransport(endpoint, { logger });
    try {
      const o = await enroll({ home, endpoint, token, expectPlatformKid: platformKid, device: { name: 't', software: 'test' } }, { exchange: http.exchange, logger });
      assert.equal(o.platformId, 'plat-test');
    } finally {
      await http.close();
    }
    const platform = loadPlatform(home, 'plat-test', { credentials: undefined });
    assert.deepEqual(platform.record.tls, endpoint.tls, 'the pin is stored with the platform');
    const r = await pullState({ home, platform, logger });
    assert.ok(r.ok, JSON.stringify(r));
  });

  it('a stored pin is enforced on every later request: another key is refused before anything is sent', async () => {
    const platform = loadPlatform(home, 'plat-test', { credentials: undefined });
    platform.record.tls = { mode: 'pin', pin: spkiPin(other.cert) };
    const r = await pullState({ home, platform, logger: memoryLogger().logger });
    assert.ok(!r.ok);
    assert.equal(r.code, 'TLS_PIN_MISMATCH');
    assert.match(r.message, /nothing was sent/);
  });

  it('a pin that does not match: the connection is dropped after the handshake, with no request byte sent', async () => {
    let received = 0;
    const server = createTlsServer({ key: readFileSync(other.keyFile), cert: other.cert }, (socket) => {
      socket.on('data', (d) => (received += d.length)); // decrypted application data only
      socket.on('error', () => {});
    });
    const port = await listen(server);
    const url = `https://127.0.0.1:${port}`;
    const wrong = httpTransport({ url, tls: { mode: 'pin', pin: spkiPin(tls.cert) } }, { logger: memoryLogger().logger });
    // long enough for the handshake and the request on a loaded machine; the server never answers
    const right = httpTransport({ url, tls: { mode: 'pin', pin: spkiPin(other.cert) } }, { logger: memoryLogger().logger, timeoutMs: 2000 });
    try {
      const seen = `has pin ${spkiPin(other.cert)}`;
      await assert.rejects(wrong.exchange({ method: 'POST', path: '/v1/enroll', body: { token: 'x'.repeat(32) } }, { signer: signer() }), (err: unknown) => code('TLS_PIN_MISMATCH')(err) && (err as Error).message.includes(seen));
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(received, 0, 'not one byte of the request reached the server');
      // the control: with its own pin, the same server receives the request (and never answers)
      await assert.rejects(right.exchange({ method: 'POST', path: '/v1/enroll', body: { token: 'x'.repeat(32) } }, { signer: signer() }), code('TIMEOUT'));
      assert.ok(received > 100, `the request arrived (${received} bytes)`);
    } finally {
      await wrong.close();
      await right.close();
      server.close();
    }
  });

  it('a CA (the server certificate itself) is trusted when given; the system CAs refuse a self-signed certificate', async () => {
    const health = { method: 'GET' as const, path: '/v1/health' };
    const withCa = httpTransport({ url: fx.url, tls: { mode: 'ca', ca: tls.cert } }, { logger: memoryLogger().logger });
    const system = httpTransport({ url: fx.url, tls: { mode: 'system' } }, { logger: memoryLogger().logger });
    try {
      assert.equal((await withCa.exchange(health, { signer: signer() })).status, 200);
      await assert.rejects(system.exchange(health, { signer: signer() }), code('TLS_FAILED'));
    } finally {
      await withCa.close();
      await system.close();
    }
  });

  it('the clock offset is learned from a signed STALE_REQUEST (then the request succeeds), never from an unsigned one', async () => {
    const platform = loadPlatform(home, 'plat-test', { credentials: undefined });
    const { logger, lines } = memoryLogger();
    const skewMs = 20 * 60_000;
    const clientOf = (exchange?: ReturnType<typeof httpTransport>['exchange']) => new PlatformClient({
      endpoint: { url: fx.url, tls: platform.record.tls }, logger, now: () => Date.now() + skewMs,
      signer: () => ({ kid: platform.terminalKey.kid, privateKey: platform.terminalKey.privateKey }),
      trusted: () => lookupValid(platform.trust.keys, Date.now()),
      ...(exchange ? { exchange } : {}),
    });
    const client = clientOf();
    try {
      const a = await client.call({ method: 'GET', path: '/v1/terminal/state' }, terminalStateAnswer);
      assert.equal(a.status, 200);
      assert.ok(Math.abs(client.clockOffsetMs + skewMs) < 2000, `offset ${client.clockOffsetMs}`);
      assert.ok(lines.some((l) => /refused a request as stale/.test(String(l['msg']))));
    } finally {
      await client.close();
    }
    const http = httpTransport({ url: fx.url, tls: platform.record.tls }, { logger, now: () => Date.now() + skewMs });
    const stripped = clientOf(async (req, opts) => {
      const raw = await http.exchange(req, opts);
      return { ...raw, headers: { 'content-type': 'application/json' } }; // a proxy drops the platform's signatures
    });
    try {
      await assert.rejects(stripped.call({ method: 'GET', path: '/v1/terminal/state' }, terminalStateAnswer), code('ANSWER_UNVERIFIED'));
      assert.equal(stripped.clockOffsetMs, 0, 'an unsigned "your clock is wrong" moves nothing');
    } finally {
      await stripped.close();
      await http.close();
    }
  });

  it('no answer: TIMEOUT within the per-request timeout and ABORTED on the caller\'s signal, the event loop ticking all along', async () => {
    const sockets: import('node:net').Socket[] = [];
    const silent = createNetServer((s) => void sockets.push(s));
    const port = await listen(silent);
    const http = httpTransport({ url: `http://127.0.0.1:${port}`, tls: { mode: 'system' } }, { logger: memoryLogger().logger, timeoutMs: 300 });
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    try {
      const started = Date.now();
      await assert.rejects(http.exchange({ method: 'GET', path: '/v1/x' }, { signer: signer() }), code('TIMEOUT'));
      const took = Date.now() - started;
      assert.ok(took >= 280 && took < 2000, `took ${took} ms`);
      assert.ok(ticks >= 5, `the event loop ran meanwhile (${ticks} ticks; a blocked loop gives 0 or 1)`);
      const ctl = new AbortController();
      setTimeout(() => ctl.abort(), 50);
      await assert.rejects(http.exchange({ method: 'GET', path: '/v1/x' }, { signer: signer(), signal: ctl.signal, timeoutMs: 5000 }), code('ABORTED'));
    } finally {
      clearInterval(ticker);
      await http.close();
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });

  it('an answer over the limit is ANSWER_TOO_LARGE; a closed port is UNREACHABLE', async () => {
    const big = createHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(Buffer.alloc(2 * 1024 * 1024, 0x20));
    });
    const port = await listen(big);
    const http = httpTransport({ url: `http://127.0.0.1:${port}`, tls: { mode: 'system' } }, { logger: memoryLogger().logger, maxAnswerBytes: 1024 * 1024 });
    try {
      await assert.rejects(http.exchange({ method: 'GET', path: '/v1/x' }, { signer: signer() }), code('ANSWER_TOO_LARGE'));
    } finally {
      await http.close();
      big.close();
    }
    const probe = createNetServer();
    const closed = await listen(probe);
    await new Promise((r) => probe.close(r)); // nothing listens there any more
    const gone = httpTransport({ url: `http://127.0.0.1:${closed}`, tls: { mode: 'system' } }, { logger: memoryLogger().logger });
    try {
      await assert.rejects(gone.exchange({ method: 'GET', path: '/v1/x' }, { signer: signer() }), (err: unknown) => code('UNREACHABLE')(err) && /ECONNREFUSED/.test((err as Error).message));
    } finally {
      await gone.close();
    }
  });

  it('closed before its first request: close() settles at once, a later request is refused (no connection pool left open)', async () => {
    let hits = 0;
    const srv = createHttpServer((_req, res) => void (hits++, res.end('{}')));
    const port = await listen(srv);
    try {
      const http = httpTransport({ url: `http://127.0.0.1:${port}`, tls: { mode: 'system' } }, { logger: memoryLogger().logger });
      await http.close();
      await assert.rejects(http.exchange({ method: 'GET', path: '/v1/x' }, { signer: signer() }), (err: unknown) => code('UNREACHABLE')(err) && /closed/.test((err as Error).message));
      assert.equal(hits, 0);
      const ctl = new AbortController();
      ctl.abort();
      const fresh = httpTransport({ url: `http://127.0.0.1:${port}`, tls: { mode: 'system' } }, { logger: memoryLogger().logger });
      await assert.rejects(fresh.exchange({ method: 'GET', path: '/v1/x' }, { signer: signer(), signal: ctl.signal }), code('ABORTED'));
      assert.equal(hits, 0, 'an aborted call sends nothing');
      await fresh.close();
    } finally {
      srv.close();
    }
  });
});
