/**
 * The shape of the Concur model that `scripts/generate-model.ts` derives from Concur's published XSDs.
 * Everything that knows about Concur's elements (the JSON form, validation, the XML builder and parser)
 * reads the generated model instead of restating the schema.
 */

/** XSD built-in types the Itinerary schemas use, by local name. */
export type SimpleTypeName =
  'string' | 'integer' | 'long' | 'decimal' | 'double' | 'boolean' | 'dateTime' | 'unsignedByte' | 'anyURI';

export interface ElementModel {
  /** XML element name, e.g. `RecordLocator`. */
  readonly name: string;
  /** A simple type, the name of a complex type in the model, or `any` for `xs:any` content. */
  readonly type: SimpleTypeName | 'any' | (string & {});
  readonly maxLength?: number;
  readonly length?: number;
  /** XSD pattern, with the `^`/`$` that some declarations carry already stripped: patterns match whole values. */
  readonly pattern?: string;
  readonly enumeration?: readonly string[];
  /** The XSD's minOccurs=1. Informational: the required elements of a request come from the seeds (see validation). */
  readonly xsdRequired?: boolean;
  /** May repeat without a wrapper (maxOccurs unbounded on a type that is not a list wrapper). JSON: an array. */
  readonly repeated?: boolean;
  /** Where the element comes from: the XSD, or the seed documents (elements Concur sends that its XSD lacks). */
  readonly source?: 'seed';
  /**
   * Text that the seeds send where the XSD wants a number (e.g. TripStatus `HK`, TimeZoneId `Pacific`).
   * Such text is kept as a JSON string; validation accepts it only in the profile named here.
   */
  readonly textAlternative?: {
    readonly pattern: string;
    readonly maxLength: number;
    readonly profile: 'triplink';
  };
}

export interface ComplexTypeModel {
  /**
   * A list wrapper holds only repeatable children. With one child kind it becomes a JSON array of that
   * child; with several it becomes an array of objects tagged with `kind`.
   */
  readonly list: boolean;
  readonly elements: readonly ElementModel[];
  /**
   * Names Concur's documents use for an element of this type that the model knows under another name.
   * `wrapper`: the same list under another name; `item`: a list item that appears without its wrapper.
   */
  readonly aliases?: Readonly<Record<string, { readonly element: string; readonly as: 'wrapper' | 'item' }>>;
}

export interface RootModel {
  /** Root element name. */
  readonly name: string;
  readonly type: string;
  /** Default namespace the builder writes on this root, when Concur's examples carry one. */
  readonly namespace?: string;
}
