/**
 * Validation of Booking and Itinerary requests in the JSON form, with zod schemas built from the generated
 * model: strict objects, the XSD's lengths, patterns and enumerations, the date format, the seeds' required
 * elements per profile, and the agency proposal rules. Every problem carries its JSON path.
 */
import * as z from '../zod';
import { withMeta } from '../zod';
import { formatPath } from '../problem';
import type { FieldProblem } from '../problem';
import type { Booking, Itinerary } from './documents';
import type { ElementModel, SimpleTypeName } from './model-types';
import { PROPOSAL_TRIP_STATUSES, TRIP_STATUSES, requiredElements } from './rules';
import type { ValidationProfile } from './rules';
import { complexTypes } from './model.generated';
import { complexType, isSimpleType, jsonKey, segmentTypes } from './schema';
import { unboundedTextLimit } from './text-limits';
import { describeCharacter, forbiddenXmlCharacter } from './xml-text';

export type ValidationResult<T> = { success: true; value: T } | { success: false; problems: FieldProblem[] };

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/;
const XML_NAME = /^[A-Za-z_][A-Za-z0-9._-]*$/;

function isCalendarDateTime(value: string): boolean {
  const match = DATE_TIME.exec(value);
  if (!match) return false;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return (
    month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour <= 23 && minute <= 59 && second <= 59
  );
}

export const dateTimeSchema = z
  .string()
  .check(z.refine(isCalendarDateTime, { error: 'expected a date and time YYYY-MM-DDThh:mm:ss' }))
  .apply(withMeta, {
    id: 'DateTime',
    pattern: DATE_TIME.source,
    description: 'A date and time without offset: YYYY-MM-DDThh:mm:ss.',
  });

const characterCount = (value: string): number => [...value].length;

const xmlText = z.string().check(
  z.superRefine((value, ctx) => {
    const forbidden = forbiddenXmlCharacter(value);
    if (forbidden) {
      ctx.addIssue({
        code: 'custom',
        message: `contains the character ${describeCharacter(forbidden)}, which XML 1.0 does not allow`,
      });
    }
  }),
);

const EMPTY_ELEMENT = z.literal('');

function stringSchema(element: ElementModel): z.ZodMiniType<string> {
  let schema = xmlText;
  // XSD lengths count characters (code points), not UTF-16 units. Unbounded strings get the gateway's limit.
  const { length } = element;
  const maxLength =
    element.maxLength ??
    (length === undefined && !element.enumeration ? unboundedTextLimit(element.name) : undefined);
  if (maxLength !== undefined) {
    schema = schema.check(
      z.refine((v) => characterCount(v) <= maxLength, { error: `must be at most ${maxLength} characters` }),
    );
  }
  if (length !== undefined) {
    schema = schema.check(
      z.refine((v) => characterCount(v) === length, { error: `must be exactly ${length} characters` }),
    );
  }
  // JSON Schema counts characters as XSD does, so the OpenAPI document states the limits these refinements check.
  if (maxLength !== undefined || length !== undefined) {
    schema = schema.apply(withMeta, {
      maxLength: length ?? maxLength,
      ...(length !== undefined ? { minLength: length } : {}),
    });
  }
  if (element.pattern !== undefined) {
    const pattern = new RegExp(`^(?:${element.pattern})$`);
    schema = schema.check(z.regex(pattern, { error: `must match the pattern ${element.pattern}` }));
  }
  if (element.enumeration) {
    const allowed = element.enumeration;
    return schema
      .check(
        z.refine((value) => allowed.includes(value), {
          error: `must be one of ${allowed.map((v) => `"${v}"`).join(', ')}`,
        }),
      )
      .apply(withMeta, { enum: [...allowed] });
  }
  return schema;
}

function numberSchema(type: SimpleTypeName): z.ZodMiniType<number> {
  switch (type) {
    case 'unsignedByte':
      return z.number({ error: 'expected an integer from 0 to 255' }).check(z.int(), z.gte(0), z.lte(255));
    case 'integer':
    case 'long':
      return z.number({ error: 'expected an integer' }).check(z.int({ error: 'expected an integer' }));
    default:
      return z.number({ error: 'expected a number' });
  }
}

