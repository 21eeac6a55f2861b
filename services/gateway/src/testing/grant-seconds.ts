import type { TenantClients } from '@mindbot/db';
import { newId } from '@mindbot/ids';

/**
 * Gives a user `seconds` of talk time exactly as a paid, activated time card leaves it in billing's
 * tables (purchase, card, lot, credit entry). For tests and load-test seeding only.
 */
export async function grantSeconds(tenants: TenantClients, tenant: string, userId: string, seconds: number): Promise<void> {
  await tenants.forTenant(tenant).transaction(async (tx) => {
    const purchase = newId('purchase');
    const card = newId('timeCard');
    const lot = newId('minuteLot');
    const code = Array.from({ length: 12 }, () => '23456789ABCDEFGHJKMNPQRSTUVWXYZ'.charAt(Math.floor(Math.random() * 31))).join('');
    await tx.$executeRaw`INSERT INTO purchases (id, user_id, package_id, package_name, amount_cents, currency, application_fee_cents, seconds, status, paid_at)
      VALUES (${purchase}, ${userId}, 'pkg_starter', 'Starter', 999, 'usd', 100, ${seconds}, 'paid', now())`;
    await tx.$executeRaw`INSERT INTO time_cards (id, purchase_id, owner_id, activation_code, seconds, status, activated_by, activated_at, code_expires_at)
      VALUES (${card}, ${purchase}, ${userId}, ${code}, ${seconds}, 'active', ${userId}, now(), now() + interval '1 year')`;
    await tx.$executeRaw`INSERT INTO minute_lots (id, time_card_id, user_id, granted_seconds, remaining_seconds, expires_at)
      VALUES (${lot}, ${card}, ${userId}, ${seconds}, ${seconds}, now() + interval '1 year')`;
    await tx.$executeRaw`INSERT INTO ledger_entries (id, user_id, lot_id, kind, seconds, idempotency_key)
      VALUES (${newId('ledgerEntry')}, ${userId}, ${lot}, 'credit', ${seconds}, ${`seed-grant:${lot}`})`;
  });
}
