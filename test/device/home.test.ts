import assert from 'node:assert/strict';
import path from 'node:path';
import { DEVICE_HOME, HomeError, resolveHome } from '../../device/home.js';

describe('device/home resolveHome', () => {
  it('--home, then KIOSK_HOME, then the device default', () => {
    assert.equal(resolveHome('/a', { KIOSK_HOME: '/b' }), '/a');
    assert.equal(resolveHome(undefined, { KIOSK_HOME: '/b' }), '/b');
    assert.equal(resolveHome(undefined, {}), DEVICE_HOME);
    assert.equal(resolveHome('rel', {}), path.resolve('rel'));
  });

  it('an empty KIOSK_HOME= or --home "" is an error, never the current directory', () => {
    const empty = (e: unknown): boolean => e instanceof HomeError && e.code === 'HOME_NOT_FOUND';
    assert.throws(() => resolveHome(undefined, { KIOSK_HOME: '' }), (e: unknown) => empty(e) && /KIOSK_HOME is set but empty/.test((e as Error).message));
    assert.throws(() => resolveHome(undefined, { KIOSK_HOME: '  ' }), empty);
    assert.throws(() => resolveHome('', {}), empty);
    assert.equal(resolveHome('/a', { KIOSK_HOME: '' }), '/a', 'an explicit --home still wins');
  });
});
