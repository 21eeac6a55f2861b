import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { Connection } from '../../api/console-api.js';
import { useConsole } from '../../app/context.js';
import { ErrorAlert, Loading, Notice } from '../../components/Alerts.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { CopyField } from '../../components/CopyButton.js';
import { PageHeader } from '../../components/PageHeader.js';
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
              <article key={connection.id} className="card" aria-labelledby={`connection-${connection.id}`}>
                <div className="row" style={{ justifyContent: 'space-between' }}>
                  <h3 id={`connection-${connection.id}`} style={{ margin: 0 }}>
                    {connection.name} <span className="badge">{connection.kind === 'oidc' ? t('kindOidc') : t('kindSaml')}</span>{' '}
                    <span className={`badge ${connection.status === 'active' ? 'ok' : 'off'}`}>
                      {connection.status === 'active' ? t('statusActive') : connection.status}
                    </span>
                  </h3>
                  <button
                    type="button"
                    className="small subtle-danger"
                    aria-label={t('deleteConnectionLabel', { name: connection.name })}
                    onClick={() => setDeleting(connection)}
                  >
                    {t('deleteConnection')}
                  </button>
                </div>
                <p className="sub">{t('spDetails')}</p>
                {connection.kind === 'oidc' ? (
                  <CopyField label={t('redirectUri')} value={connection.oidc.redirectUri} />
                ) : (
                  <>
                    <CopyField label={t('spMetadataUrl')} value={connection.saml.metadataUrl} />
                    <CopyField label={t('acsUrl')} value={connection.saml.acsUrl} />
                    <CopyField label={t('entityId')} value={connection.saml.entityId} />
                    <CopyField label={t('sloUrl')} value={connection.saml.sloUrl} />
                  </>
                )}
                {connection.roleRules.length > 0 && (
                  <p className="sub">
                    {t('roleRules')}: {connection.roleRules.map((rule) => `${rule.group} = ${rule.role}`).join(', ')}
                  </p>
                )}
              </article>
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
