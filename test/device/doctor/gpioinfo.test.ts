import assert from 'node:assert/strict';
import { parseGpioinfo } from '../../../device/doctor/gpioinfo.js';

describe('gpioinfo parser', () => {
  it('reads libgpiod v1 output (consumer column, [used] flag)', () => {
    const v1 = [
      'gpiochip0 - 54 lines:',
      '\tline   0:     "ID_SDA"       unused   input  active-high ',
      '\tline  17:     "GPIO17"    "gpioset"  output  active-high [used]',
      '\tline  18:      unnamed       unused   input  active-high ',
      '\tline  19:     "GPIO19"       kernel   input  active-high [used]',
      'gpiochip1 - 8 lines:',
      '\tline   2: "PWR_LED_OFF"       "led1"  output   active-low [used]',
    ].join('\n');
    assert.deepEqual(parseGpioinfo(v1), [
      { chip: 'gpiochip0', offset: 0, name: 'ID_SDA' },
      { chip: 'gpiochip0', offset: 17, name: 'GPIO17', consumer: 'gpioset' },
      { chip: 'gpiochip0', offset: 18 },
      { chip: 'gpiochip0', offset: 19, name: 'GPIO19', consumer: 'kernel' },
      { chip: 'gpiochip1', offset: 2, name: 'PWR_LED_OFF', consumer: 'led1' },
    ]);
  });

  it('reads libgpiod v2 output (consumer= attribute, quoted or not)', () => {
    const v2 = [
      'gpiochip0 - 54 lines:',
      '\tline   0:\t"ID_SDA"        \tinput',
      '\tline  17:\t"GPIO17"        \toutput consumer="coupon-kiosk"',
      '\tline  18:\tunnamed         \tinput',
      '\tline  21:\t"GPIO21"        \toutput active-low consumer=led0',
    ].join('\n');
    assert.deepEqual(parseGpioinfo(v2), [
      { chip: 'gpiochip0', offset: 0, name: 'ID_SDA' },
      { chip: 'gpiochip0', offset: 17, name: 'GPIO17', consumer: 'coupon-kiosk' },
      { chip: 'gpiochip0', offset: 18 },
      { chip: 'gpiochip0', offset: 21, name: 'GPIO21', consumer: 'led0' },
    ]);
  });

  it('ignores lines before a chip header and junk', () => {
    assert.deepEqual(parseGpioinfo('\tline 1: "X" input\nnot gpioinfo\n'), []);
  });
});
