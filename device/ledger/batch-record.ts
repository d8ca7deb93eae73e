/**
 * An outbox entry's batch record (protocol/batch.ts), written as SQL: USB
 * export reads 100,000 of them per batch, so SQLite keeps each entry's
 * record with it from the moment the entry is written (ledger v4), and an
 * export joins nothing and makes no JavaScript value per record.
 *
 * The kept text is encodeRecord's line from the first key after `n` to the
 * closing brace: `,"platformId":…,"terminalId":"…"}`. The export puts
 * `{"kind":"redeem","n":` (or reverse) and the number before it and a
 * newline after it. json_quote writes what JSON.stringify writes for every
 * code point, and %d prints an integer as JSON does (64-bit in SQLite; and
 * a bound JavaScript number arrives as a REAL, which `||` would print as
 * 1780000300000.0):
 * test/device/ledger/export-lines.test.ts holds the bytes equal to
 * encodeRecord's.
 *
 * A change of the record format needs a migration that rewrites `record`
 * (the entries' facts are all still there to write it from).
 */

/** The kept record of an entry of kind `kind` at time `at` (SQL expressions) for the redemption row aliased `r`. */
export function recordSql(kind: string, at: string): string {
  return `printf(',"platformId":%s,"ctiHex":%s,"serial":%s,"product":%s,"quantity":%d,"consumer":%s,"merchantId":%s,"redeemedAt":%d%s,"terminalId":%s}',
    json_quote(r.platform_id), json_quote(r.cti_hex), json_quote(r.serial), json_quote(r.product), r.quantity,
    json_quote(r.consumer), json_quote(r.merchant_id), r.at,
    CASE WHEN ${kind} = 'reverse' THEN printf(',"reversedAt":%d', ${at}) ELSE '' END, json_quote(r.terminal_id))`;
}

/** The entry's position among its platform's entries, 1, 2, 3 … without gaps (the outbox is append-only). */
export const NEXT_PSEQ = (platform: string): string => `coalesce((SELECT max(x.pseq) FROM outbox x WHERE x.platform_id = ${platform}), 0) + 1`;

/** pseq of the platform's last entry with seq <= `seq` (0 when none): entries after it are numbered from 1 by pseq - this. */
export const PSEQ_AT = (platform: string, seq: string): string =>
  `coalesce((SELECT x.pseq FROM outbox x WHERE x.platform_id = ${platform} AND x.seq <= ${seq} ORDER BY x.seq DESC LIMIT 1), 0)`;
