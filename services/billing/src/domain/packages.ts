import type { TenantScope } from '@mindbot/db';
import { newId } from '@mindbot/ids';
import { fail, ok, type Result } from '@mindbot/errors';

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

export async function createPackage(scope: TenantScope, input: PackageInput): Promise<PackageView> {
  const row = await scope.transaction((tx) => tx.package.create({ data: { id: newId('package'), ...input } }));
  return packageView(row);
}

/** Price, currency, bonus, name, order and active flag can change; purchases keep what they were sold at. */
export async function updatePackage(
  scope: TenantScope,
  id: string,
  patch: Partial<PackageInput>,
): Promise<Result<PackageView, 'not_found'>> {
  return scope.transaction(async (tx) => {
    const { count } = await tx.package.updateMany({ where: { id }, data: { ...patch, updatedAt: new Date() } });
    if (count === 0) return fail('not_found');
    const row = await tx.package.findUnique({ where: { id } });
    return row ? ok(packageView(row)) : fail('not_found');
  });
}

/** Withdraws a package from sale; purchases keep referring to it. */
export function withdrawPackage(scope: TenantScope, id: string): Promise<Result<PackageView, 'not_found'>> {
  return updatePackage(scope, id, { active: false });
}
