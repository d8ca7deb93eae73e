/**
 * The platform side of the demo, all through `coupon-platform`: the service
 * on PGlite in a temporary data directory, and the admin commands a back
 * office runs against it (merchants, branches, tokens, issuing, revoking,
 * key rotation, USB import).
 */
import path from 'node:path';
import { JsonProcess, PLATFORM_CLI, runCli, type CliResult } from './processes.js';
import { decodeQrPng } from './qr.js';

export interface Issued {
  name: string;
  /** what `issue` printed */
  text: string;
  /** what jsQR read back from the PNG */
  decoded: string;
  qrVersion: number;
  serial: string;
  png: string;
}

export interface IssueRequest {
  name: string;
  merchant: string;
  product: string;
  quantity: number;
  title: string;
  /** `--iat`/`--exp` as `coupon-platform issue` takes them (e.g. -7200) */
  iat?: string;
  exp?: string;
}

/** A failed command as an Error naming it, its exit status and its stderr. */
export function commandError(what: string, r: CliResult): Error {
  return new Error(`${what} exited ${String(r.status)}: ${(r.stderr.trim() || r.stdout.trim()).split('\n').slice(-3).join(' / ')}`);
}

export class DemoPlatform {
  private constructor(readonly proc: JsonProcess, readonly url: string, readonly dataDir: string, private readonly work: string) {}

  /** `serve --data DIR --listen 127.0.0.1:0`: PGlite's first start runs initdb (seconds). */
  static async start(work: string, platformId: string): Promise<DemoPlatform> {
    const dataDir = path.join(work, 'platform-data');
    const args = ['serve', '--data', dataDir, '--listen', '127.0.0.1:0', '--platform-id', platformId];
    const proc = JsonProcess.spawn('coupon-platform serve', PLATFORM_CLI, args, path.join(work, 'platform.log'));
    const listening = await proc.next((e) => e['event'] === 'listening', 'listening event', 180_000);
    return new DemoPlatform(proc, String(listening['url']), dataDir, work);
  }

  /** An admin command against this service; throws unless it exits 0. */
  async admin(args: readonly string[]): Promise<string> {
    const r = await this.adminRaw(args);
    if (r.status !== 0) throw commandError(`coupon-platform ${args.slice(0, 2).join(' ')}`, r);
    return r.stdout;
  }

  adminRaw(args: readonly string[]): Promise<CliResult> {
    const [command, ...rest] = args;
    return runCli(PLATFORM_CLI, [command!, ...rest, '--url', this.url, '--data', this.dataDir]);
  }

  async adminJson<T>(args: readonly string[]): Promise<T> {
    return JSON.parse(await this.admin([...args, '--json'])) as T;
  }

  /** The setup QR's content for one branch (what the technician scans into `kiosk provision enroll`). */
  async setupCode(merchant: string, branch: string): Promise<string> {
    return (await this.adminJson<{ setupCode: string }>(['enroll-token', '--merchant', merchant, '--branch', branch])).setupCode;
  }

  /** Issue through the service (registered there) with a QR PNG, and read the PNG back with jsQR. */
  async issue(req: IssueRequest): Promise<Issued> {
    const png = path.join(this.work, 'qr', `${req.name}.png`);
    const args = ['issue', '--aud', req.merchant, '--sub', `consumer-${req.name}`, '--product', req.product, '--quantity', String(req.quantity), '--title', req.title, '--png', png];
    if (req.iat !== undefined) args.push(`--iat=${req.iat}`);
    if (req.exp !== undefined) args.push(`--exp=${req.exp}`);
    const r = await this.adminRaw(args);
    if (r.status !== 0) throw commandError('coupon-platform issue', r);
    const serial = /serial (\S+),/.exec(r.stderr)?.[1];
    if (serial === undefined) throw new Error(`coupon-platform issue printed no serial: ${r.stderr.trim()}`);
    const { text: decoded, version } = decodeQrPng(png);
    return { name: req.name, text: r.stdout.trim(), decoded, qrVersion: version, serial, png };
  }

  stop(): Promise<number | string> {
    return this.proc.stop();
  }
}
