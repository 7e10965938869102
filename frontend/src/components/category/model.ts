// The category part of a form (category, attributes, brand, package) shared by the Manual sync
// form and the Category template editor: its values, their API shape, and field errors.
import type {ApiError, FieldProblem} from '../../api/client';
import type {components} from '../../api/schema';

export type AttributeDef = components['schemas']['AttributeOut'];
export type AttributeIn = components['schemas']['AttributeIn'];
export type Candidate = components['schemas']['CandidateOut'];
export type WeightUnit = 'KILOGRAM' | 'GRAM' | 'POUND';
export type DimensionUnit = 'CENTIMETER' | 'INCH';

export interface ChosenCategory {
  id: string;
  name: string;
  path: string[];
}

/** One chosen value: TikTok's own (id + name) or a custom text (name only). */
export interface AttrValue {
  id: string | null;
  name: string;
}

export type SizeChartIn = components['schemas']['SizeChartIn'];
export type CertificationIn = components['schemas']['CertificationIn'];
export type PartyIn = components['schemas']['PartyIn'];

/** What the category's rules can ask for beyond attributes (size chart, certificates, EU
 * manufacturer and responsible person), as the template and manual-sync forms hold it. */
export interface ComplianceValues {
  sizeChart: SizeChartIn | null;
  /** certification id → its uploaded images and files */
  certifications: Record<string, CertificationIn>;
  manufacturer: PartyIn | null;
  responsiblePerson: PartyIn | null;
}

export const EMPTY_COMPLIANCE: ComplianceValues = {sizeChart: null, certifications: {}, manufacturer: null, responsiblePerson: null};

export interface CategoryValues {
  category: ChosenCategory | null;
  /** attribute id → chosen values */
  attributes: Record<string, AttrValue[]>;
  brandId: string | null;
  weight: string;
  weightUnit: WeightUnit;
  length: string;
  width: string;
  height: string;
  dimensionUnit: DimensionUnit;
  compliance: ComplianceValues;
}

export const EMPTY_CATEGORY_VALUES: CategoryValues = {
  category: null,
  attributes: {},
  brandId: null,
  weight: '',
  weightUnit: 'KILOGRAM',
  length: '',
  width: '',
  height: '',
  dimensionUnit: 'CENTIMETER',
  compliance: EMPTY_COMPLIANCE,
};

/** Saved compliance fields (template or override JSON) → form values. */
export function complianceFrom(saved: {
  size_chart?: SizeChartIn | null;
  certifications?: CertificationIn[] | null;
  manufacturers?: PartyIn[] | null;
  responsible_persons?: PartyIn[] | null;
} | null | undefined): ComplianceValues {
  const certs: Record<string, CertificationIn> = {};
  for (const c of saved?.certifications ?? []) certs[c.id] = c;
  return {
    sizeChart: saved?.size_chart ?? null,
    certifications: certs,
    manufacturer: saved?.manufacturers?.[0] ?? null,
    responsiblePerson: saved?.responsible_persons?.[0] ?? null,
  };
}

/** The certifications that carry at least one image or file. */
export function certificationsIn(c: ComplianceValues): CertificationIn[] {
  return Object.values(c.certifications).filter((x) => (x.images ?? []).length + (x.files ?? []).length > 0);
}

/** Compliance values in the API's shape (TemplateIn / OverrideIn keys). */
export function complianceIn(c: ComplianceValues) {
  return {
    size_chart: c.sizeChart,
    certifications: certificationsIn(c),
    manufacturers: c.manufacturer ? [c.manufacturer] : [],
    responsible_persons: c.responsiblePerson ? [c.responsiblePerson] : [],
  };
}

/** field path (as the API names it) → message shown next to that field. */
export type FieldErrors = Record<string, string>;

/** Attribute values in the API's shape (attributes without a value are left out). */
export function attributesIn(values: CategoryValues, defs: AttributeDef[] | undefined): AttributeIn[] {
  const names = new Map((defs ?? []).map((d) => [d.id, d.name]));
  return Object.entries(values.attributes)
    .map(([id, vals]) => ({
      id,
      name: names.get(id) ?? null,
      values: vals.filter((v) => v.id || v.name.trim()).map((v) => (v.id ? {id: v.id, name: v.name} : {name: v.name.trim()})),
    }))
    .filter((a) => a.values.length > 0);
}

/** Saved attributes (template or override JSON) → form values. */
export function attributesFrom(saved: {id: string; values: {id?: string | null; name?: string | null}[]}[] | undefined | null) {
  const out: Record<string, AttrValue[]> = {};
  for (const a of saved ?? []) out[a.id] = a.values.map((v) => ({id: v.id ?? null, name: v.name ?? v.id ?? ''}));
  return out;
}

/** The package dimensions, when all three are filled (the API needs all or none). */
export function dimensionsIn(values: CategoryValues) {
  if (!values.length.trim() && !values.width.trim() && !values.height.trim()) return null;
  return {length: values.length.trim(), width: values.width.trim(), height: values.height.trim(), unit: values.dimensionUnit};
}

/** Field problems keyed by the field a form shows them at. `strip` removes leading path parts
 * that only say where in the request body the field was (`override.`, `per_product.12.`). */
export function fieldErrors(problems: FieldProblem[] | undefined, strip: RegExp = /^$/): FieldErrors {
  const out: FieldErrors = {};
  for (const p of problems ?? []) {
    const key = p.field.replace(strip, '');
    const text = [p.message, p.fix].filter(Boolean).join(' ');
    out[key] = out[key] ? `${out[key]} ${text}` : text;
  }
  return out;
}

export function errorsOf(error: unknown, strip?: RegExp): FieldErrors {
  return fieldErrors((error as ApiError | null)?.fields, strip);
}

/** The message for a field, also collecting its sub-fields (`package_dimensions.length`). */
export function errorAt(errors: FieldErrors, field: string): string | undefined {
  const hits = Object.entries(errors).filter(([k]) => k === field || k.startsWith(`${field}.`)).map(([, v]) => v);
  return hits.length ? hits.join(' ') : undefined;
}

/** The error of one attribute (preflight names attributes by label, 422s by list index). */
export function attributeError(errors: FieldErrors, def: AttributeDef): string | undefined {
  return errorAt(errors, `product_attributes.${def.name ?? def.id}`);
}

/** A region's unit labels. */
export const UNIT_LABELS: Record<string, string> = {
  KILOGRAM: 'kg', GRAM: 'g', POUND: 'lb', CENTIMETER: 'cm', INCH: 'in',
};
