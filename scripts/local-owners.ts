// `npm start`: the owners the example Tenants name are invited as the operator would invite them
// (SSO's internal route; idempotent, so a restart invites nobody twice).
import type { SsoServiceClient } from '@mindbot/sso-client';
import type { TenantManifest } from '@mindbot/tenancy';

export async function inviteLocalOwners(
  manifests: readonly TenantManifest[],
  sso: Pick<SsoServiceClient, 'inviteOwners'>,
  mailedBy: 'smtp' | 'log',
  say: (line: string) => void,
): Promise<void> {
  for (const manifest of manifests) {
    const slug = manifest.metadata.name;
    if (manifest.spec.owners.length === 0) continue;
    try {
      const { invited } = await sso.inviteOwners(slug, manifest.spec.owners);
      if (invited.length === 0) continue;
      const where =
        mailedBy === 'smtp'
          ? 'the invitation went out by mail'
          : "SMTP_URL is not set, so the invitation mail (with its link) is in SSO's log above";
      say(`Invited ${invited.join(', ')} as owner(s) of ${slug}: ${where}. Open the link to set a password and run the console.`);
    } catch (error) {
      say(`The owners of ${slug} were not invited: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
