import { useConsole, useSession } from '../../app/context.js';
import { PageHeader } from '../../components/PageHeader.js';
import { roleLabel } from '../users/roles.js';

/** The signed-in user's own account; for a member, the console's only page, saying they have no admin access. */
export default function AccountPage() {
  const { branding, t } = useConsole();
  const { me, isAdmin } = useSession();
  return (
    <>
      <PageHeader title={t('accountTitle')} />
      {!isAdmin && (
        <p className="alert info" role="note">
          {t('accountNoAdmin', { name: branding.displayName })}
        </p>
      )}
      <section className="card">
        <dl className="facts">
          <dt>{t('email')}</dt>
          <dd>{me.email}</dd>
          <dt>{t('accountName')}</dt>
          <dd>{me.displayName ?? '—'}</dd>
          <dt>{t('accountRoles')}</dt>
          <dd>{me.roles.length > 0 ? me.roles.map((role) => roleLabel(role, t)).join(', ') : t('noRoles')}</dd>
        </dl>
      </section>
    </>
  );
}
