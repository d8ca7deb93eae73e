/**
 * An HTTP proxy on loopback between a client and a service, for tests of
 * what a network does to requests: each request meets the fault the test set
 * for it (`next`), else passes. Faults: `delay` (hold the request, then
 * forward it), `reset` (close the client's connection before forwarding:
 * the service never sees it), `500` (answer 500 without forwarding),
 * `lose-response` (forward, let the service answer in full, i.e. commit,
 * then close the client's connection without a byte: the answer is lost),
 * `hold` (forward, let the service commit, then keep the answer `ms` before
 * passing it on: a client can be killed between the two).
 * `seen` counts what reached the service.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault = { kind: 'pass' } | { kind: 'delay'; ms: number } | { kind: 'reset' } | { kind: '500' } | { kind: 'lose-response' } | { kind: 'hold'; ms: number };

export interface FaultProxy {
  url: string;
  /** faults for the next requests, in order; then requests pass */
  next: Fault[];
  /** requests whose whole body the proxy has read (before any fault) */
  received: Array<{ method: string; url: string }>;
  /** requests forwarded to the service, and their answers' statuses */
  seen: Array<{ method: string; url: string; status: number }>;
  close(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of req) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

/** Forwards the request and resolves with the whole answer (the service has finished with it). */
function forward(target: URL, req: IncomingMessage, payload: Buffer): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const up = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } }, (res) => {
      body(res).then((b) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: b }), reject);
    });
    up.on('error', reject);
    up.end(payload);
  });
}

export async function startFaultProxy(targetUrl: string): Promise<FaultProxy> {
  const target = new URL(targetUrl);
  const proxy: FaultProxy = { url: '', next: [], received: [], seen: [], close: async () => undefined };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const fault = proxy.next.shift() ?? { kind: 'pass' };
    const payload = await body(req);
    proxy.received.push({ method: req.method ?? '', url: req.url ?? '' });
    if (fault.kind === 'reset') return void req.socket.destroy();
    if (fault.kind === '500') return void res.writeHead(500, { 'content-type': 'text/plain' }).end('proxy fault');
    if (fault.kind === 'delay') await new Promise((r) => setTimeout(r, fault.ms));
    const answer = await forward(target, req, payload);
    proxy.seen.push({ method: req.method ?? '', url: req.url ?? '', status: answer.status });
    if (fault.kind === 'lose-response') return void req.socket.destroy();
    if (fault.kind === 'hold') await new Promise((r) => setTimeout(r, fault.ms));
    res.writeHead(answer.status, answer.headers).end(answer.body);
  };
  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => req.socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return proxy;
}
