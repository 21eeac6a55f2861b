import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { ConsoleUser, Invitation } from '../../api/console-api.js';
import { useConsole, useSession } from '../../app/context.js';
import { dateTime } from '../../app/format.js';
import { ErrorAlert, Loading, Notice } from '../../components/Alerts.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { PageHeader } from '../../components/PageHeader.js';
import { InviteForm } from './InviteForm.js';
import { RolesDialog } from './RolesDialog.js';
import { roleLabel } from './roles.js';

type Pending = { kind: 'block' | 'remove'; user: ConsoleUser } | { kind: 'revoke'; invitation: Invitation };

/** The tenant's users (roles, block, remove) and its pending invitations. */
export default function UsersPage() {
  const { api, branding, t } = useConsole();
  const { me } = useSession();
  const queries = useQueryClient();
  const [search, setSearch] = useState('');
  const [q, setQ] = useState('');
  const [notice, setNotice] = useState<string>();
  const [editing, setEditing] = useState<ConsoleUser>();
  const [pending, setPending] = useState<Pending>();
  const [actionError, setActionError] = useState<unknown>();
  const users = useInfiniteQuery({
    queryKey: ['users', q],
    queryFn: ({ pageParam }) => api.users({ q, ...(pageParam ? { cursor: pageParam } : {}) }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const invitations = useQuery({ queryKey: ['invitations'], queryFn: () => api.invitations() });
  const refreshUsers = () => queries.invalidateQueries({ queryKey: ['users'] });
  const refreshInvitations = () => queries.invalidateQueries({ queryKey: ['invitations'] });
  const rows = users.data?.pages.flatMap((page) => page.users) ?? [];

  const unblock = async (user: ConsoleUser) => {
    setActionError(undefined);
    try {
      await api.unblockUser(user.id);
      await refreshUsers();
      setNotice(t('unblocked', { email: user.email }));
    } catch (e) {
      setActionError(e);
    }
  };

  return (
    <>
      <PageHeader title={t('usersTitle')} lead={t('usersLead', { name: branding.displayName })} />
      <Notice message={notice} />
      <ErrorAlert error={actionError} />
      <section className="card" aria-labelledby="users-heading">
        <h2 id="users-heading">{t('navUsers')}</h2>
        <form
          role="search"
          className="row"
          style={{ marginBottom: '0.75rem' }}
          onSubmit={(e) => {
            e.preventDefault();
            setQ(search.trim());
          }}
        >
          <label htmlFor="user-search" className="visually-hidden">
            {t('searchUsers')}
          </label>
          <input id="user-search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} style={{ flex: 1 }} />
          <button type="submit">{t('search')}</button>
        </form>
        {users.isPending && <Loading />}
        <ErrorAlert error={users.error ?? undefined} />
        {users.isSuccess && rows.length === 0 && <p className="empty">{t('noUsers')}</p>}
        {rows.length > 0 && (
          <div className="table-wrap">
            <table aria-labelledby="users-heading">
              <thead>
                <tr>
                  <th scope="col">{t('colEmail')}</th>
                  <th scope="col">{t('colRoles')}</th>
                  <th scope="col">{t('colStatus')}</th>
                  <th scope="col">{t('colLastSignIn')}</th>
                  <th scope="col" className="actions-cell">
                    {t('actions')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((user) => {
                  const self = user.id === me.id;
                  const label = (action: string) => t('userActionLabel', { action, email: user.email });
                  return (
                    <tr key={user.id}>
                      <th scope="row">
                        {user.email}
                        {user.displayName && <div className="sub">{user.displayName}</div>}
                      </th>
                      <td>{user.roles.map((role) => roleLabel(role, t)).join(', ') || '—'}</td>
                      <td>
                        <span className={`badge ${user.status === 'active' ? 'ok' : 'off'}`}>
                          {user.status === 'active' ? t('statusActive') : t('statusBlocked')}
                        </span>
                      </td>
                      <td className="nowrap">{dateTime(user.lastSignInAt, t('never'))}</td>
                      <td className="actions-cell">
                        <button type="button" className="small" aria-label={label(t('changeRoles'))} onClick={() => setEditing(user)}>
                          {t('changeRoles')}
                        </button>
                        {!self &&
                          (user.status === 'active' ? (
                            <button
                              type="button"
                              className="small"
                              aria-label={label(t('block'))}
                              onClick={() => setPending({ kind: 'block', user })}
                            >
                              {t('block')}
                            </button>
                          ) : (
                            <button type="button" className="small" aria-label={label(t('unblock'))} onClick={() => void unblock(user)}>
                              {t('unblock')}
                            </button>
                          ))}
                        {!self && (
                          <button
                            type="button"
                            className="small subtle-danger"
                            aria-label={label(t('remove'))}
                            onClick={() => setPending({ kind: 'remove', user })}
                          >
                            {t('remove')}
                          </button>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        {users.hasNextPage && (
          <div className="row" style={{ marginTop: '0.75rem' }}>
            <button type="button" disabled={users.isFetchingNextPage} onClick={() => void users.fetchNextPage()}>
              {t('loadMore')}
            </button>
          </div>
        )}
      </section>
      <div className="columns">
        <section className="card" aria-labelledby="pending-heading">
          <h2 id="pending-heading">{t('pendingTitle')}</h2>
          {invitations.isPending && <Loading />}
          <ErrorAlert error={invitations.error ?? undefined} />
          {invitations.data && invitations.data.length === 0 && <p className="empty">{t('noPending')}</p>}
          {invitations.data && invitations.data.length > 0 && (
            <div className="table-wrap">
              <table aria-labelledby="pending-heading">
                <thead>
                  <tr>
                    <th scope="col">{t('colEmail')}</th>
                    <th scope="col">{t('colRoles')}</th>
                    <th scope="col">{t('colExpires')}</th>
                    <th scope="col" className="actions-cell">
                      {t('actions')}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {invitations.data.map((invitation) => (
                    <tr key={invitation.id}>
                      <th scope="row">{invitation.email}</th>
                      <td>{invitation.roles.map((role) => roleLabel(role, t)).join(', ')}</td>
                      <td className="nowrap">{dateTime(invitation.expiresAt, t('never'))}</td>
                      <td className="actions-cell">
                        <button
                          type="button"
                          className="small subtle-danger"
                          aria-label={t('userActionLabel', { action: t('revokeInvitation'), email: invitation.email })}
                          onClick={() => setPending({ kind: 'revoke', invitation })}
                        >
                          {t('revokeInvitation')}
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
        <section className="card" aria-labelledby="invite-heading">
          <h2 id="invite-heading">{t('inviteFormTitle')}</h2>
          <InviteForm
            onInvited={async (email) => {
              await refreshInvitations();
              setNotice(t('invitationSent', { email }));
            }}
          />
        </section>
      </div>
      <RolesDialog
        user={editing}
        onClose={() => setEditing(undefined)}
        onSaved={async (saved) => {
          setEditing(undefined);
          await refreshUsers();
          setNotice(t('rolesSaved', { email: saved.email }));
        }}
      />
      <ConfirmDialog
        open={pending !== undefined}
        title={
          pending?.kind === 'revoke'
            ? t('revokeInvitationTitle', { email: pending.invitation.email })
            : pending?.kind === 'block'
              ? t('blockTitle', { email: pending.user.email })
              : t('removeTitle', { email: pending?.user.email ?? '' })
        }
        message={
          pending?.kind === 'revoke' ? t('revokeInvitationConfirm') : pending?.kind === 'block' ? t('blockConfirm') : t('removeConfirm')
        }
        confirmLabel={pending?.kind === 'revoke' ? t('revokeInvitation') : pending?.kind === 'block' ? t('block') : t('remove')}
        onClose={() => setPending(undefined)}
        onConfirm={async () => {
          if (!pending) return;
          if (pending.kind === 'revoke') {
            await api.revokeInvitation(pending.invitation.id);
            await refreshInvitations();
            setNotice(t('invitationRevoked', { email: pending.invitation.email }));
            return;
          }
          if (pending.kind === 'block') await api.blockUser(pending.user.id);
          else await api.removeUser(pending.user.id);
          await refreshUsers();
          setNotice(t(pending.kind === 'block' ? 'blocked' : 'removed', { email: pending.user.email }));
        }}
      />
    </>
  );
}
