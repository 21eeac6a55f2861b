import { z } from 'zod';
import { TENANT_API_VERSION, TENANT_KIND, type TenantSpec } from '@mindbot/tenancy';

export const GROUP = 'platform.mindbot.ai';
export const VERSION = 'v1alpha1';
export const PLURAL = 'tenants';
export const SINGULAR = 'tenant';
export const SHORT_NAMES = ['tnt'] as const;
export const CRD_NAME = `${PLURAL}.${GROUP}`;
export const API_VERSION = TENANT_API_VERSION;
export const KIND = TENANT_KIND;
/** The path of the Tenant collection on the API server. */
export const TENANTS_PATH = `/apis/${GROUP}/${VERSION}/${PLURAL}`;
/** Held on every Tenant the operator manages, until its cleanup outside Kubernetes is done. */
export const TENANT_FINALIZER = `${GROUP}/cleanup`;

export const CONDITION_TYPES = ['DatabaseReady', 'RegistryReady', 'BillingReady', 'WorkloadReady', 'Ready'] as const;
export type ConditionType = (typeof CONDITION_TYPES)[number];

/** A condition per the Kubernetes API conventions (metav1.Condition). */
export const conditionSchema = z
  .object({
    type: z.string().min(1).max(316).meta({ description: 'Type of condition in CamelCase.' }),
    status: z.enum(['True', 'False', 'Unknown']).meta({ description: 'Status of the condition: True, False or Unknown.' }),
    observedGeneration: z.int().min(0).optional().meta({ description: 'The .metadata.generation the condition was set for.' }),
    lastTransitionTime: z
      .string()
      .meta({ description: 'When the condition last changed from one status to another.', format: 'date-time' }),
    reason: z
      .string()
      .min(1)
      .max(1024)
      .regex(/^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/)
      .meta({ description: 'Programmatic identifier of the reason for the last transition, in CamelCase.' }),
    message: z.string().max(32768).meta({ description: 'Human-readable details about the transition.' }),
  })
  .strict();

export type Condition = z.output<typeof conditionSchema>;

export const tenantStatusSchema = z
  .object({
    observedGeneration: z.int().min(0).optional().meta({ description: 'The .metadata.generation the status was computed for.' }),
    conditions: z
      .array(conditionSchema)
      .max(16)
      .optional()
      .meta({
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['type'],
        description: 'DatabaseReady, RegistryReady, BillingReady, WorkloadReady and Ready.',
      }),
    namespace: z.string().optional().meta({ description: "The tenant's namespace in this cluster." }),
    schema: z.string().optional().meta({ description: "The tenant's Postgres schema in its region." }),
    agentReplicas: z.int().min(0).optional().meta({ description: 'Agent replicas available, as the Deployment reports them.' }),
  })
  .strict();

export type TenantStatus = z.output<typeof tenantStatusSchema>;

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  deletionTimestamp?: string;
  ownerReferences?: OwnerReference[];
  creationTimestamp?: string;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** A Tenant as the API server stores it: the spec is validated (and defaulted) by the CRD schema. */
export interface Tenant {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND;
  metadata: ObjectMeta & { name: string; uid: string };
  spec: TenantSpec;
  status?: TenantStatus;
}
