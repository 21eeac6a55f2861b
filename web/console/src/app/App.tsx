import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense, useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';
import { MindBotApiError, type Branding, type ConsoleApi, type Me } from '../api/console-api.js';
import { problemMessage } from '../api/problems.js';
import { t } from '../i18n/index.js';
import { AcceptInvitePage } from '../features/auth/AcceptInvitePage.js';
import { HandoffPage } from '../features/auth/HandoffPage.js';
import { ResetPasswordPage } from '../features/auth/ResetPasswordPage.js';
import { SignInPage } from '../features/auth/SignInPage.js';
import { Loading } from '../components/Alerts.js';
import { applyBranding } from './branding.js';
import { ConsoleContext, isAdmin, isOwnAdmin, SessionContext, useSession, type SessionValue } from './context.js';
import { Layout } from './Layout.js';

// Each page is its own chunk: the chart library comes with the usage page only.
const PackagesPage = lazy(() => import('../features/packages/PackagesPage.js'));
const ApiKeysPage = lazy(() => import('../features/api-keys/ApiKeysPage.js'));
const UsersPage = lazy(() => import('../features/users/UsersPage.js'));
const BrandingPage = lazy(() => import('../features/branding/BrandingPage.js'));
const UsagePage = lazy(() => import('../features/usage/UsagePage.js'));
const IdentityPage = lazy(() => import('../features/identity/IdentityPage.js'));
const WebhooksPage = lazy(() => import('../features/webhooks/WebhooksPage.js'));
const ResellersPage = lazy(() => import('../features/resellers/ResellersPage.js'));
const AuditLogPage = lazy(() => import('../features/audit/AuditLogPage.js'));
const AccountPage = lazy(() => import('../features/account/AccountPage.js'));

/** Where the router lives: the gateway serves the console under this path on the tenant's host. */
export const BASENAME = '/console';

type SessionState = { kind: 'checking' } | { kind: 'signedOut'; error?: unknown } | { kind: 'signedIn'; me: Me };

function queryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        refetchOnWindowFocus: false,
        // A refusal (4xx) will not change by asking again; a network failure might.
        retry: (failures, error) => !(error instanceof MindBotApiError && error.status < 500) && failures < 2,
      },
    },
  });
}

