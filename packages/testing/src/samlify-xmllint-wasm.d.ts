declare module '@authenio/samlify-xmllint-wasm' {
  /** Validates a SAML message against the SAML 2.0 XML schemas (xmllint compiled to wasm); rejects when invalid. */
  export function validate(xml: string): Promise<string>;
}
