/**
 * Amounts as people read them. The ledger keeps every amount in its currency's smallest unit (fen
 * for CNY, a token's base unit); an ISO 4217 currency is shown with its minor digits ("60.00 CNY"),
 * a token's amount in base units with the token named; in the reader's language when given a
 * translator (English otherwise). Pure: the explorer's bundle takes it.
 */
import { english, type Translator } from "./i18n/translate.js";

/** A currency as the API gives it: a token, or an ISO 4217 code. */
export interface CurrencyRef {
  token: string | null;
  currencyCode: string | null;
}

/** How many minor digits an ISO 4217 currency has (2 for CNY, 0 for JPY); 2 for a code Intl does not know. */
export function minorDigits(code: string): number {
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency: code }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** `amount` (smallest units, decimal) with its decimal point placed `digits` from the right. */
export function withMinorDigits(amount: string, digits: number): string {
  if (digits === 0) return amount;
  const negative = amount.startsWith("-");
  const body = (negative ? amount.slice(1) : amount).padStart(digits + 1, "0");
  return `${negative ? "-" : ""}${body.slice(0, -digits)}.${body.slice(-digits)}`;
}

/** "60.00 CNY", or "9050 of token 0xcf7e…0fc9" (a token's base units: its decimals are not on the ledger). */
export function formatAmount(amount: string, currency: CurrencyRef, tr: Translator = english): string {
  if (currency.currencyCode) return tr.t("money.inCurrency", { amount: withMinorDigits(amount, minorDigits(currency.currencyCode)), code: currency.currencyCode });
  if (currency.token) return tr.t("money.inToken", { amount, token: `${currency.token.slice(0, 6)}…${currency.token.slice(-4)}` });
  return amount;
}

/** A grant's fee terms as the API gives them. */
export interface FeeTermsRef extends CurrencyRef {
  purposeClass: string;
  unitPrice: string;
  periodFee: string;
  /** Seconds. */
  period: number;
}

/** A period in days when whole, else in seconds: "30 days". */
export function periodText(seconds: number, tr: Translator = english): string {
  return seconds % 86_400 === 0 ? tr.t("money.days", { days: seconds / 86_400 }) : tr.t("money.seconds", { seconds });
}

/** Fee terms in words: "commercial, 0.50 CNY a unit, 5.00 CNY every 30 days", or "public-welfare, free". */
export function feeTermsText(f: FeeTermsRef, tr: Translator = english): string {
  const parts = [tr.name("purpose", f.purposeClass)];
  if (f.unitPrice !== "0") parts.push(tr.t("money.perUnit", { price: formatAmount(f.unitPrice, f, tr) }));
  if (f.periodFee !== "0") parts.push(tr.t("money.perPeriod", { fee: formatAmount(f.periodFee, f, tr), period: periodText(f.period, tr) }));
  if (parts.length === 1) parts.push(tr.t("money.free"));
  return parts.join(tr.t("list.separator"));
}
