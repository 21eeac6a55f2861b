import { useState } from 'react';
import type { Connection, ConnectionCheck } from '../../api/console-api.js';
import { useConsole } from '../../app/context.js';
import { ErrorAlert } from '../../components/Alerts.js';
import { CopyField } from '../../components/CopyButton.js';
import { RoleRulesDialog } from './RoleRulesDialog.js';

/**
 * One connection: its name, kind and status, the URLs to give the IdP, its group→role rules (edited
 * in a dialog), Test connection (SSO loads the IdP's discovery document and keys, or checks the SAML
 * certificates, and the result is listed here), and Delete.
 */
export function ConnectionCard({
  connection,
  onDelete,
  onSaved,
}: {
  connection: Connection;
  onDelete: () => void;
  onSaved: (connection: Connection) => Promise<void>;
}) {
  const { api, t } = useConsole();
  const [result, setResult] = useState<ConnectionCheck>();
  const [testing, setTesting] = useState(false);
  const [error, setError] = useState<unknown>();
  const [editing, setEditing] = useState(false);
  const headingId = `connection-${connection.id}`;

  const test = async () => {
    setTesting(true);
    setError(undefined);
    try {
      setResult(await api.testConnection(connection.id));
    } catch (e) {
      setResult(undefined);
      setError(e);
    } finally {
      setTesting(false);
    }
  };

  return (
    <article className="card" aria-labelledby={headingId}>
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h3 id={headingId} style={{ margin: 0 }}>
          {connection.name} <span className="badge">{connection.kind === 'oidc' ? t('kindOidc') : t('kindSaml')}</span>{' '}
          <span className={`badge ${connection.status === 'active' ? 'ok' : 'off'}`}>
            {connection.status === 'active' ? t('statusActive') : connection.status}
          </span>
        </h3>
        <div className="row">
          <button
            type="button"
            className="small"
            aria-label={t('testConnectionLabel', { name: connection.name })}
            disabled={testing}
            onClick={() => void test()}
          >
            {testing ? t('testing') : t('testConnection')}
          </button>
          <button
            type="button"
            className="small subtle-danger"
            aria-label={t('deleteConnectionLabel', { name: connection.name })}
            onClick={onDelete}
          >
            {t('deleteConnection')}
          </button>
        </div>
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
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <p className="sub">
          {t('roleRules')}:{' '}
          {connection.roleRules.length > 0
            ? connection.roleRules.map((rule) => `${rule.group} = ${rule.role}`).join(', ')
            : t('noRoleRules')}
        </p>
        <button
          type="button"
          className="small"
          aria-label={t('editRoleRulesLabel', { name: connection.name })}
          onClick={() => setEditing(true)}
        >
          {t('editRoleRules')}
        </button>
      </div>
      <ErrorAlert error={error} />
      {result && (
        <section aria-label={t('testResults', { name: connection.name })}>
          <p role="status" className={result.ok ? 'alert success' : 'alert error'}>
            {result.ok ? t('testPassed', { name: connection.name }) : t('testFailed', { name: connection.name })}
          </p>
          <ul className="checks">
            {result.checks.map((check, index) => (
              <li key={`${check.check}-${index}`}>
                <span className={`badge ${check.ok ? 'ok' : 'off'}`}>{check.ok ? t('checkPassed') : t('checkFailed')}</span>{' '}
                <strong>{check.check}</strong>: {check.detail}
              </li>
            ))}
          </ul>
        </section>
      )}
      <RoleRulesDialog
        open={editing}
        connection={connection}
        onClose={() => setEditing(false)}
        onSaved={async (saved) => {
          setEditing(false);
          await onSaved(saved);
        }}
      />
    </article>
  );
}
