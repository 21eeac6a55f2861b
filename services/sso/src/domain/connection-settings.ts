// The connection settings' schemas are part of the public API (admins write them): they live in
// @mindbot/sdk/schemas. What stays here is SSO's own use of them.

export function pemCertificate(base64: string): string {
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}
