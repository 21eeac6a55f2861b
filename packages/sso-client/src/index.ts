export { SsoServiceClient, SsoServiceError, type OwnersInvited } from './sso-service-client.js';
