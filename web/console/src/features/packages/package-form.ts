import { packageCreateRequestSchema } from '@mindbot/sdk/schemas';
import { z } from 'zod';
import type { AdminPackage, PackageCreate } from '../../api/console-api.js';
import { minorUnitsPerUnit } from '../../app/format.js';
import type { Translate } from '../../i18n/index.js';

const fields = packageCreateRequestSchema.shape;

/**
 * The package form as an admin fills it (a price in the tenant's currency, minutes), turned into
 * the API's request (minor units, seconds) and checked by the SDK's own rules on the way.
 */
export function packageFormSchema(currency: string, t: Translate) {
  const unit = minorUnitsPerUnit(currency);
  const wholeMinutes = z
    .string()
    .trim()
    .regex(/^\d{1,7}$/, t('minutesInvalid'));
  return z.object({
    name: fields.name,
    description: fields.description.unwrap(),
    price: z
      .string()
      .trim()
      .regex(unit === 1 ? /^\d{1,9}$/ : /^\d{1,7}([.,]\d{1,2})?$/, t('priceInvalid'))
      .transform((value) => Math.round(Number(value.replace(',', '.')) * unit))
      .pipe(fields.priceCents),
    minutes: wholeMinutes.transform((value) => Number(value) * 60).pipe(fields.baseSeconds),
    bonusMinutes: wholeMinutes.transform((value) => Number(value) * 60).pipe(fields.bonusSeconds.unwrap()),
    active: z.boolean(),
  });
}

export type PackageFormSchema = ReturnType<typeof packageFormSchema>;
export type PackageFormValues = z.input<PackageFormSchema>;
export type PackageFormOutput = z.output<PackageFormSchema>;

export const EMPTY_PACKAGE: PackageFormValues = { name: '', description: '', price: '', minutes: '', bonusMinutes: '0', active: true };

/** A package's values in the form (its price back in units of the currency). */
export function formValuesOf(pkg: AdminPackage): PackageFormValues {
  const unit = minorUnitsPerUnit(pkg.currency);
  return {
    name: pkg.name,
    description: pkg.description,
    price: unit === 1 ? String(pkg.priceCents) : (pkg.priceCents / unit).toFixed(2),
    minutes: String(Math.round(pkg.baseSeconds / 60)),
    bonusMinutes: String(Math.round(pkg.bonusSeconds / 60)),
    active: pkg.active,
  };
}

/** The API's request: the SDK's currency code of the tenant, seconds and minor units. */
export function requestOf(values: PackageFormOutput, currency: string): PackageCreate {
  return {
    name: values.name,
    description: values.description,
    priceCents: values.price,
    currency: fields.currency.parse(currency.toLowerCase()),
    baseSeconds: values.minutes,
    bonusSeconds: values.bonusMinutes,
    active: values.active,
  };
}
