import type { Entity } from '../api/types';

/**
 * The entity schemas the composer offers (FollowTheMoney names), with the few properties worth
 * suggesting. Kept small on purpose: the server validates against the full model.
 */
export interface SchemaInfo {
  /** The property the composer's "name" field fills (none for relationships). */
  nameProperty: string | null;
  /** Suggested properties, shown as a placeholder in the composer. */
  featured: string[];
  /** For relationships: the two properties that point at other entities. */
  edge?: { source: string; target: string };
}

export const SCHEMAS: Record<string, SchemaInfo> = {
  Person: { nameProperty: 'name', featured: ['nationality', 'birthDate', 'idNumber', 'alias'] },
  Company: { nameProperty: 'name', featured: ['jurisdiction', 'registrationNumber', 'incorporationDate'] },
  Organization: { nameProperty: 'name', featured: ['country', 'legalForm', 'alias'] },
  Address: { nameProperty: 'full', featured: ['street', 'city', 'postalCode', 'country'] },
  Phone: { nameProperty: 'number', featured: ['holder', 'country', 'carrier'] },
  Email: { nameProperty: 'name', featured: ['subject', 'from', 'date'] },
  CryptoWallet: { nameProperty: 'name', featured: ['currency', 'publicKey', 'holder'] },
  BankAccount: { nameProperty: 'name', featured: ['accountNumber', 'iban', 'bic', 'bankName'] },
  Ownership: {
    nameProperty: null,
    featured: ['owner', 'asset', 'percentage', 'startDate'],
    edge: { source: 'owner', target: 'asset' },
  },
  Directorship: {
    nameProperty: null,
    featured: ['director', 'organization', 'role', 'startDate'],
    edge: { source: 'director', target: 'organization' },
  },
  Associate: {
    nameProperty: null,
    featured: ['person', 'associate', 'relationship'],
    edge: { source: 'person', target: 'associate' },
  },
  Payment: {
    nameProperty: null,
    featured: ['payer', 'beneficiary', 'amount', 'currency', 'date', 'purpose'],
    edge: { source: 'payer', target: 'beneficiary' },
  },
  Shipment: {
    nameProperty: 'name',
    featured: [
      'goodsDescription',
      'shipper',
      'consignee',
      'originCountry',
      'destinationCountry',
      'trackingNumber',
      'date',
    ],
    edge: { source: 'shipper', target: 'consignee' },
  },
  Seizure: {
    nameProperty: 'name',
    featured: ['date', 'country', 'substance', 'quantity', 'unit', 'agency', 'shipment'],
  },
  Substance: { nameProperty: 'name', featured: ['inchiKey', 'smiles', 'casNumber', 'formula', 'controlStatus'] },
};

export const SCHEMA_NAMES = Object.keys(SCHEMAS);

const CAPTION_PROPERTIES = [
  'name',
  'full',
  'number',
  'address',
  'publicKey',
  'accountNumber',
  'iban',
  'subject',
  'title',
  'summary',
];

/** A readable caption: its name-like property, or "A → B" for a relationship, or its id. */
export function entityCaption(entity: Entity, all: readonly Entity[]): string {
  for (const prop of CAPTION_PROPERTIES) {
    const value = entity.properties[prop]?.[0];
    if (value) return value;
  }
  const edge = SCHEMAS[entity.schema]?.edge;
  if (edge) {
    const source = entity.properties[edge.source]?.[0];
    const target = entity.properties[edge.target]?.[0];
    if (source || target) return `${resolveRef(source ?? '?', all)} → ${resolveRef(target ?? '?', all)}`;
  }
  return entity.id;
}

/** If `value` is the id of another entity in the package, its caption; otherwise `value`. */
export function resolveRef(value: string, all: readonly Entity[]): string {
  const target = all.find((e) => e.id === value);
  if (!target) return value;
  for (const prop of CAPTION_PROPERTIES) {
    const v = target.properties[prop]?.[0];
    if (v) return v;
  }
  return value;
}
