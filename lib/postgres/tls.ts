// TLS settings of a connection as libpq reads them (sslmode, sslrootcert). Pure: the database
// form shows the same choices and checks the server enforces.

export const SSL_MODES = ["verify-full", "verify-ca", "require", "prefer", "disable"] as const;
export type SslMode = (typeof SSL_MODES)[number];

export const SSL_MODE_LABELS: Record<SslMode, string> = {
  "verify-full": "verify-full — encrypted; certificate and host name checked (recommended)",
  "verify-ca": "verify-ca — encrypted; certificate checked, host name not",
  require: "require — encrypted; any certificate accepted (an impostor is not detected)",
  prefer: "prefer — encrypted if the server offers it, else clear text",
  disable: "disable — never encrypted (trusted network or local socket only)",
};

/** Modes that check the server's certificate against a CA (the CA certificate field applies). */
export const VERIFYING_MODES: readonly SslMode[] = ["verify-full", "verify-ca"];

export const MAX_CA_CERT_LENGTH = 64 * 1024;

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Why the text is not one or more PEM certificates, or null. (The server also parses each one.) */
export function caCertProblem(pem: string): string | null {
  if (pem.length > MAX_CA_CERT_LENGTH) return `The CA certificate is longer than ${MAX_CA_CERT_LENGTH / 1024} KiB`;
  const blocks = pem.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0)
    return "The CA certificate must be PEM text starting with -----BEGIN CERTIFICATE----- (paste the CA's .crt or .pem file)";
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem))
    return "That is a private key: paste only the CA's certificate (it is not secret), never a key";
  return null;
}

/** The PEM certificate blocks of a text, for the server to parse one by one. */
export function pemBlocks(pem: string): string[] {
  return pem.match(PEM_BLOCK) ?? [];
}
