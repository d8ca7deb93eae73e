/**
 * Regenerates docs/screens/*.png and docs/screens.md: every screen in English
 * and Chinese, drawn through the real SSD1306 driver onto a FakeI2cBus, so the
 * pictures show what the wire protocol puts on the panel.
 *
 *   node dist/drivers/display/screenshots.js [outDir=docs]
 *
 * Chinese needs GNU Unifont (apt install unifont); without it CJK draws as boxes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '../../device/logger.js';
import { FakeI2cBus } from './fake-i2c.js';
import { sampleScreens } from './sample-screens.js';
import type { Language, Screen } from './screen.js';
import { Ssd1306Display } from './ssd1306.js';

const UNIFONT = process.env['KIOSK_UNIFONT'] ?? '/usr/share/unifont/unifont.hex';
/** 14:30 local time on a fixed day, so the pictures do not change from run to run. */
const NOW = new Date(2026, 10, 25, 14, 30).getTime();
const COMPACT = new Set(['idle', 'verdict-accepted', 'verdict-already-redeemed', 'fault-scanner-disconnected', 'export-progress']);

async function shoot(screen: Screen, language: Language, height: 64 | 32): Promise<Buffer> {
  const bus = new FakeI2cBus();
  const display = new Ssd1306Display({
    bus: 1, address: 0x3c, height, contrast: 0xcf, flip: false, language,
    unifontPath: UNIFONT, logger: silentLogger(), openBus: async () => bus.reopen(), now: () => NOW,
  });
  await display.start();
  await display.show(screen);
  const png = bus.toPng(4);
  await display.stop();
  return png;
}

async function main(outDir: string): Promise<void> {
  const dir = join(outDir, 'screens');
  mkdirSync(dir, { recursive: true });
  const rows: string[] = [];
  for (const { name, screen } of sampleScreens(NOW)) {
    const cells: string[] = [];
    for (const language of ['en', 'zh'] as const) {
      for (const height of COMPACT.has(name) ? ([64, 32] as const) : ([64] as const)) {
        const file = `${name}-${language}${height === 32 ? '-32' : ''}.png`;
        writeFileSync(join(dir, file), await shoot(screen, language, height));
        cells.push(`![${name} ${language} 128×${height}](screens/${file})`);
      }
    }
    rows.push(`### ${name}\n\n${cells.join(' ')}\n`);
  }
  writeFileSync(join(outDir, 'screens.md'), header() + rows.join('\n'));
  process.stdout.write(`wrote ${rows.length} screens to ${dir}\n`);
}

function header(): string {
  return [
    '# Display screens',
    '',
    'Every screen of the SSD1306 OLED (128×64, some also in the compact 128×32 layout), in English',
    'and Chinese. Each picture is drawn by the real driver (`drivers/display/ssd1306.ts`) onto the fake',
    'I2C bus, which replays the command stream into the panel\'s RAM and renders it',
    '(`drivers/display/fake-i2c.ts`). Regenerate with `node dist/drivers/display/screenshots.js`',
    '(after `npm run build`; Chinese needs `apt install unifont`).',
    '',
    'Status line marks (bottom row): signal bars = online, × = offline (none: no uplink configured),',
    '↑N = redemptions waiting for upload, clock! = clock not trusted, barcode× = scanner disconnected.',
    '',
    'Every text line starts on an 8-pixel page boundary (16-px lines cover exactly two GDDRAM pages, 8-px',
    'lines one), and the idle prompt sits on the pages where verdicts put their detail lines: the driver',
    'sends only changed column spans, so idle ↔ ACCEPTED stays under half a full frame on the bus',
    '(`test/drivers/display/bus-budget.test.ts`, `node dist/bench/run.js display`).',
    '',
    '',
  ].join('\n');
}

main(process.argv[2] ?? 'docs').catch((err: unknown) => {
  process.stderr.write(`screenshots failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
