export { listAuditEntries, type AuditEntryView, type AuditPage, type AuditQuery } from './audit-trail.js';
export { verifyAuditChain, type BrokenLink, type ChainVerification } from './audit-chain.js';
export { recordAudit, type AuditRecord } from './audit-record.js';
