import { defaultModel, Model, type ISchemaDatum, type Schema } from '@alephdata/followthemoney';

/**
 * FollowTheMoney's model, extended with the schemata this domain needs and FtM lacks: a phone
 * number as an entity of its own (FtM keeps phones as properties), a shipment, a seizure and a
 * chemical substance (identified by structure, so both parties mean the same molecule).
 * Everything else is FtM's own, so entities round-trip with Aleph, OpenSanctions and friends.
 */
const prop = (schema: string, name: string, label: string, type: string, extra: Record<string, unknown> = {}) => ({
  [name]: { name, label, type, qname: `${schema}:${name}`, ...extra },
});

const EXTENSION_SPECS = {
  Phone: {
    label: 'Phone',
    plural: 'Phones',
    extends: ['Thing'],
    required: ['number'],
    featured: ['number', 'holder', 'country'],
    caption: ['number'],
    properties: {
      ...prop('Phone', 'number', 'Number (E.164)', 'phone'),
      ...prop('Phone', 'holder', 'Holder', 'entity', { range: 'LegalEntity' }),
      ...prop('Phone', 'carrier', 'Carrier', 'string'),
    },
  },
  Shipment: {
    label: 'Shipment',
    plural: 'Shipments',
    extends: ['Interval', 'Thing'],
    required: ['goodsDescription'],
    featured: ['shipper', 'consignee', 'goodsDescription', 'date'],
    caption: ['name', 'goodsDescription', 'trackingNumber'],
    properties: {
      ...prop('Shipment', 'shipper', 'Shipper', 'entity', { range: 'LegalEntity' }),
      ...prop('Shipment', 'consignee', 'Consignee', 'entity', { range: 'LegalEntity' }),
      ...prop('Shipment', 'notifyParty', 'Notify party', 'entity', { range: 'LegalEntity' }),
      ...prop('Shipment', 'goodsDescription', 'Goods description', 'text'),
      ...prop('Shipment', 'hsCode', 'HS code', 'identifier'),
      ...prop('Shipment', 'quantity', 'Quantity', 'number'),
      ...prop('Shipment', 'unit', 'Unit', 'string'),
      ...prop('Shipment', 'originCountry', 'Origin country', 'country'),
      ...prop('Shipment', 'destinationCountry', 'Destination country', 'country'),
      ...prop('Shipment', 'transitCountries', 'Transit countries', 'country'),
      ...prop('Shipment', 'carrierType', 'Carrier type', 'string'),
      ...prop('Shipment', 'trackingNumber', 'Tracking number', 'identifier'),
    },
  },
  Seizure: {
    label: 'Seizure',
    plural: 'Seizures',
    extends: ['Interval', 'Thing'],
    required: ['date'],
    featured: ['date', 'country', 'substance', 'quantity'],
    caption: ['name', 'substance', 'date'],
    properties: {
      ...prop('Seizure', 'substance', 'Substance', 'string'),
      ...prop('Seizure', 'quantity', 'Quantity', 'number'),
      ...prop('Seizure', 'unit', 'Unit', 'string'),
      ...prop('Seizure', 'location', 'Location', 'address'),
      ...prop('Seizure', 'agency', 'Seizing agency', 'string'),
      ...prop('Seizure', 'shipment', 'Shipment', 'entity', { range: 'Shipment' }),
      ...prop('Seizure', 'labResult', 'Laboratory result', 'text'),
    },
  },
  Substance: {
    label: 'Substance',
    plural: 'Substances',
    extends: ['Thing'],
    required: ['name'],
    featured: ['name', 'inchiKey', 'smiles', 'casNumber'],
    caption: ['name', 'inchiKey'],
    properties: {
      ...prop('Substance', 'smiles', 'SMILES', 'string'),
      ...prop('Substance', 'inchiKey', 'InChIKey', 'identifier'),
      ...prop('Substance', 'casNumber', 'CAS number', 'identifier'),
      ...prop('Substance', 'formula', 'Molecular formula', 'string'),
      ...prop('Substance', 'controlStatus', 'Control status', 'text'),
    },
  },
};

/** FtM lists every ancestor of a schema in `schemata`; derive it from the parents'. */
const withAncestors = (name: string, spec: Omit<ISchemaDatum, 'schemata'>): ISchemaDatum => ({
  ...spec,
  schemata: [name, ...new Set(spec.extends.flatMap((parent) => defaultModel.schemata[parent]?.schemata ?? [parent]))],
});

export const model = new Model({
  ...defaultModel,
  schemata: {
    ...defaultModel.schemata,
    ...Object.fromEntries(Object.entries(EXTENSION_SPECS).map(([name, spec]) => [name, withAncestors(name, spec)])),
  },
});

/** The schemata a package may carry (issue #2); the rest of FtM is reachable through import. */
export const PACKAGE_SCHEMATA = [
  'Person',
  'Company',
  'Organization',
  'Address',
  'Phone',
  'Email',
  'CryptoWallet',
  'BankAccount',
  'Ownership',
  'Directorship',
  'Associate',
  'Payment',
  'Shipment',
  'Seizure',
  'Substance',
] as const;
export type PackageSchemaName = (typeof PACKAGE_SCHEMATA)[number];

export const schemaOf = (name: string): Schema | undefined =>
  name in model.schemata ? model.getSchema(name) : undefined;
