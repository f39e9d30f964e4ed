// ISO 4217 currency codes in circulation with their minor-unit exponents (the number of
// decimal places of the minor unit). Funds codes and precious metals are left out on
// purpose: a payments ledger does not take them as payment currencies.

const exponentZero = [
  'BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'VND', 'VUV',
  'XAF', 'XOF', 'XPF',
] as const;

const exponentThree = ['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND'] as const;

const exponentTwo = [
  'AED', 'AFN', 'ALL', 'AMD', 'ANG', 'AOA', 'ARS', 'AUD', 'AWG', 'AZN', 'BAM', 'BBD', 'BDT',
  'BGN', 'BMD', 'BND', 'BOB', 'BRL', 'BSD', 'BTN', 'BWP', 'BYN', 'BZD', 'CAD', 'CDF', 'CHF',
  'CNY', 'COP', 'CRC', 'CUP', 'CVE', 'CZK', 'DKK', 'DOP', 'DZD', 'EGP', 'ERN', 'ETB', 'EUR',
  'FJD', 'FKP', 'GBP', 'GEL', 'GHS', 'GIP', 'GMD', 'GTQ', 'GYD', 'HKD', 'HNL', 'HTG', 'HUF',
  'IDR', 'ILS', 'INR', 'IRR', 'JMD', 'KES', 'KGS', 'KHR', 'KPW', 'KYD', 'KZT', 'LAK', 'LBP',
  'LKR', 'LRD', 'LSL', 'MAD', 'MDL', 'MGA', 'MKD', 'MMK', 'MNT', 'MOP', 'MRU', 'MUR', 'MVR',
  'MWK', 'MXN', 'MYR', 'MZN', 'NAD', 'NGN', 'NIO', 'NOK', 'NPR', 'NZD', 'PAB', 'PEN', 'PGK',
  'PHP', 'PKR', 'PLN', 'QAR', 'RON', 'RSD', 'RUB', 'SAR', 'SBD', 'SCR', 'SDG', 'SEK', 'SGD',
  'SHP', 'SLE', 'SOS', 'SRD', 'SSP', 'STN', 'SVC', 'SYP', 'SZL', 'THB', 'TJS', 'TMT', 'TOP',
  'TRY', 'TTD', 'TWD', 'TZS', 'UAH', 'USD', 'UYU', 'UZS', 'VES', 'WST', 'XCD', 'YER', 'ZAR',
  'ZMW', 'ZWG',
] as const;

export type CurrencyCode = (typeof exponentZero | typeof exponentThree | typeof exponentTwo)[number];

const exponents: ReadonlyMap<string, number> = new Map<string, number>([
  ...exponentZero.map((code) => [code, 0] as const),
  ...exponentTwo.map((code) => [code, 2] as const),
  ...exponentThree.map((code) => [code, 3] as const),
]);

export function isCurrencyCode(value: string): value is CurrencyCode {
  return exponents.has(value);
}

/** Decimal places of the currency's minor unit (NGN 2, JPY 0, KWD 3). */
export function currencyExponent(currency: CurrencyCode): number {
  const exponent = exponents.get(currency);
  if (exponent === undefined) throw new Error(`unknown currency ${currency}`);
  return exponent;
}
