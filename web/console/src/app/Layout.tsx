import { NavLink, Outlet } from 'react-router';
import type { MessageKey } from '../i18n/index.js';
import { useConsole, useSession } from './context.js';

const ADMIN_SECTIONS: readonly { path: string; label: MessageKey }[] = [
  { path: '/packages', label: 'navPackages' },
  { path: '/api-keys', label: 'navApiKeys' },
  { path: '/users', label: 'navUsers' },
  { path: '/branding', label: 'navBranding' },
  { path: '/usage', label: 'navUsage' },
  { path: '/identity', label: 'navIdentity' },
  { path: '/webhooks', label: 'navWebhooks' },
  { path: '/audit-log', label: 'navAuditLog' },
];

const OWN_ADMIN_SECTIONS: readonly { path: string; label: MessageKey }[] = [{ path: '/resellers', label: 'navResellers' }];

/** The signed-in frame: the tenant's name and logo, the sections this user's roles open, the user and Sign out. */
export function Layout() {
  const { branding, t } = useConsole();
  const { me, isAdmin, isOwnAdmin, signOut } = useSession();
  const sections = [
    ...(isAdmin ? ADMIN_SECTIONS : []),
    ...(isOwnAdmin ? OWN_ADMIN_SECTIONS : []),
    { path: '/account', label: 'navAccount' as const },
  ];
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t('skipToContent')}
      </a>
      <aside className="sidebar">
        <div className="brand">
          {branding.logoUrl && <img src={branding.logoUrl} alt="" width={32} height={32} />}
          <span className="brand-name">{branding.displayName}</span>
        </div>
        <nav aria-label={t('navLabel')}>
          <ul>
            {sections.map((section) => (
              <li key={section.path}>
                <NavLink to={section.path}>{t(section.label)}</NavLink>
              </li>
            ))}
          </ul>
        </nav>
      </aside>
      <div className="content">
        <header className="topbar">
          <span className="muted">{t('signedInAs', { email: me.email })}</span>
          <button type="button" onClick={() => void signOut()}>
            {t('signOut')}
          </button>
        </header>
        <main id="main" tabIndex={-1}>
          <Outlet />
        </main>
      </div>
    </div>
  );
}
