import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { Connection } from '../../api/console-api.js';
import { useConsole } from '../../app/context.js';
import { ErrorAlert, Loading, Notice } from '../../components/Alerts.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { PageHeader } from '../../components/PageHeader.js';
import { ConnectionCard } from './ConnectionCard.js';
import { ConnectionForm } from './ConnectionForm.js';
import { DomainsSection } from './DomainsSection.js';

const CONNECTIONS = ['connections'] as const;

/** Identity providers: the tenant's SAML/OIDC connections with the URLs to give the IdP, adding one, and verified domains. */
export default function IdentityPage() {
  const { api, t } = useConsole();
  const queries = useQueryClient();
  const connections = useQuery({ queryKey: CONNECTIONS, queryFn: () => api.connections() });
  const [notice, setNotice] = useState<string>();
  const [deleting, setDeleting] = useState<Connection>();
  const refresh = () => queries.invalidateQueries({ queryKey: CONNECTIONS });

  return (
    <>
      <PageHeader title={t('identityTitle')} lead={t('identityLead')} />
      <Notice message={notice} />
      <div className="columns">
        <div>
          <section className="card" aria-labelledby="connections-heading">
            <h2 id="connections-heading">{t('connectionsTitle')}</h2>
            {connections.isPending && <Loading />}
            <ErrorAlert error={connections.error ?? undefined} />
            {connections.data && connections.data.length === 0 && <p className="empty">{t('noConnections')}</p>}
            {connections.data?.map((connection) => (
              <ConnectionCard
                key={connection.id}
                connection={connection}
                onDelete={() => setDeleting(connection)}
                onSaved={async (saved) => {
                  await refresh();
                  setNotice(t('roleRulesSaved', { name: saved.name }));
                }}
              />
            ))}
          </section>
          <DomainsSection connections={connections.data ?? []} />
        </div>
        <section className="card" aria-labelledby="add-connection-heading">
          <h2 id="add-connection-heading">{t('addConnection')}</h2>
          <ConnectionForm
            onCreated={async (created) => {
              await refresh();
              setNotice(t('connectionCreated', { name: created.name }));
            }}
          />
        </section>
      </div>
      <ConfirmDialog
        open={deleting !== undefined}
        title={t('deleteConnectionTitle', { name: deleting?.name ?? '' })}
        message={t('deleteConnectionConfirm')}
        confirmLabel={t('deleteConnection')}
        onClose={() => setDeleting(undefined)}
        onConfirm={async () => {
          if (!deleting) return;
          await api.deleteConnection(deleting.id);
          await refresh();
          setNotice(t('connectionDeleted', { name: deleting.name }));
        }}
      />
    </>
  );
}
