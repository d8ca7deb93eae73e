/** Moved to device/atomic-write.ts (the core writes home.json and the ledger's backups with it). */
export { ensureDir, fsyncDir, writeFileAtomic } from '../device/atomic-write.js';
