/** ISO 3166-1 alpha-2 style party codes: "US", "CN", "MX". */
export const PARTY_CODE = /^[A-Z]{2,3}$/;

export interface PartyNames {
  en: string;
  zh: string;
  es: string;
}