function simpleSchema(element: ElementModel, profile: ValidationProfile, required: boolean): z.ZodMiniType {
  const type = element.type as SimpleTypeName;
  let value: z.ZodMiniType;
  let expected: string;
  switch (type) {
    case 'boolean':
      value = z.boolean();
      expected = 'expected true or false';
      break;
    case 'dateTime':
      value = dateTimeSchema;
      expected = 'expected a date and time YYYY-MM-DDThh:mm:ss';
      break;
    case 'string':
    case 'anyURI':
      value = stringSchema(element);
      expected = 'expected a string';
      break;
    default:
      value = numberSchema(type);
      expected = type === 'decimal' || type === 'double' ? 'expected a number' : 'expected an integer';
  }
  const alternative = element.textAlternative;
  if (alternative && alternative.profile === profile) {
    const text = z
      .string()
      .check(z.maxLength(alternative.maxLength), z.regex(new RegExp(`^(?:${alternative.pattern})$`)));
    value = z.union([value, text], { error: `${expected}, or text matching ${alternative.pattern}` });
  }
  if (required) {
    // A required element must carry a value; the empty element that Concur tolerates elsewhere is not one, and
    // Concur refuses one of only spaces as missing.
    return type === 'string'
      ? value.check(z.refine((v) => typeof v !== 'string' || v.trim() !== '', { error: 'must not be blank' }))
      : value;
  }
  // The ids Concur finds bookings by: left empty they are absent (Concur's own examples send
  // <ConfirmationNumber />), but spaces alone would identify nothing.
  if (type === 'string' && IDENTIFYING_ELEMENTS.has(element.name))
    return value.check(
      z.refine((v) => typeof v !== 'string' || v === '' || v.trim() !== '', { error: 'must not be blank' }),
    );
  // An empty element (`""`) is accepted for every type: Concur's own examples send <ExternalId /> for an integer.
  if (type === 'string' || type === 'anyURI') return value;
  return z.union([value, EMPTY_ELEMENT], { error: expected });
}

const IDENTIFYING_ELEMENTS: ReadonlySet<string> = new Set(['ConfirmationNumber', 'RecordLocator']);

/** A value that must be present and not null, reported as "is required" rather than as a type mismatch. */
const requiredValue = (schema: z.ZodMiniType): z.ZodMiniType =>
  z.pipe(
    z.unknown().check(z.refine((v) => v !== undefined && v !== null, { error: 'is required', abort: true })),
    schema,
  );

type AnyContent = { name: string; value: string | null | AnyContent[] };
const anyContentSchema: z.ZodMiniType<AnyContent[]> = z
  .lazy(() =>
    z.array(
      z.strictObject({
        name: z.string().check(z.regex(XML_NAME, { error: 'must be an XML element name' })),
        value: z.union([xmlText, z.null(), anyContentSchema]),
      }),
    ),
  )
  .apply(withMeta, {
    id: 'AnyContent',
    description:
      'XML content the XSD leaves open (xs:any): elements as { name, value }, value being text, null or child elements.',
  });

/** Types that appear as items of multi-kind lists (segments, charges, tickets, rail payments, programs). */
const VARIANT_TYPES: ReadonlySet<string> = new Set(
  Object.values(complexTypes)
    .filter((type) => type.list && type.elements.length > 1)
    .flatMap((type) => type.elements.map((e) => e.type)),
);

class SchemaFactory {
  private readonly objects = new Map<string, z.ZodMiniType>();
  private readonly shapes = new Map<string, Record<string, z.ZodMiniType>>();
  private readonly variants = new Map<string, z.ZodMiniObject>();
  private readonly segmentTypeNames: ReadonlySet<string> = new Set(segmentTypes);

  constructor(private readonly profile: ValidationProfile) {}

  valueSchema(element: ElementModel, required: boolean): z.ZodMiniType {
    if (isSimpleType(element.type)) return simpleSchema(element, this.profile, required);
    if (element.type === 'any') return anyContentSchema;
    const type = complexType(element.type);
    if (!type.model.list) return this.objectSchema(element.type);
    const itemElements = type.model.elements;
    if (itemElements.length === 1) {
      return z.array(z.nullable(this.valueSchema(itemElements[0]!, false)), { error: 'expected an array' });
    }
    const variants = itemElements.map((item) => this.variantSchema(item));
    const kinds = itemElements.map((item) => `"${jsonKey(item.name)}"`).join(', ');
    const union = z.discriminatedUnion(
      'kind',
      variants as unknown as [z.ZodMiniObject, ...z.ZodMiniObject[]],
      {
        error: (issue) =>
          issue.code === 'invalid_union'
            ? `"kind" must be one of ${kinds}`
            : 'expected an object with a "kind"',
      },
    );
    return z.array(z.nullable(union), { error: 'expected an array' });
  }

