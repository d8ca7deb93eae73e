/**
 * Why the platform refuses a USB batch: one stable code each (the platform
 * prints it, operators act on it), in the order verifyBatch checks them.
 * docs/protocol.md lists them all; a test keeps the two in step.
 */
export const BATCH_ERRORS = {
  MANIFEST_MALFORMED: 'the manifest is not a signed batch manifest this platform can read',
  MANIFEST_UNKNOWN_SIGNER: "the manifest is not signed by this terminal's key (another terminal, or a forged manifest)",
  MANIFEST_SIGNATURE_INVALID: "the manifest's signature does not verify: the manifest was changed after it was signed",
  MANIFEST_WRONG_TERMINAL: 'the manifest names another platform or terminal than the key it was checked with',
  BATCH_REPLAYED: 'a batch with this number (or a later one) was already accepted from this terminal',
  BATCH_GAP: 'an earlier batch of this terminal has not been imported yet',
  BATCH_CHAIN_BROKEN: "the manifest's previous-manifest hash is not the hash of the batch accepted before it",
  DATA_RECORDS_DROPPED: 'the data file has fewer records than the manifest says',
  DATA_RECORDS_ADDED: 'the data file has more records than the manifest says',
  DATA_RECORDS_REORDERED: 'the data file holds the records in another order than they were signed',
  DATA_ALTERED: "the data file's SHA-256 or size is not the one the manifest was signed with",
  RECORD_INVALID: 'a record does not parse or breaks the record schema',
  RECORD_WRONG_PLATFORM: "a record belongs to another platform than the manifest's",
  RECORD_DUPLICATE: 'the same record (kind, coupon and scan time) appears twice in the batch',
  MANIFEST_INCONSISTENT: "the manifest's count or time range does not match its records",
} as const;

export type BatchErrorCode = keyof typeof BATCH_ERRORS;
