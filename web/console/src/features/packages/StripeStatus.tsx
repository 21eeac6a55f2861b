import { useMutation, useQuery } from '@tanstack/react-query';
import { useConsole } from '../../app/context.js';
import { ErrorAlert, Loading } from '../../components/Alerts.js';

/** Can the tenant sell: Stripe's account state, why sales are closed, and the link to finish onboarding. */
export function StripeStatus() {
  const { api, t } = useConsole();
  const account = useQuery({ queryKey: ['billing-account'], queryFn: () => api.billingAccount() });
  const onboarding = useMutation({
    mutationFn: () => api.onboardingLink(),
    onSuccess: (link) => location.assign(link.url),
  });

  return (
    <section className="card" aria-labelledby="stripe-heading">
      <h2 id="stripe-heading">{t('stripeTitle')}</h2>
      {account.isPending && <Loading />}
      <ErrorAlert error={account.error ?? undefined} />
      {account.data && (
        <>
          {account.data.salesOpen ? (
            <p className="alert success">{t('salesOpen')}</p>
          ) : (
            <div className="alert warning">
              <p style={{ margin: 0 }}>
                {account.data.reason ? t('salesClosed', { reason: account.data.reason }) : t('salesClosedUnknown')}
              </p>
              {account.data.requirementsDue.length > 0 && (
                <p style={{ margin: '0.4rem 0 0' }}>{t('requirementsDue', { list: account.data.requirementsDue.join(', ') })}</p>
              )}
            </div>
          )}
          <dl className="facts">
            <dt>{t('chargesEnabled')}</dt>
            <dd>{account.data.chargesEnabled ? t('yes') : t('no')}</dd>
            <dt>{t('payoutsEnabled')}</dt>
            <dd>{account.data.payoutsEnabled ? t('yes') : t('no')}</dd>
            <dt>{t('detailsSubmitted')}</dt>
            <dd>{account.data.detailsSubmitted ? t('yes') : t('no')}</dd>
            <dt>{t('platformFee')}</dt>
            <dd>{account.data.platformFeePercent} %</dd>
          </dl>
          {!account.data.salesOpen && (
            <div className="row" style={{ marginTop: '0.9rem' }}>
              <button type="button" className="primary" disabled={onboarding.isPending} onClick={() => onboarding.mutate()}>
                {onboarding.isPending ? t('openingStripe') : t('finishOnboarding')}
              </button>
            </div>
          )}
          <ErrorAlert error={onboarding.error ?? undefined} />
        </>
      )}
    </section>
  );
}
