import type { TenantScope } from '@mindbot/db';
import { newId } from '@mindbot/ids';
import { fail, ok, type Result } from '@mindbot/errors';
import { recordAudit } from '@mindbot/audit';

export interface PackageView {
  id: string;
  name: string;
  description: string;
  priceCents: number;
  currency: string;
  baseSeconds: number;
  bonusSeconds: number;
  totalSeconds: number;
  active: boolean;
  sortOrder: number;
}

export type PackageInput = Omit<PackageView, 'id' | 'totalSeconds'>;

/** The admin changing the catalogue, as the tenant's audit log records it. */
export interface CatalogueChange {
  actorId: string;
  requestId: string | undefined;
}

/** What of a package the audit log keeps: the fields a change named, as they became. */
function changedFields(patch: Partial<PackageInput>): Record<string, string | number | boolean> {
  return Object.fromEntries(Object.entries(patch));
}

type PackageRow = Omit<PackageView, 'totalSeconds'> & { createdAt: Date; updatedAt: Date };

export function packageView(p: PackageRow): PackageView {
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    priceCents: p.priceCents,
    currency: p.currency,
    baseSeconds: p.baseSeconds,
    bonusSeconds: p.bonusSeconds,
    totalSeconds: p.baseSeconds + p.bonusSeconds,
    active: p.active,
    sortOrder: p.sortOrder,
  };
}

/** What end users can buy (active only) or, for admins, everything. */
export async function listPackages(scope: TenantScope, options: { includeInactive: boolean }): Promise<PackageView[]> {
  const rows = await scope.transaction((tx) =>
    tx.package.findMany({ where: options.includeInactive ? {} : { active: true }, orderBy: [{ sortOrder: 'asc' }, { id: 'asc' }] }),
  );
  return rows.map(packageView);
}

export async function createPackage(scope: TenantScope, input: PackageInput, by: CatalogueChange): Promise<PackageView> {
  const row = await scope.transaction(async (tx) => {
    const created = await tx.package.create({ data: { id: newId('package'), ...input } });
    await recordAudit(tx, {
      action: 'package.created',
      actorId: by.actorId,
      target: created.id,
      data: changedFields(input),
      requestId: by.requestId,
    });
    return created;
  });
  return packageView(row);
}

/** Price, currency, bonus, name, order and active flag can change; purchases keep what they were sold at. */
export async function updatePackage(
  scope: TenantScope,
  id: string,
  patch: Partial<PackageInput>,
  by: CatalogueChange,
): Promise<Result<PackageView, 'not_found'>> {
  return scope.transaction(async (tx) => {
    const { count } = await tx.package.updateMany({ where: { id }, data: { ...patch, updatedAt: new Date() } });
    if (count === 0) return fail('not_found');
    const action = patch.active === false && Object.keys(patch).length === 1 ? 'package.withdrawn' : 'package.updated';
    await recordAudit(tx, { action, actorId: by.actorId, target: id, data: changedFields(patch), requestId: by.requestId });
    const row = await tx.package.findUnique({ where: { id } });
    return row ? ok(packageView(row)) : fail('not_found');
  });
}

/** Withdraws a package from sale; purchases keep referring to it. */
export function withdrawPackage(scope: TenantScope, id: string, by: CatalogueChange): Promise<Result<PackageView, 'not_found'>> {
  return updatePackage(scope, id, { active: false }, by);
}
