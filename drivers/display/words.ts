import { REASON_TEXT } from '../../coupon/reasons.js';
import type { FaultCode, Language, Screen, StatusLine } from './screen.js';

/**
 * Every word a screen shows, in both languages, in one place: the pixel
 * layout and the plain-text terminal both draw from `screenWords`, so the
 * OLED and `--display text` never disagree. Verdict words come from
 * REASON_TEXT; everything else is here.
 */
type Words = Readonly<Record<Language, string>>;

export const WORDS = {
  // Chinese says it in one line ("please scan a coupon"), which also fits the 128×32 panel.
  idleHeadline: { en: 'Ready', zh: '请扫描优惠券' },
  idleLine: { en: 'Scan a coupon', zh: '' },
  // ASCII in Chinese too ("No." is how Chinese receipts and tickets label a number): a CJK label would
  // make the whole ×N/serial line 16 px high, twice the bus bytes and one fewer line on the panel.
  serial: { en: 'No.', zh: 'No.' },
  // Chinese shows the bare time under 已使用: a CJK label would need a 16-px line.
  usedAt: { en: 'Used', zh: '' },
  usedBy: { en: 'at', zh: '终端' },
  callTechnician: { en: 'Call technician', zh: '请联系技术人员' },
  exporting: { en: 'Exporting to USB', zh: '导出到U盘' },
  uploading: { en: 'Uploading', zh: '正在上传' },
  safeToRemove: { en: 'Safe to remove', zh: '可以拔出' },
  safeToRemoveHint: { en: 'USB stick done', zh: 'U盘已导出完成' },
  exportFailed: { en: 'Export failed', zh: '导出失败' },
  exportInterrupted: { en: 'Export interrupted', zh: '导出中断' },
  nothingLost: { en: 'Nothing lost', zh: '记录未丢失' },
  insertAgain: { en: 'Insert it again', zh: '请重新插入U盘' },
  usbFull: { en: 'USB stick full', zh: 'U盘已满' },
  useAnother: { en: 'Use another stick', zh: '请换一个U盘' },
  usbReadOnly: { en: 'Stick read-only', zh: 'U盘只读' },
  usbNotMarked: { en: 'Stick not used', zh: '未使用此U盘' },
  noExportFolder: { en: 'No export folder', zh: '无导出文件夹' },
  records: { en: 'records', zh: '条记录' },
  nothingNew: { en: 'Nothing new', zh: '没有新记录' },
  notExported: { en: 'not exported', zh: '条未导出' },
  starting: { en: 'Starting…', zh: '正在启动' },
  stopping: { en: 'Stopping…', zh: '正在关闭' },
  online: { en: 'online', zh: '在线' },
  synced: { en: 'sync', zh: '同步' },
  conflicts: { en: 'conflicts', zh: '冲突' },
  offline: { en: 'offline', zh: '离线' },
  pending: { en: 'to upload', zh: '待上传' },
  clockWarning: { en: 'clock!', zh: '时钟异常' },
  // under the claim verdicts: why, and what the cashier can do
  platformUnreachable: { en: 'Platform unreachable', zh: '平台无法连接' },
  uploadFirst: { en: 'Go online to upload', zh: '请联网上传后再试' },
  noScanner: { en: 'no scanner', zh: '扫描器断开' },
} as const satisfies Record<string, Words>;

export const FAULT_TEXT: Readonly<Record<FaultCode, Words>> = {
  NO_KEYS: { en: 'No keys installed', zh: '未安装密钥' },
  TERMINAL_DISABLED: { en: 'Terminal disabled', zh: '终端已被停用' },
  CLOCK_UNTRUSTED: { en: 'Clock not trusted', zh: '时钟不可信' },
  SCANNER_DISCONNECTED: { en: 'Scanner disconnected', zh: '扫描器未连接' },
  DISK_FULL: { en: 'Disk full', zh: '磁盘已满' },
  LEDGER_ERROR: { en: 'Ledger error', zh: '记录库错误' },
  HARDWARE: { en: 'Hardware fault', zh: '硬件故障' },
};

export type Icon = 'check' | 'cross' | 'warning' | 'usb' | 'none';

/** A screen reduced to words: a headline, a few lines in priority order, maybe a bar. */
export interface ScreenWords {
  icon: Icon;
  headline: string;
  lines: string[];
  progress?: { done: number; total: number };
}

export function screenWords(screen: Screen, lang: Language, now: number): ScreenWords {
  switch (screen.kind) {
    case 'idle':
      return { icon: 'none', headline: WORDS.idleHeadline[lang], lines: [WORDS.idleLine[lang]].filter(isText) };
    case 'verdict':
      return verdictWords(screen, lang, now);
    case 'fault': {
      const lines = [screen.detail, WORDS.callTechnician[lang]].filter(isText).map(clean);
      return { icon: 'warning', headline: FAULT_TEXT[screen.fault][lang], lines };
    }
    case 'progress': {
      const label = screen.label === 'export' ? WORDS.exporting : WORDS.uploading;
      const { done, total } = screen;
      return { icon: 'usb', headline: label[lang], lines: [`${grouped(done)} / ${grouped(total)}`], progress: { done, total } };
    }
    case 'message':
      return messageWords(screen, lang);
  }
}

/** A first line under a verdict that needs one: a claim that got no answer says why, in the cashier's language. */
const HINTS: Partial<Record<Extract<Screen, { kind: 'verdict' }>['reason'], Words>> = {
  OFFLINE_CANNOT_REDEEM: WORDS.platformUnreachable,
  OFFLINE_LIMIT_REACHED: WORDS.uploadFirst,
};

