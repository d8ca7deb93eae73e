/** Admin: import a USB batch carried from a kiosk (issue 10); `coupon-platform import-batch` calls it. */
import { UsbBatchBody, UsbBatchReport } from '../admin-schemas.js';
import { ADMIN_SECURITY, ERROR_RESPONSES } from '../schemas.js';
import type { App, ServiceDeps } from '../types.js';
import { importBatch } from '../usb-import.js';
import { iso } from '../views.js';

/** A batch holds up to 100,000 records (~30 MiB of JSON Lines), Base64 in JSON: room for that. */
export const USB_BATCH_BODY_LIMIT = 64 * 1024 * 1024;

export async function adminUsbPlugin(app: App, deps: ServiceDeps): Promise<void> {
  app.post('/usb-batches', {
    bodyLimit: USB_BATCH_BODY_LIMIT,
    schema: {
      summary: 'Import a USB batch: verified against the terminal that signed it and its chain, its redemptions recorded like uploads',
      description: 'A refused batch is a 422 whose code says why (docs/protocol.md "USB export batches"); importing a batch again changes nothing.',
      tags: ['admin'], security: ADMIN_SECURITY, body: UsbBatchBody, response: { 200: UsbBatchReport, ...ERROR_RESPONSES },
    },
  }, async (req) => {
    const r = await importBatch(deps, Buffer.from(req.body.manifest, 'base64'), Buffer.from(req.body.data, 'base64'));
    req.log.info({ terminalId: r.terminalId, sequence: r.sequence, status: r.status, accepted: r.accepted, duplicates: r.duplicates, conflicts: r.conflicts, refused: r.refused }, 'usb batch');
    return { ...r, importedAt: iso(r.importedAt) };
  });
}
