import { describeServiceContract } from '@mindbot/testing';
import { createApp } from './app.js';

describeServiceContract('gateway', createApp);
