import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { AdminPackage } from '../../api/console-api.js';
import { useConsole } from '../../app/context.js';
import { minutes, money } from '../../app/format.js';
import { ErrorAlert, Loading, Notice } from '../../components/Alerts.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { Dialog } from '../../components/Dialog.js';
import { PageHeader } from '../../components/PageHeader.js';
import { EMPTY_PACKAGE, formValuesOf, requestOf } from './package-form.js';
import { PackageForm } from './PackageForm.js';
import { StripeStatus } from './StripeStatus.js';

const PACKAGES = ['packages'] as const;

/** Packages and prices in the tenant's currency, and whether Stripe lets the tenant sell them. */
export default function PackagesPage() {
  const { api, t } = useConsole();
  const queries = useQueryClient();
  const packages = useQuery({ queryKey: PACKAGES, queryFn: () => api.packages() });
  const account = useQuery({ queryKey: ['billing-account'], queryFn: () => api.billingAccount() });
  const [notice, setNotice] = useState<string>();
  const [editing, setEditing] = useState<AdminPackage>();
  const [withdrawing, setWithdrawing] = useState<AdminPackage>();
  const currency = account.data?.currency ?? packages.data?.[0]?.currency ?? 'usd';
  const refresh = () => queries.invalidateQueries({ queryKey: PACKAGES });
  const withdraw = useMutation({ mutationFn: (pkg: AdminPackage) => api.withdrawPackage(pkg.id), onSuccess: refresh });

  return (
    <>
      <PageHeader title={t('packagesTitle')} lead={t('packagesLead', { currency: currency.toUpperCase() })} />
      <Notice message={notice} />
      <StripeStatus />
      <section className="card" aria-labelledby="packages-heading">
        <h2 id="packages-heading">{t('packagesTitle')}</h2>
        {packages.isPending && <Loading />}
        <ErrorAlert error={packages.error ?? undefined} />
        {packages.data && packages.data.length === 0 && <p className="empty">{t('noPackages')}</p>}
        {packages.data && packages.data.length > 0 && (
          <div className="table-wrap">
            <table aria-labelledby="packages-heading">
              <thead>
                <tr>
                  <th scope="col">{t('colName')}</th>
                  <th scope="col" className="num">
                    {t('colPrice')}
                  </th>
                  <th scope="col" className="num">
                    {t('colTime')}
                  </th>
                  <th scope="col">{t('colStatus')}</th>
                  <th scope="col" className="actions-cell">
                    {t('actions')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {packages.data.map((pkg) => (
                  <tr key={pkg.id}>
                    <th scope="row">
                      {pkg.name}
                      {pkg.description && <div className="sub">{pkg.description}</div>}
                    </th>
                    <td className="num">{money(pkg.priceCents, pkg.currency)}</td>
                    <td className="num nowrap">
                      {t('minutesTotal', { minutes: minutes(pkg.totalSeconds) })}
                      {pkg.bonusSeconds > 0 && <div className="sub">{t('bonusIncluded', { minutes: minutes(pkg.bonusSeconds) })}</div>}
                    </td>
                    <td>
                      <span className={`badge ${pkg.active ? 'ok' : 'off'}`}>{pkg.active ? t('statusOnSale') : t('statusWithdrawn')}</span>
                    </td>
                    <td className="actions-cell">
                      <button
                        type="button"
                        className="small"
                        aria-label={t('packageEditLabel', { name: pkg.name })}
                        onClick={() => setEditing(pkg)}
                      >
                        {t('edit')}
                      </button>
                      {pkg.active && (
                        <button
                          type="button"
                          className="small subtle-danger"
                          aria-label={t('packageWithdrawLabel', { name: pkg.name })}
                          onClick={() => setWithdrawing(pkg)}
                        >
                          {t('packageWithdraw')}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section className="card" aria-labelledby="new-package-heading">
        <h2 id="new-package-heading">{t('newPackage')}</h2>
        <PackageForm
          currency={currency}
          initial={EMPTY_PACKAGE}
          submitLabel={t('packageCreate')}
          onSubmit={async (values) => {
            const created = await api.createPackage(requestOf(values, currency));
            await refresh();
            setNotice(t('packageCreated', { name: created.name }));
          }}
        />
      </section>
      <Dialog
        open={editing !== undefined}
        title={t('editPackageTitle', { name: editing?.name ?? '' })}
        onClose={() => setEditing(undefined)}
      >
        {editing && (
          <PackageForm
            currency={editing.currency}
            initial={formValuesOf(editing)}
            submitLabel={t('save')}
            onCancel={() => setEditing(undefined)}
            onSubmit={async (values) => {
              const saved = await api.updatePackage(editing.id, requestOf(values, editing.currency));
              setEditing(undefined);
              await refresh();
              setNotice(t('packageSaved', { name: saved.name }));
            }}
          />
        )}
      </Dialog>
      <ConfirmDialog
        open={withdrawing !== undefined}
        title={t('packageWithdrawTitle', { name: withdrawing?.name ?? '' })}
        message={t('packageWithdrawConfirm')}
        confirmLabel={t('packageWithdraw')}
        onClose={() => setWithdrawing(undefined)}
        onConfirm={async () => {
          if (!withdrawing) return;
          await withdraw.mutateAsync(withdrawing);
          setNotice(t('packageWithdrawn', { name: withdrawing.name }));
        }}
      />
    </>
  );
}