function verdictWords(screen: Extract<Screen, { kind: 'verdict' }>, lang: Language, now: number): ScreenWords {
  const good = screen.reason === 'ACCEPTED' || screen.reason === 'VALID';
  const lines: string[] = [];
  if (screen.redeemedAt !== undefined) lines.push(`${WORDS.usedAt[lang]} ${when(screen.redeemedAt, now)}`.trim());
  if (screen.redeemedBy) lines.push(`${WORDS.usedBy[lang]} ${clean(screen.redeemedBy)}`);
  // Quantity before title: on the 128×32 panel only one line fits, and the cashier hands out ×N.
  const qty = screen.quantity !== undefined ? `×${screen.quantity}` : '';
  const serial = screen.serial ? `${WORDS.serial[lang]} ${clean(screen.serial)}` : '';
  if (qty || serial) lines.push([qty, serial].filter(isText).join('  '));
  if (screen.title) lines.push(clean(screen.title));
  const hint = HINTS[screen.reason];
  if (hint) lines.unshift(hint[lang]);
  if (screen.detail) lines.push(clean(screen.detail));
  return { icon: good ? 'check' : 'cross', headline: REASON_TEXT[screen.reason][lang], lines };
}

function messageWords(screen: Extract<Screen, { kind: 'message' }>, lang: Language): ScreenWords {
  const detail = screen.detail ? [clean(screen.detail)] : [];
  const safe = [WORDS.nothingLost[lang]];
  switch (screen.message) {
    case 'safe-to-remove':
      return { icon: 'check', headline: WORDS.safeToRemove[lang], lines: [...exportedLines(screen, lang), ...detail] };
    case 'export-failed':
      return { icon: 'cross', headline: WORDS.exportFailed[lang], lines: [...detail, ...safe, WORDS.callTechnician[lang]] };
    case 'export-interrupted':
      return { icon: 'cross', headline: WORDS.exportInterrupted[lang], lines: [...safe, WORDS.insertAgain[lang], ...detail] };
    case 'usb-full':
      return { icon: 'warning', headline: WORDS.usbFull[lang], lines: [...safe, WORDS.useAnother[lang], ...detail] };
    case 'usb-read-only':
      return { icon: 'warning', headline: WORDS.usbReadOnly[lang], lines: [...safe, WORDS.useAnother[lang], ...detail] };
    case 'usb-not-marked':
      return { icon: 'warning', headline: WORDS.usbNotMarked[lang], lines: [WORDS.noExportFolder[lang], ...detail] };
    case 'starting':
      return { icon: 'none', headline: WORDS.starting[lang], lines: detail };
    case 'stopping':
      return { icon: 'none', headline: WORDS.stopping[lang], lines: detail };
  }
}

/** "1,240 records" and "12 not exported" ("Nothing new" when the stick got no record) before the hint, which goes first when space is short. */
function exportedLines(screen: Extract<Screen, { kind: 'message' }>, lang: Language): string[] {
  const lines: string[] = [];
  if (screen.count !== undefined) lines.push(screen.count === 0 ? WORDS.nothingNew[lang] : `${grouped(screen.count)} ${WORDS.records[lang]}`);
  if (screen.skipped) lines.push(`${grouped(screen.skipped)} ${WORDS.notExported[lang]}`);
  return [...lines, WORDS.safeToRemoveHint[lang]];
}

/** 5000 → "5,000": counts a manager reads at a glance. */
export function grouped(n: number): string {
  return String(Math.floor(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** An age in one short token: 42s, 5m, 3h, 2d. */
export function shortAge(s: number): string {
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

/** The status line as words, for the text terminal (the OLED draws icons instead). */
export function statusWords(status: StatusLine, lang: Language): string {
  const parts: string[] = [];
  if (status.online !== null) parts.push((status.online ? WORDS.online : WORDS.offline)[lang]);
  if (status.sinceSyncS !== undefined) parts.push(`${WORDS.synced[lang]} ${status.sinceSyncS === null ? '—' : shortAge(status.sinceSyncS)}`);
  if (status.pending > 0) parts.push(`${status.pending} ${WORDS.pending[lang]}`);
  if ((status.conflicts ?? 0) > 0) parts.push(`${status.conflicts} ${WORDS.conflicts[lang]}`);
  if (status.clockWarning) parts.push(WORDS.clockWarning[lang]);
  if (status.scanner === 'disconnected') parts.push(WORDS.noScanner[lang]);
  return parts.join(' · ');
}

/** The whole screen as plain lines: headline, detail lines, status (omitted when empty). */
export function screenText(screen: Screen, lang: Language, now = Date.now()): string[] {
  const w = screenWords(screen, lang, now);
  const status = statusWords(screen.status, lang);
  return [w.headline, ...w.lines, ...(status ? [`[${status}]`] : [])];
}

/** Local HH:MM, with the date in front when it is not today. */
export function when(at: number, now: number): string {
  const d = new Date(at);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  const today = new Date(now);
  const sameDay =
    d.getFullYear() === today.getFullYear() && d.getMonth() === today.getMonth() && d.getDate() === today.getDate();
  return sameDay ? hm : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${hm}`;
}

/** Coupon fields are untrusted text: no control characters or line breaks on the screen. */
function clean(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
}

function isText(x: string | undefined): x is string {
  return x !== undefined && x !== '';
}
