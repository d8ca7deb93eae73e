/** Times on the platform command line (platform/time-arg.ts). */
import assert from 'node:assert/strict';
import { CliError } from '../../platform/cli-error.js';
import { parseTime } from '../../platform/time-arg.js';

describe('platform/time-arg', function () {
  const now = 1_800_000_000;
  const cases: Array<[string | number, number]> = [
    ['1767225600', 1767225600],
    [1767225600, 1767225600],
    ['+86400', now + 86400],
    ['-60', now - 60],
    ['2026-01-01T00:00:00Z', 1767225600],
    ['2026-01-01T08:00:00+08:00', 1767225600],
    ['2026-01-01T00:00:00.999Z', 1767225600],
    [' 42 ', 42],
  ];
  for (const [input, expected] of cases) {
    it(`reads ${JSON.stringify(input)} as ${expected}`, function () {
      assert.equal(parseTime(input, now, 'exp'), expected);
    });
  }

  for (const bad of ['tomorrow', '', '1.5', '2026-13-45', 'Jan 1 2026', 1.5]) {
    it(`refuses ${JSON.stringify(bad)}, naming the flag and the value`, function () {
      assert.throws(() => parseTime(bad, now, 'nbf'), (err: unknown) => err instanceof CliError && err.code === 'USAGE' && /nbf/.test(err.message) && err.message.includes(String(bad)));
    });
  }
});
