import type { ReactNode } from 'react';
import { useConsole } from '../../app/context.js';

/** The signed-out pages' frame: the tenant's logo and name above a card. */
export function AuthFrame({ title, lead, children }: { title: string; lead?: string; children: ReactNode }) {
  const { branding } = useConsole();
  return (
    <main className="auth">
      <div className="auth-card">
        <div className="auth-brand">
          {branding.logoUrl && <img src={branding.logoUrl} alt="" width={40} height={40} />}
          <span className="brand-name">{branding.displayName}</span>
        </div>
        <h1>{title}</h1>
        {lead && <p className="lead">{lead}</p>}
        {children}
      </div>
    </main>
  );
}
