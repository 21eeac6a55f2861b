export { BillingServiceClient, type SessionStartAnswer, type SessionEndRequest } from './billing-service-client.js';
export { BillingJobClient, type BillingJob } from './billing-job-client.js';
export { BillingError, BillingUnreachableError } from './billing-error.js';
