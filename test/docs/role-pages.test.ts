/**
 * The pages for each role (docs/cashier.md, manager.md, technician.md, security.md) against the code:
 * every screen they picture exists and every screen is pictured; every command and flag they write is
 * one the CLIs have (their --help says so); every code or test file they point at exists.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sampleScreens } from '../../drivers/display/sample-screens.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const PAGES = ['cashier.md', 'manager.md', 'technician.md', 'security.md'];
const read = (page: string): string => readFileSync(path.join(ROOT, 'docs', page), 'utf8');

/** Screens a cashier never sees today: VALID is `kiosk verify`'s answer, and no uplink draws "Uploading" yet. */
const NOT_AT_THE_COUNTER = new Set(['verdict-valid', 'upload-progress']);

const CLIS = {
  kiosk: { script: 'dist/device/cli/kiosk.js', commands: ['start', 'redeem', 'verify', 'status', 'ledger', 'clock', 'export', 'provision', 'doctor'], nested: ['ledger', 'clock', 'provision'] },
  'coupon-platform': {
    script: 'dist/platform/cli.js',
    commands: ['keygen', 'issue', 'batch', 'serve', 'merchant', 'branch', 'enroll-token', 'revoke', 'keys', 'terminal', 'redemptions', 'conflicts', 'bundle', 'import-batch'],
    nested: ['merchant', 'branch', 'keys', 'terminal'],
  },
} as const;

/** The code in a page: fenced blocks and inline spans, with shell line continuations joined. */
function codeOf(doc: string): string[] {
  const blocks = [...doc.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((m) => m[1]!.replace(/\\\n\s*/g, ' '));
  const rest = doc.replace(/```[a-z]*\n[\s\S]*?```/g, '');
  return [...blocks.flatMap((b) => b.split('\n')), ...[...rest.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!)];
}

/** Each CLI invocation in the code: the command words and the flags written after them. */
function invocations(doc: string): { cli: keyof typeof CLIS; words: string[]; flags: string[] }[] {
  const out: { cli: keyof typeof CLIS; words: string[]; flags: string[] }[] = [];
  for (const line of codeOf(doc)) {
    for (const m of line.matchAll(/\b(kiosk|coupon-platform) ([a-z-]+)(?: ([a-z-]+))?([^|;&`]*)/g)) {
      const cli = m[1] as keyof typeof CLIS;
      const spec = CLIS[cli];
      if (!(spec.commands as readonly string[]).includes(m[2]!)) continue;
      const nested = (spec.nested as readonly string[]).includes(m[2]!) && m[3] !== undefined && !m[3].startsWith('-');
      const words = nested ? [m[2]!, m[3]!] : [m[2]!];
      const tail = nested ? m[4]! : `${m[3] ? ` ${m[3]}` : ''}${m[4]!}`;
      out.push({ cli, words, flags: [...tail.matchAll(/(?:^|\s|\[)(--[a-z][a-z-]*)/g)].map((f) => f[1]!) });
    }
  }
  return out;
}

describe('docs: the pages for each role', () => {
  const docs = Object.fromEntries(PAGES.map((p) => [p, read(p)]));

  it('picture only screens that exist, and the cashier and manager pages together picture every screen', () => {
    const pictured = new Set<string>();
    for (const page of ['cashier.md', 'manager.md']) {
      for (const m of docs[page]!.matchAll(/screens\/([a-z0-9-]+\.png)/g)) {
        assert.ok(existsSync(path.join(ROOT, 'docs/screens', m[1]!)), `${page}: docs/screens/${m[1]} (npm run screens)`);
        pictured.add(m[1]!);
      }
    }
    for (const { name } of sampleScreens(Date.now())) {
      if (NOT_AT_THE_COUNTER.has(name)) continue;
      assert.ok(pictured.has(`${name}-zh.png`), `${name}: not on the cashier's or the manager's page`);
    }
  });

  it('write only commands and flags the CLIs have', function () {
    this.timeout(60_000);
    const help = new Map<string, string>();
    for (const page of PAGES) {
      for (const { cli, words, flags } of invocations(docs[page]!)) {
        const key = `${cli} ${words.join(' ')}`;
        if (!help.has(key)) {
          const r = spawnSync(process.execPath, [path.join(ROOT, CLIS[cli].script), ...words, '--help'], { encoding: 'utf8' });
          help.set(key, r.stdout + r.stderr);
        }
        const text = help.get(key)!;
        assert.match(text, /usage/i, `${page}: ${key} --help`);
        for (const flag of flags) assert.ok(text.includes(flag), `${page}: ${key} has no ${flag}`);
      }
    }
    assert.ok(help.size >= 15, `only ${help.size} commands found: is the parser broken?`);
  });

  it('point only at code and tests that exist', () => {
    for (const page of PAGES) {
      for (const m of docs[page]!.matchAll(/`((?:device|drivers|sync|provisioning|platform|protocol|coupon|test)\/[\w./-]+?)`/g)) {
        const file = m[1]!.replace(/\*/g, '');
        if (file.includes('*') || /-\.test\.ts$/.test(m[1]!)) continue;
        assert.ok(existsSync(path.join(ROOT, file)), `${page}: ${m[1]} does not exist`);
      }
    }
  });
});