export function App({ api }: { api: ConsoleApi }) {
  const [branding, setBranding] = useState<Branding>();
  const [brandingError, setBrandingError] = useState<unknown>();
  const [session, setSession] = useState<SessionState>({ kind: 'checking' });
  const client = useMemo(queryClient, []);

  const wear = useCallback((loaded: Branding) => {
    setBranding(loaded);
    applyBranding(loaded, t);
  }, []);
  useEffect(() => {
    api.branding().then(wear, (error: unknown) => setBrandingError(error));
  }, [api, wear]);
  // After a save: a failure here keeps the branding the console already wears.
  const refreshBranding = useCallback(() => {
    api.branding().then(wear, () => undefined);
  }, [api, wear]);

  const loadMe = useCallback(async () => {
    try {
      setSession({ kind: 'signedIn', me: await api.me() });
    } catch (error) {
      setSession({ kind: 'signedOut', error });
    }
  }, [api]);

  // First: back from the identity provider (…#code=…), or a reload with the tab's refresh token.
  useEffect(() => {
    const href = location.href;
    if (api.isSsoReturn(href)) {
      history.replaceState(history.state, '', location.pathname + location.search);
      api.completeSso(href).then(loadMe, (error: unknown) => setSession({ kind: 'signedOut', error }));
      return;
    }
    api.resume().then(
      (resumed) => (resumed ? loadMe() : setSession({ kind: 'signedOut' })),
      () => setSession({ kind: 'signedOut' }),
    );
  }, [api, loadMe]);

  useEffect(
    () =>
      api.onSignedOut(() => {
        client.clear();
        setSession({ kind: 'signedOut' });
      }),
    [api, client],
  );

  const signOut = useCallback(async () => {
    await api.signOut();
    client.clear();
    setSession({ kind: 'signedOut' });
  }, [api, client]);

  if (brandingError !== undefined)
    return (
      <main className="centered">
        <p role="alert" className="alert error">
          {problemMessage(brandingError, t)}
        </p>
      </main>
    );
  if (!branding || session.kind === 'checking')
    return (
      <main className="centered" aria-busy="true">
        <p className="muted">{t('loading')}</p>
      </main>
    );

  const sessionValue: SessionValue | undefined =
    session.kind === 'signedIn'
      ? { me: session.me, isAdmin: isAdmin(session.me.roles), isOwnAdmin: isOwnAdmin(session.me.roles), signOut }
      : undefined;

  return (
    <ConsoleContext value={{ api, branding, t, refreshBranding }}>
      <QueryClientProvider client={client}>
        <BrowserRouter basename={BASENAME}>
          <Routes>
            <Route
              path="sign-in"
              element={
                sessionValue ? (
                  <BackFromSignIn />
                ) : (
                  <SignInPage onSignedIn={loadMe} error={session.kind === 'signedOut' ? session.error : undefined} />
                )
              }
            />
            <Route path="accept-invite" element={<AcceptInvitePage onSignedIn={loadMe} />} />
            <Route path="reset-password" element={<ResetPasswordPage />} />
            <Route path="handoff" element={<HandoffPage onSignedIn={loadMe} />} />
            <Route
              element={
                sessionValue ? (
                  <SessionContext value={sessionValue}>
                    <Layout />
                  </SessionContext>
                ) : (
                  <ToSignIn />
                )
              }
            >
              <Route index element={<Home />} />
              <Route path="packages" element={<AdminPage page={<PackagesPage />} />} />
              <Route path="api-keys" element={<AdminPage page={<ApiKeysPage />} />} />
              <Route path="users" element={<AdminPage page={<UsersPage />} />} />
              <Route path="branding" element={<AdminPage page={<BrandingPage />} />} />
              <Route path="usage" element={<AdminPage page={<UsagePage />} />} />
              <Route path="identity" element={<AdminPage page={<IdentityPage />} />} />
              <Route path="webhooks" element={<AdminPage page={<WebhooksPage />} />} />
              <Route path="resellers" element={<OwnAdminPage page={<ResellersPage />} />} />
              <Route path="audit-log" element={<AdminPage page={<AuditLogPage />} />} />
              <Route path="account" element={<Lazy page={<AccountPage />} />} />
              <Route path="*" element={<Navigate to="/" replace />} />
            </Route>
          </Routes>
        </BrowserRouter>
      </QueryClientProvider>
    </ConsoleContext>
  );
}

function ToSignIn() {
  const location = useLocation();
  return <Navigate to="/sign-in" replace state={{ from: location.pathname }} />;
}

/** After signing in: the page that sent the user to sign in, else the home page. */
function BackFromSignIn() {
  const state: unknown = useLocation().state;
  const from = typeof state === 'object' && state !== null && 'from' in state && typeof state.from === 'string' ? state.from : '/';
  return <Navigate to={from.startsWith('/sign-in') ? '/' : from} replace />;
}

function Home() {
  return <Navigate to={useSession().isAdmin ? '/packages' : '/account'} replace />;
}

function Lazy({ page }: { page: ReactNode }) {
  return <Suspense fallback={<Loading />}>{page}</Suspense>;
}

/** Admin pages: a member is sent to their own account page (the API refuses their calls anyway). */
function AdminPage({ page }: { page: ReactNode }) {
  return useSession().isAdmin ? <Lazy page={page} /> : <Navigate to="/account" replace />;
}

/** Pages of the tenant's own owners and admins (not of a reseller's admin visiting it). */
function OwnAdminPage({ page }: { page: ReactNode }) {
  return useSession().isOwnAdmin ? <Lazy page={page} /> : <Navigate to="/" replace />;
}
