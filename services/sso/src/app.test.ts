import { describeServiceContract } from '@mindbot/testing';
import { createApp } from './app.js';
import { testSsoConfig } from './testing/sso-test-config.js';

describeServiceContract('sso', (deps) => createApp(deps, testSsoConfig()));
