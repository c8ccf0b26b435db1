import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { FieldIssue } from '../../common/errors.ts';
import { PACKAGE_SCHEMATA, schemaOf } from './ftm-model.ts';

/** An entity as FollowTheMoney writes it: id, schema, and every property as a list of strings. */
export interface FtmEntity {
  id: string;
  schema: string;
  properties: Record<string, string[]>;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PARTIAL_DATE = /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01])(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?)?)?$/;
const COUNTRY = /^[a-z]{2}(-[a-z0-9]{1,3})?$/;
const NUMBER = /^-?\d+(\.\d+)?$/;
const MAX_VALUE_LENGTH = 4096;

/**
 * Checks one value against its FtM property type and returns it normalised (phones in E.164,
 * countries and e-mails lower-case), or the reason it is not acceptable.
 */
export function normaliseValue(type: string, raw: string): { value: string } | { error: string } {
  const value = raw.trim();
  if (value.length === 0) return { error: 'is empty' };
  if (value.length > MAX_VALUE_LENGTH) return { error: `is longer than ${MAX_VALUE_LENGTH} characters` };
  switch (type) {
    case 'phone': {
      const phone = parsePhoneNumberFromString(value);
      if (!phone?.isValid())
        return { error: `"${value}" is not a valid international phone number (E.164, e.g. +8613800138000)` };
      return { value: phone.number };
    }
    case 'email':
      return EMAIL.test(value) ? { value: value.toLowerCase() } : { error: `"${value}" is not an e-mail address` };
    case 'date':
      return PARTIAL_DATE.test(value)
        ? { value }
        : { error: `"${value}" is not an ISO 8601 date (YYYY, YYYY-MM or YYYY-MM-DD)` };
    case 'country':
      return COUNTRY.test(value.toLowerCase())
        ? { value: value.toLowerCase() }
        : { error: `"${value}" is not an ISO 3166-1 alpha-2 country code` };
    case 'number':
      return NUMBER.test(value.replaceAll(',', ''))
        ? { value: value.replaceAll(',', '') }
        : { error: `"${value}" is not a number` };
    case 'url':
      return URL.canParse(value) ? { value } : { error: `"${value}" is not a URL` };
    default:
      return { value };
  }
}

interface SchemaShape {
  /** Property name → FtM type name. */
  types: Map<string, string>;
  required: readonly string[];
}

// FtM's Schema.getProperty rebuilds the inherited property map on every call; validation asks
// for every property of every entity, so the shape of each schema is computed once.
const schemaShapes = new Map<string, SchemaShape | undefined>();

function shapeOf(name: string): SchemaShape | undefined {
  if (!schemaShapes.has(name)) {
    const schema = (PACKAGE_SCHEMATA as readonly string[]).includes(name) ? schemaOf(name) : undefined;
    schemaShapes.set(
      name,
      schema && {
        types: new Map([...schema.getProperties().values()].map((p) => [p.name, p.type.name])),
        required: schema.required,
      },
    );
  }
  return schemaShapes.get(name);
}

/**
 * Validates entities against the FtM model: known schema, known properties, typed values,
 * required properties present, and references (`entity` properties) pointing at entities of the
 * same set. Returns the normalised entities or every problem found, each naming its field.
 */
export function validateEntities(
  entities: readonly FtmEntity[],
  pathPrefix = 'entities',
): { entities: FtmEntity[]; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  const ids = new Set(entities.map((e) => e.id));
  const seen = new Set<string>();
  const normalised = entities.map((entity, index) => {
    const at = `${pathPrefix}.${index}`;
    if (seen.has(entity.id)) issues.push({ path: `${at}.id`, message: `duplicate id "${entity.id}"` });
    seen.add(entity.id);
    const schema = shapeOf(entity.schema);
    if (!schema) {
      issues.push({ path: `${at}.schema`, message: `"${entity.schema}" is not one of ${PACKAGE_SCHEMATA.join(', ')}` });
      return entity;
    }
    const properties: Record<string, string[]> = {};
    for (const [name, values] of Object.entries(entity.properties)) {
      const type = schema.types.get(name);
      if (type === undefined) {
        issues.push({ path: `${at}.properties.${name}`, message: `${entity.schema} has no property "${name}"` });
        continue;
      }
      properties[name] = values.flatMap((raw, i) => {
        const result = normaliseValue(type, raw);
        if ('error' in result) {
          issues.push({ path: `${at}.properties.${name}.${i}`, message: result.error });
          return [];
        }
        if (type === 'entity' && !ids.has(result.value)) {
          issues.push({
            path: `${at}.properties.${name}.${i}`,
            message: `refers to "${result.value}", which is not in this package`,
          });
        }
        return [result.value];
      });
    }
    for (const required of schema.required) {
      if (!properties[required]?.length) {
        issues.push({ path: `${at}.properties.${required}`, message: `is required for ${entity.schema}` });
      }
    }
    return { ...entity, properties };
  });
  return { entities: normalised, issues };
}

/** A short human label for an entity: its schema's caption properties, first value found. */
export function captionOf(entity: FtmEntity): string {
  const schema = schemaOf(entity.schema);
  for (const name of schema?.caption ?? ['name']) {
    const value = entity.properties[name]?.[0];
    if (value) return value;
  }
  return entity.id;
}
