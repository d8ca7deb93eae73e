/** `serve --tls-cert/--tls-key`: HTTPS on loopback with a self-signed certificate, the certificate pinned by the client. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import { spkiPin } from '../../../protocol/setup-code.js';
import { memoryLogger } from '../../../platform/service/logger.js';
import { startService, type RunningService } from '../../../platform/service/server.js';
import { preparedDataDir } from '../../support/pglite.js';

describe('platform service over TLS', function () {
  this.timeout(60_000);
  let data: string;
  let service: RunningService;
  let cert: string;

  before(async function () {
    data = await preparedDataDir();
    const certFile = path.join(data, 'tls.crt');
    const keyFile = path.join(data, 'tls.key');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
    cert = readFileSync(certFile, 'utf8');
    service = await startService({ dataDir: data, host: '127.0.0.1', port: 0, logger: memoryLogger().logger, tls: { certFile, keyFile } });
  });
  after(async () => {
    await service?.stop();
    rmSync(data, { recursive: true, force: true });
  });

  it('answers https with the certificate whose pin goes into the setup code', async function () {
    assert.match(service.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    let seen: string | undefined;
    const dispatcher = new Agent({ connect: { ca: cert, checkServerIdentity: (_host, peer) => void (seen = spkiPin(peer.raw)) } });
    const r = await undiciFetch(service.url + '/v1/health', { dispatcher });
    assert.equal(r.status, 200);
    assert.equal(((await r.json()) as { status: string }).status, 'ok');
    assert.equal(seen, spkiPin(cert), 'the pin a kiosk would check');
    await dispatcher.close();
  });

  it('refuses a client that does not trust the certificate', async function () {
    await assert.rejects(undiciFetch(service.url + '/v1/health'), /fetch failed/);
  });
});