  /** An item of a multi-kind list: the type's fields plus its `kind`, built once per type. */
  private variantSchema(item: ElementModel): z.ZodMiniObject {
    let variant = this.variants.get(item.type);
    if (!variant) {
      variant = z
        .strictObject({ kind: z.literal(jsonKey(item.name)), ...this.shape(item.type) })
        .apply(withMeta, { id: this.schemaId(item.type, '') });
      this.variants.set(item.type, variant);
    }
    return variant;
  }

  private schemaId(typeName: string, suffix: string): string {
    return `${typeName.replace(/Type$/, '')}${suffix}${this.profile === 'tmc' ? '' : 'TripLink'}`;
  }

  private shape(typeName: string): Record<string, z.ZodMiniType> {
    let shape = this.shapes.get(typeName);
    if (!shape) {
      const required = new Set(requiredElements(typeName, this.profile, this.segmentTypeNames.has(typeName)));
      shape = {};
      for (const element of complexType(typeName).model.elements) {
        const isRequired = required.has(element.name);
        let schema = this.valueSchema(element, isRequired);
        if (element.repeated) schema = z.array(z.nullable(schema));
        shape[jsonKey(element.name)] = isRequired ? requiredValue(schema) : z.nullish(schema);
      }
      this.shapes.set(typeName, shape);
    }
    return shape;
  }

  objectSchema(typeName: string): z.ZodMiniType {
    let schema = this.objects.get(typeName);
    if (!schema) {
      let object: z.ZodMiniType = z.strictObject(this.shape(typeName), { error: 'expected an object' });
      if (typeName === 'ItineraryType')
        object = object.check(z.superRefine(checkTripStatus), z.superRefine(checkDistinctBookings));
      // Named, so the OpenAPI document shows each Concur type once, as a component.
      // A type that is also a tagged list item (Fixed) keeps the plain name for the item: `Record` marks this one.
      const suffix = VARIANT_TYPES.has(typeName) ? 'Record' : '';
      object = object.apply(withMeta, { id: this.schemaId(typeName, suffix) });
      schema = object;
      this.objects.set(typeName, schema);
    }
    return schema;
  }
}

/** Concur keeps one booking per booking source and record locator in a trip, and refuses a trip naming one twice. */
function checkDistinctBookings(itinerary: unknown, ctx: z.core.$RefinementCtx): void {
  const first = new Map<string, number>();
  ((itinerary as Itinerary).bookings ?? []).forEach((booking, index) => {
    if (!booking || typeof booking.recordLocator !== 'string') return;
    const key = JSON.stringify([booking.bookingSource ?? '', booking.recordLocator.trim()]);
    const earlier = first.get(key);
    if (earlier === undefined) first.set(key, index);
    else
      ctx.addIssue({
        code: 'custom',
        path: ['bookings', index, 'recordLocator'],
        message: `the trip already has this booking (bookings[${earlier}])`,
      });
  });
}

