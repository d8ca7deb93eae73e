/** Admin: terminals (list, disable a stolen kiosk, enable again). */
import { Type } from 'typebox';
import { ProvisioningBundleSchema } from '../../../protocol/provisioning-bundle.js';
import { BundleBody, TerminalParams, TerminalView, TerminalsQuery } from '../admin-schemas.js';
import { makeProvisioningBundle } from '../provisioning.js';
import { ADMIN_SECURITY, ERROR_RESPONSES } from '../schemas.js';
import type { App, ServiceDeps } from '../types.js';
import { terminalView } from '../views.js';

const meta = (summary: string) => ({ summary, tags: ['admin'], security: ADMIN_SECURITY });

export async function adminTerminalsPlugin(app: App, deps: ServiceDeps): Promise<void> {
  const { store } = deps;
  app.get('/terminals', { schema: { ...meta('List terminals'), querystring: TerminalsQuery, response: { 200: Type.Array(TerminalView), ...ERROR_RESPONSES } } }, async (req) => {
    return (await store.listTerminals(req.query.merchantId)).map(terminalView);
  });

  app.get('/terminals/:terminalId', { schema: { ...meta('One terminal'), params: TerminalParams, response: { 200: TerminalView, ...ERROR_RESPONSES } } }, async (req) => {
    return terminalView(await store.terminal(req.params.terminalId));
  });

  app.post('/terminals/:terminalId/disable', {
    schema: { ...meta('Disable a terminal: its requests are refused (403 TERMINAL_DISABLED) and it deletes its merchant keys at its next contact'), params: TerminalParams, response: { 200: TerminalView, ...ERROR_RESPONSES } },
  }, async (req) => {
    const t = await store.setTerminalEnabled(req.params.terminalId, false);
    req.log.warn({ terminalId: t.terminalId }, 'terminal disabled');
    return terminalView(t);
  });

  app.post('/terminals/:terminalId/enable', { schema: { ...meta('Enable a terminal again'), params: TerminalParams, response: { 200: TerminalView, ...ERROR_RESPONSES } } }, async (req) => {
    return terminalView(await store.setTerminalEnabled(req.params.terminalId, true));
  });

  app.post('/bundles', {
    schema: {
      ...meta('An offline provisioning bundle: registers a terminal with platform-made keys, sealed with the merchant keys under a passphrase'),
      body: BundleBody,
      response: { 201: ProvisioningBundleSchema, ...ERROR_RESPONSES },
    },
  }, async (req, reply) => {
    const b = req.body;
    const bundle = await makeProvisioningBundle(deps, { merchantId: b.merchantId, branchId: b.branchId, name: b.name ?? 'provisioned till', passphrase: b.passphrase });
    req.log.info({ terminalId: bundle.terminalId, merchantId: bundle.merchantId }, 'provisioning bundle made');
    return reply.code(201).send(bundle);
  });
}
