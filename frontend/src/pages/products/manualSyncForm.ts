// The Manual sync form's values ↔ the API: initial values from the product(s), the request body
// with one override per product (its saved override with the form's values on top).
import type {components} from '../../api/schema';
import {
  type AttributeDef,
  type CategoryValues,
  EMPTY_CATEGORY_VALUES,
  type WeightUnit,
  attributesFrom,
  attributesIn,
  certificationsIn,
  complianceFrom,
  dimensionsIn,
} from '../../components/category/model';

export type ProductDetail = components['schemas']['ProductDetail'];
export type OverrideIn = components['schemas']['OverrideIn'];
export type SyncIn = components['schemas']['SyncIn'];

/** At most this many products per form (the Products page selects a page at a time). */
export const MAX_PRODUCTS = 100;

/** `?ids=1,2,3` → unique positive ids, in order. */
export function parseIds(raw: string | null): number[] {
  const ids = (raw ?? '')
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isSafeInteger(n) && n > 0);
  return [...new Set(ids)].slice(0, MAX_PRODUCTS);
}

interface SavedDims {
  length?: unknown;
  width?: unknown;
  height?: unknown;
  unit?: unknown;
}

/** One product: what it will be pushed with today (template and saved override). Several
 * products: nothing, so each keeps its own unless the merchant sets a value for all. */
export function initialValues(products: ProductDetail[], defaultUnit: WeightUnit): CategoryValues {
  if (products.length !== 1) return {...EMPTY_CATEGORY_VALUES, weightUnit: defaultUnit};
  const [p] = products;
  const req = p.requirements;
  const saved = (p.override ?? {}) as {package_dimensions?: SavedDims; category_name?: string};
  const dims = saved.package_dimensions ?? {};
  const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));
  return {
    category: req ? {id: req.category_id, name: req.category_name ?? req.category_id, path: [req.category_name ?? req.category_id]} : null,
    attributes: attributesFrom(req?.attributes.filter((a) => a.current.length).map((a) => ({id: a.id, values: a.current}))),
    brandId: req?.brand_id ?? null,
    weight: req?.package_weight ? String(Number(req.package_weight)) : '',
    weightUnit: (req?.package_weight_unit as WeightUnit | undefined) ?? defaultUnit,
    length: str(dims.length),
    width: str(dims.width),
    height: str(dims.height),
    dimensionUnit: dims.unit === 'INCH' ? 'INCH' : 'CENTIMETER',
    compliance: complianceFrom(p.override as Parameters<typeof complianceFrom>[0]),
  };
}

/** What the form sets: only the fields the merchant filled (the rest stays as saved). */
export function formOverride(values: CategoryValues, defs: AttributeDef[] | undefined): OverrideIn {
  const out: OverrideIn = {};
  if (values.category) {
    out.category_id = values.category.id;
    out.category_name = values.category.name;
    out.attributes = attributesIn(values, defs);
  }
  if (values.brandId) out.brand_id = values.brandId;
  if (values.weight.trim()) {
    out.package_weight = values.weight.trim();
    out.package_weight_unit = values.weightUnit;
  }
  const dims = dimensionsIn(values);
  if (dims) out.package_dimensions = dims as OverrideIn['package_dimensions'];
  const c = values.compliance;
  if (c.sizeChart) out.size_chart = c.sizeChart;
  const certs = certificationsIn(c);
  if (certs.length) out.certifications = certs;
  if (c.manufacturer) out.manufacturers = [c.manufacturer];
  if (c.responsiblePerson) out.responsible_persons = [c.responsiblePerson];
  return out;
}

/** The sync (and pre-flight) request: each product's saved override with the form's on top;
 * a new category drops the saved attributes (they belong to the other category). */
export function syncBody(products: ProductDetail[], values: CategoryValues, defs: AttributeDef[] | undefined): SyncIn {
  const mine = formOverride(values, defs);
  const perProduct: Record<string, OverrideIn> = {};
  for (const p of products) {
    const saved = {...((p.override ?? {}) as OverrideIn)};
    if (mine.category_id && saved.category_id !== mine.category_id) {
      delete saved.attributes;
      delete saved.category_name;
      delete saved.certifications;
    }
    perProduct[String(p.id)] = {...saved, ...mine};
  }
  return {product_ids: products.map((p) => p.id), per_product: perProduct} as SyncIn;
}
