export { languageOf, NOTIFICATION_LANGUAGES, type MailBrand, type NotificationLanguage } from './brand.js';
export { renderMail } from './render-mail.js';
export { OPTIONAL_KINDS, type Notification, type NotificationKind, type OptionalKind } from './templates/notification-content.js';
export { NotificationSender, type BrandSource, type SendOutcome, type JobNotificationKind } from './notification-sender.js';
export { preferencesOf, savePreferences, type NotificationPreferences } from './data/notification-preferences.js';
export { handlePlatformEvent } from './event-notifications.js';
export { notifyExpiringMinutes, EXPIRY_NOTICE_DAYS } from './expiring-minutes.js';
export {
  notificationWorkers,
  EXPIRING_MINUTES_QUEUE,
  EXPIRING_MINUTES_CRON,
  type NotificationWorkersDeps,
} from './notification-workers.js';
export { brandOfTenant, registryBrands } from './registry-brands.js';
export { mailWebhookNotices } from './webhook-disabled-notices.js';
