export { listAuditEntries, type AuditEntryView, type AuditPage, type AuditQuery } from './audit-trail.js';
export { verifyAuditChain, type BrokenLink, type ChainVerification } from './audit-chain.js';
export { recordAudit, type AuditRecord } from './audit-record.js';
export {
  auditRetentionDays,
  latestAuditAnchor,
  purgeAuditLog,
  AUDIT_PURGED_ACTION,
  DEFAULT_AUDIT_RETENTION_DAYS,
  type AuditAnchor,
  type AuditPurge,
} from './audit-retention.js';
export {
  purgeExpiredAuditLogs,
  scheduleAuditRetention,
  AUDIT_RETENTION_CRON,
  AUDIT_RETENTION_QUEUE,
  type AuditRetentionDeps,
  type TenantPurge,
} from './audit-retention-job.js';
