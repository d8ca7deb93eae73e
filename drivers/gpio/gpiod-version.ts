/**
 * Which gpioset we have. The tools changed interface between libgpiod v1
 * (Debian 12: `gpioset --mode=signal CHIP OFFSET=V`, names via `gpiofind`) and
 * v2 (Debian 13, current Raspberry Pi OS: `gpioset -c CHIP OFFSET=V` keeps
 * running and holds the lines; names resolved by gpioset itself). v2.1 adds
 * `-i/--interactive`, reading `set LINE=V ...` commands on stdin, when built
 * with editline — so we look for it in `--help` rather than trusting the
 * version number. Sources: gpioset(1) v1.6.3 and v2.1/v2.2 man pages
 * (manpages.debian.org, man.archlinux.org) and libgpiod tools/gpioset.c
 * (`interact()`: commands get/set/toggle/sleep/exit, prompt "gpioset> " printed
 * on stdout when it is not a tty; EOF on stdin does not end it, `exit` does).
 */
import { GpioError } from './outputs.js';
import { runCommand, type SpawnFn } from './process.js';

/** how the backend holds the lines */
export type GpiodMode = 'v2-interactive' | 'v2' | 'v1';

export function parseGpiodVersion(text: string): { major: number; minor: number } | undefined {
  const m = /v(\d+)\.(\d+)/.exec(text);
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

export function modeOf(versionText: string, helpText: string): GpiodMode {
  const v = parseGpiodVersion(versionText);
  if (!v) throw new GpioError('GPIOD_FAILED', `cannot tell the libgpiod version from "gpioset --version": ${JSON.stringify(versionText.slice(0, 80))}`);
  if (v.major < 2) return 'v1';
  return /--interactive/.test(helpText) ? 'v2-interactive' : 'v2';
}

/** Ask the installed gpioset once. */
export async function detectGpiodMode(spawn: SpawnFn): Promise<GpiodMode> {
  const version = await runCommand(spawn, 'gpioset', ['--version']);
  const v = parseGpiodVersion(version.stdout);
  const help = v && v.major >= 2 ? await runCommand(spawn, 'gpioset', ['--help']) : undefined;
  return modeOf(version.stdout, help ? help.stdout + help.stderr : '');
}
