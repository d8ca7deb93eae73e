/** The demo's report: one row per step, what was expected and what happened. */

export interface Row {
  step: string;
  expected: string;
  actual: string;
  ok: boolean;
}

export class Report {
  readonly rows: Row[] = [];

  /** `onRow` sees each row as it is added (the demo's progress lines) */
  constructor(private readonly onRow: (row: Row, n: number) => void = () => {}) {}

  /** Record a row; `ok` is whether actual matched expected. */
  add(step: string, expected: string, actual: string, ok: boolean): boolean {
    const row = { step, expected, actual, ok };
    this.rows.push(row);
    this.onRow(row, this.rows.length);
    return ok;
  }

  /** A step that threw: the row says what it expected and the error. */
  failed(step: string, expected: string, err: unknown): false {
    this.add(step, expected, `error: ${(err as Error).message ?? String(err)}`, false);
    return false;
  }

  /** A step whose function returns the actual result and throws when it did not happen: a row either way. */
  async must(step: string, expected: string, fn: () => Promise<string>): Promise<boolean> {
    try {
      return this.add(step, expected, await fn(), true);
    } catch (err) {
      return this.failed(step, expected, err);
    }
  }

  /** Steps that do not depend on each other, run at once; their rows in the given order. True when all worked. */
  async mustAll(steps: ReadonlyArray<{ step: string; expected: string; fn: () => Promise<string> }>): Promise<boolean> {
    const results = await Promise.allSettled(steps.map((s) => s.fn()));
    return results
      .map((r, i) => {
        const { step, expected } = steps[i]!;
        return r.status === 'fulfilled' ? this.add(step, expected, r.value, true) : this.failed(step, expected, r.reason);
      })
      .every(Boolean);
  }

  get allOk(): boolean {
    return this.rows.length > 0 && this.rows.every((r) => r.ok);
  }
}

const WIDTHS = { n: 3, step: 44, expected: 44, actual: 56 } as const;

/** Cut `text` into lines of at most `width` characters, at spaces where possible. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let rest = text.replace(/\s+/g, ' ').trim();
  while (rest.length > width) {
    const cut = rest.lastIndexOf(' ', width);
    const at = cut > width / 2 ? cut : width;
    lines.push(rest.slice(0, at));
    rest = rest.slice(at).trimStart();
  }
  lines.push(rest);
  return lines;
}

/** The table as text: columns #, step, expected, actual, and ok / FAIL. */
export function renderTable(rows: readonly Row[]): string {
  const head = ['#'.padEnd(WIDTHS.n), 'step'.padEnd(WIDTHS.step), 'expected'.padEnd(WIDTHS.expected), 'actual'.padEnd(WIDTHS.actual), 'result'];
  const rule = head.map((h) => '-'.repeat(h.length));
  const out = [head.join(' | '), rule.join('-|-')];
  rows.forEach((r, i) => {
    const cells = [[String(i + 1)], wrap(r.step, WIDTHS.step), wrap(r.expected, WIDTHS.expected), wrap(r.actual, WIDTHS.actual)];
    const height = Math.max(...cells.map((c) => c.length));
    for (let line = 0; line < height; line++) {
      const at = (c: string[], w: number) => (c[line] ?? '').padEnd(w);
      const result = line === 0 ? (r.ok ? 'ok' : 'FAIL') : '';
      out.push([at(cells[0]!, WIDTHS.n), at(cells[1]!, WIDTHS.step), at(cells[2]!, WIDTHS.expected), at(cells[3]!, WIDTHS.actual), result].join(' | ').trimEnd());
    }
  });
  const failed = rows.filter((r) => !r.ok).length;
  out.push('', failed === 0 ? `all ${rows.length} rows matched` : `${failed} of ${rows.length} rows did not match`);
  return out.join('\n') + '\n';
}
