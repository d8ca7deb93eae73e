/** The USB stick recipe of provisioning/device: setup.sh installs it, the polkit rule allows only what it must. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { DEFAULT_USB_ROOTS } from '../../device/config-usb.js';

const DEVICE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../provisioning/device');
const read = (name: string): string => readFileSync(path.join(DEVICE, name), 'utf8');

type Verdict = 'yes' | 'not_handled';

/** Evaluates the polkit rule file (JavaScript) against a fake polkit, as polkitd would. */
function polkitRule(user: string): (actionId: string, details: Record<string, string>, who: string) => Verdict {
  const source = read('70-coupon-kiosk-usb.polkit.rules').replaceAll('@USER@', user);
  let rule: ((action: unknown, subject: unknown) => Verdict) | undefined;
  const polkit = { Result: { YES: 'yes', NOT_HANDLED: 'not_handled' }, addRule: (fn: typeof rule) => (rule = fn) };
  vm.runInNewContext(source, { polkit });
  return (id, details, who) => rule!({ id, lookup: (k: string) => details[k] }, { user: who }) ?? 'not_handled';
}

describe('provisioning/device: the USB stick recipe', () => {
  it('setup.sh --dry-run installs the udev rule and the polkit rule; the unit may write /media', () => {
    const r = spawnSync('bash', [path.join(DEVICE, 'setup.sh'), '--dry-run', '--user', 'till7']);
    assert.equal(r.status, 0, r.stderr.toString());
    const out = r.stdout.toString();
    for (const step of [
      /apt-get install -y dosfstools exfatprogs polkitd/,
      /render .*71-coupon-kiosk-usb.rules -> \/etc\/udev\/rules.d\/71-coupon-kiosk-usb.rules/,
      /render .*70-coupon-kiosk-usb.polkit.rules -> \/etc\/polkit-1\/rules.d\/70-coupon-kiosk-usb.rules/,
    ]) {
      assert.match(out, step);
    }
  });

  it('mounts USB FAT/exFAT owned by the kiosk user and ext as it is, under a root the kiosk watches', () => {
    const rules = read('71-coupon-kiosk-usb.rules').replace(/\\\n\s*/g, '');
    const lines = rules.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
    assert.equal(lines.length, 2);
    for (const line of lines) {
      assert.match(line, /^ACTION=="add", SUBSYSTEM=="block", ENV\{ID_BUS\}=="usb", ENV\{ID_FS_USAGE\}=="filesystem"/);
      assert.match(line, /RUN\{program\}\+="\/usr\/bin\/systemd-mount --no-block --automount=no --collect .*\$devnode \/media\/usb-%k"$/);
      assert.match(line, /nosuid,nodev,noexec/);
    }
    assert.match(lines[0]!, /ID_FS_TYPE}=="vfat\|exfat".*--owner=@USER@/);
    assert.doesNotMatch(lines[1]!, /--owner/); // ext has real owners: uid= would fail the mount
    assert.ok(DEFAULT_USB_ROOTS.includes('/media'));
    assert.match(read('coupon-kiosk.service'), /^ReadWritePaths=.* -\/media( |$)/m);
  });

  it('polkit lets the kiosk user stop its stick mounts, and nothing else', () => {
    const decide = polkitRule('kiosk');
    const unit = spawnSync('systemd-escape', ['--path', '--suffix=mount', '/media/usb-sda1']).stdout?.toString().trim() || 'media-usb\\x2dsda1.mount';
    const manage = 'org.freedesktop.systemd1.manage-units';
    assert.equal(decide(manage, { unit, verb: 'stop' }, 'kiosk'), 'yes');
    assert.equal(decide(manage, { unit: 'media-usb\\x2dsdb.mount', verb: 'stop' }, 'kiosk'), 'yes');
    assert.equal(decide(manage, { unit, verb: 'start' }, 'kiosk'), 'not_handled');
    assert.equal(decide(manage, { unit, verb: 'stop' }, 'mallory'), 'not_handled');
    assert.equal(decide(manage, { unit: 'coupon-kiosk.service', verb: 'stop' }, 'kiosk'), 'not_handled');
    assert.equal(decide(manage, { unit: 'media-usb\\x2dsda1.mount.evil', verb: 'stop' }, 'kiosk'), 'not_handled');
    assert.equal(decide(manage, { unit: 'var-lib-coupon\\x2dkiosk.mount', verb: 'stop' }, 'kiosk'), 'not_handled');
    assert.equal(decide('org.freedesktop.login1.reboot', {}, 'kiosk'), 'not_handled');
  });
});
