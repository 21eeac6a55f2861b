import { fileURLToPath } from 'node:url';
import { CRD_NAME } from './tenant-types.js';

/** Where the generated CRD lives: in the chart, installed by `helm install` before the templates. */
export const CRD_FILE = fileURLToPath(new URL(`../../../../charts/mindbot/crds/${CRD_NAME}.yaml`, import.meta.url));