/** The trip statuses of seed 003, and agency proposals (6, 7) per seed 003 and Concur's TMC guide. */
function checkTripStatus(itinerary: unknown, ctx: z.core.$RefinementCtx): void {
  const trip = itinerary as Itinerary;
  const issue = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: 'custom', path, message });
  if (typeof trip.tripStatus !== 'number') return;
  if (!TRIP_STATUSES.includes(trip.tripStatus)) {
    issue(['tripStatus'], `must be one of ${TRIP_STATUSES.join(', ')}`);
    return;
  }
  if (!PROPOSAL_TRIP_STATUSES.includes(trip.tripStatus)) return;
  if (!trip.clientLocator) issue(['clientLocator'], 'is required for an agency proposal (TripStatus 6 or 7)');
  if (!trip.travelRequestId)
    issue(['travelRequestId'], 'is required for an agency proposal (TripStatus 6 or 7)');
  const attributes = trip.customAttributes ?? [];
  if (attributes.length === 0) {
    issue(['customAttributes'], 'is required for an agency proposal (TripStatus 6 or 7)');
    return;
  }
  const byName = new Map(attributes.map((a, i) => [a?.name ?? '', { attribute: a!, index: i }]));
  const numeric = (name: string): number | undefined => {
    const entry = byName.get(name);
    if (!entry) {
      issue(['customAttributes'], `needs the ${name} attribute for an agency proposal`);
      return undefined;
    }
    const value = Number(entry.attribute.data);
    if (!Number.isInteger(value) || value < 1 || value > 3) {
      issue(['customAttributes', entry.index, 'data'], `${name} must be 1, 2 or 3`);
      return undefined;
    }
    return value;
  };
  const batchSize = numeric('ProposalBatchSize');
  const sequenceIndex = numeric('ProposalSequenceIndex');
  if (batchSize !== undefined && sequenceIndex !== undefined && sequenceIndex > batchSize) {
    const index = byName.get('ProposalSequenceIndex')!.index;
    issue(['customAttributes', index, 'data'], 'ProposalSequenceIndex must not exceed ProposalBatchSize');
  }
  for (const name of ['AutoSelectProposal', 'TicketIssued']) {
    const entry = byName.get(name);
    if (entry && !/^(true|false)$/i.test(String(entry.attribute.data ?? ''))) {
      issue(['customAttributes', entry.index, 'data'], `${name} must be True or False`);
    }
  }
  attributes.forEach((attribute, index) => {
    if (!attribute) return;
    if (attribute.displayOnItinerary !== undefined && attribute.displayOnItinerary !== true) {
      issue(['customAttributes', index, 'displayOnItinerary'], 'must be true for an agency proposal');
    }
    for (const key of ['displayTitle', 'externalId'] as const) {
      const value = attribute[key];
      if (value !== undefined && value !== null && value !== '') {
        issue(['customAttributes', index, key], 'must be empty for an agency proposal');
      }
    }
  });
}

const factories = new Map<ValidationProfile, SchemaFactory>();
const factoryFor = (profile: ValidationProfile): SchemaFactory => {
  let factory = factories.get(profile);
  if (!factory) factories.set(profile, (factory = new SchemaFactory(profile)));
  return factory;
};

/** The zod schema of a Booking in the JSON form (the value under `booking`). */
export const bookingSchema = (profile: ValidationProfile = 'tmc'): z.ZodMiniType<Booking> =>
  factoryFor(profile).objectSchema('BookingType') as z.ZodMiniType<Booking>;

/** The zod schema of an Itinerary (trip) in the JSON form (the value under `itinerary`). */
export const itinerarySchema = (profile: ValidationProfile = 'tmc'): z.ZodMiniType<Itinerary> =>
  factoryFor(profile).objectSchema('ItineraryType') as z.ZodMiniType<Itinerary>;

/** Turns zod issues into field problems whose paths start at `prefix` (e.g. `booking`). */
export function toFieldProblems(error: z.core.$ZodError, prefix: (string | number)[] = []): FieldProblem[] {
  return error.issues.flatMap((issue) => {
    const path = [...prefix, ...(issue.path as (string | number)[])];
    // One problem per unknown key, at the key's own path, so each can be found and fixed.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: formatPath([...path, key]), message: 'unknown key' }));
    }
    return [{ path: formatPath(path), message: issue.message }];
  });
}

export function validateBooking(
  value: unknown,
  profile: ValidationProfile = 'tmc',
): ValidationResult<Booking> {
  return validateWith(bookingSchema(profile), value, 'booking');
}

export function validateItinerary(
  value: unknown,
  profile: ValidationProfile = 'tmc',
): ValidationResult<Itinerary> {
  return validateWith(itinerarySchema(profile), value, 'itinerary');
}

function validateWith<T>(schema: z.ZodMiniType<T>, value: unknown, root: string): ValidationResult<T> {
  const result = schema.safeParse(value);
  if (result.success) return { success: true, value: result.data };
  return { success: false, problems: toFieldProblems(result.error, [root]) };
}
