import { Command, CommanderError } from 'commander';
import { ConfigError } from '@mindbot/config';
import { MigrationDriftError } from '@mindbot/db';
import { ProvisioningError } from '@mindbot/provisioning';
import { loadCliConfig } from './config.js';
import { openContext, type CliContext } from './context.js';
import { dbMigrate } from './commands/db-migrate.js';
import { readManifests, tenantProvision } from './commands/tenant-provision.js';
import { tenantList } from './commands/tenant-list.js';
import { tenantDeprovision } from './commands/tenant-deprovision.js';
import { userRole } from './commands/user-role.js';
import { auditRetention } from './commands/audit-retention.js';
import { auditVerify } from './commands/audit-verify.js';
import { checkoutComplete, webhookTargetOf } from './commands/checkout-complete.js';
import { assertLocalPayments, LocalPaymentsRefused } from './local-payments.js';

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
}

/** Exit codes: 0 done, 1 failed while working, 2 refused before doing anything (bad input or configuration). */
export class CliExit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

export function buildProgram(io: CliIo): Command {
  const withContext = async (fn: (context: CliContext) => Promise<void>) => {
    const context = await openContext(loadCliConfig(io.env));
    try {
      await fn(context);
    } finally {
      await context.close();
    }
  };

  const program = new Command('mindbot')
    .description('MindBot Platform: migrate databases and provision tenants from Tenant manifests.')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });

  const db = program.command('db').description('Database schemas and migrations.');
  db.command('migrate')
    .description('Apply pending migrations to the platform schema and every tenant schema in this region.')
    .action(() => withContext((context) => dbMigrate(context, io.out)));

  const tenant = program.command('tenant').description('Tenants: provision from manifests, list, deprovision.');
  tenant
    .command('provision')
    .description('Provision (or update) tenants from Tenant manifest files; idempotent.')
    .argument('<manifest...>', 'YAML files holding Tenant manifests')
    .action(async (files: string[]) => {
      const manifests = await readManifests(files);
      let failed = 0;
      await withContext(async (context) => {
        failed = await tenantProvision(context, manifests, io.out);
      });
      if (failed > 0) throw new CliExit(1);
    });
  tenant
    .command('list')
    .description('List the tenants registered in this database.')
    .option('--json', 'print JSON instead of a table', false)
    .action((options: { json: boolean }) => withContext((context) => tenantList(context, options, io.out)));
  tenant
    .command('deprovision')
    .description('Remove a tenant from the registry; its schema is kept unless --drop-data is given.')
    .argument('<slug>', 'the tenant to remove')
    .option('--drop-data', "drop the tenant's schema, data and role", false)
    .action((slug: string, options: { dropData: boolean }) => withContext((context) => tenantDeprovision(context, slug, options, io.out)));

  const user = program.command('user').description("A tenant's users.");
  user
    .command('role')
    .description(
      "Grant one of the tenant's roles (owner, admin, member, …) to an existing user: a tenant's first admin without an identity provider. Audited.",
    )
    .argument('<tenant>', 'the tenant slug, e.g. initech')
    .argument('<email>', "the user's email (the user signs up first)")
    .argument('<role>', 'the role to grant, e.g. admin')
    .action((slug: string, email: string, role: string) =>
      withContext(async (context) => {
        if (!(await userRole(context, { tenant: slug, email, role }, io))) throw new CliExit(1);
      }),
    );

  const audit = program.command('audit').description("A tenant's audit log.");
  audit
    .command('verify')
    .description(
      "Recompute the tenant's hash-chained audit log and report the first broken link (an entry changed, removed or out of order).",
    )
    .argument('<tenant>', 'the tenant slug')
    .action((slug: string) =>
      withContext(async (context) => {
        if (!(await auditVerify(context, slug, io))) throw new CliExit(1);
      }),
    );
  audit
    .command('retention')
    .description("Set how many days the tenant's audit log keeps its entries (default 365); a daily job removes older ones.")
    .argument('<tenant>', 'the tenant slug')
    .argument('<days>', 'from 30 to 3650')
    .action((slug: string, days: string) =>
      withContext(async (context) => {
        if (!(await auditRetention(context, { tenant: slug, days, actor: 'cli' }, io))) throw new CliExit(1);
      }),
    );

  const checkout = program.command('checkout').description('Local payments (stripe-mock or Stripe test mode only).');
  checkout
    .command('complete')
    .description(
      'Pay a purchase locally: sends billing the signed checkout.session.completed Stripe would send when the buyer pays its Checkout Session. Refused in live mode.',
    )
    .argument('<purchaseId>', 'the purchase id POST /v1/purchases answered (pur_…)')
    .option('--tenant <slug>', 'the tenant of the purchase (default: found among the tenants of this database)')
    .action((purchaseId: string, options: { tenant?: string }) => {
      const config = loadCliConfig(io.env);
      assertLocalPayments(webhookTargetOf(config), config.NODE_ENV);
      return withContext(async (context) => {
        if (!(await checkoutComplete(context, config, { purchaseId, tenant: options.tenant }, io))) throw new CliExit(1);
      });
    });

  return program;
}

/** Runs the CLI and turns every expected failure into a clear message and an exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    await buildProgram(io).parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CliExit) return error.code;
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof AggregateError || error instanceof ConfigError || error instanceof LocalPaymentsRefused) {
      io.err(error.message);
      return 2;
    }
    if (error instanceof ProvisioningError || error instanceof MigrationDriftError) {
      io.err(error.message);
      return 1;
    }
    if (error instanceof Error && 'code' in error && (error.code === 'ECONNREFUSED' || error.code === 'ENOTFOUND')) {
      io.err(`Cannot reach PostgreSQL (${error.code}). Is it running, and is DATABASE_URL right?`);
      return 1;
    }
    io.err(`Failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
