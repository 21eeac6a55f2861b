import { useEffect, useState, type Ref } from 'react';
import { problemMessage, type Package } from '../../api/widget-api.js';
import { useWidget } from '../../app/context.js';
import { formatDuration } from '../balance/duration.js';

/** What the tenant sells; Buy sends the page to Stripe Checkout (the URL the API answers). */
export function PackagesSection({ ref, onRefused }: { ref: Ref<HTMLElement>; onRefused: () => void }) {
  const { api, t, language } = useWidget();
  const [packages, setPackages] = useState<Package[]>();
  const [error, setError] = useState<string>();
  const [redirecting, setRedirecting] = useState(false);

  useEffect(() => {
    let current = true;
    api.packages().then(
      (answer) => {
        if (current) setPackages(answer);
      },
      (e: unknown) => {
        if (!current) return;
        setError(problemMessage(e, t('genericError')));
        onRefused();
      },
    );
    return () => {
      current = false;
    };
  }, [api, t, onRefused]);

  const buy = async (pkg: Package) => {
    setError(undefined);
    setRedirecting(true);
    try {
      // Checkout comes back to this very page (on the tenant's site or one that embeds the widget).
      location.assign(await api.buy(pkg.id, window.location.href));
    } catch (e) {
      setError(problemMessage(e, t('genericError')));
      setRedirecting(false);
      onRefused();
    }
  };

  const price = (pkg: Package) =>
    new Intl.NumberFormat(language, { style: 'currency', currency: pkg.currency.toUpperCase() }).format(pkg.priceCents / 100);

  return (
    <section ref={ref}>
      <h3>{t('buyTitle')}</h3>
      {error && (
        <p role="alert" className="alert">
          {error}
        </p>
      )}
      {redirecting && (
        <p role="status" className="status">
          {t('redirecting')}
        </p>
      )}
      {packages === undefined ? (
        !error && <p className="muted">{t('loading')}</p>
      ) : (
        <>
          <ul aria-label={t('packages')}>
            {packages.map((pkg) => (
              <li key={pkg.id} className="package">
                <span>
                  <strong>{pkg.name}</strong>
                  <br />
                  <span className="muted">
                    {formatDuration(pkg.totalSeconds, t)} · {price(pkg)}
                  </span>
                </span>
                <button type="button" className="primary" disabled={redirecting} onClick={() => void buy(pkg)}>
                  {t('buy', { name: pkg.name })}
                </button>
              </li>
            ))}
          </ul>
          {packages.length === 0 && <p className="muted">{t('noPackages')}</p>}
        </>
      )}
    </section>
  );
}
