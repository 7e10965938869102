// The template editor's form values and their API shape (TemplateIn), shared by the editor
// and its live side panel.
import type {components} from '../../api/schema';
import {
  type CategoryValues,
  EMPTY_CATEGORY_VALUES,
  attributesFrom,
  attributesIn,
  complianceFrom,
  complianceIn,
  dimensionsIn,
} from '../../components/category/model';
import {type RuleRow, newRule} from './RuleBuilder';

type Template = components['schemas']['TemplateOut'];
type TemplateIn = components['schemas']['TemplateIn'];

export interface TemplateForm {
  name: string;
  isDefault: boolean;
  priority: string;
  matchMode: 'all' | 'any';
  rules: RuleRow[];
  cat: CategoryValues;
}

export function formOf(t: Template | undefined): TemplateForm {
  if (!t) return {name: '', isDefault: false, priority: '0', matchMode: 'all', rules: [newRule()], cat: EMPTY_CATEGORY_VALUES};
  const dims = t.package_dimensions;
  return {
    name: t.name,
    isDefault: t.is_default,
    priority: String(t.priority),
    matchMode: t.match_mode,
    rules: (t.selection_rules ?? []).map((r) => newRule(r.field, r.op ?? 'equals', r.value)),
    cat: {
      category: t.category_id ? {id: t.category_id, name: t.category_name ?? t.category_id, path: t.category_name ? [t.category_name] : []} : null,
      attributes: attributesFrom(t.attributes),
      brandId: t.brand_id ?? null,
      weight: t.package_weight == null ? '' : String(Number(t.package_weight)),
      weightUnit: t.package_weight_unit,
      length: dims ? String(Number(dims.length)) : '',
      width: dims ? String(Number(dims.width)) : '',
      height: dims ? String(Number(dims.height)) : '',
      dimensionUnit: dims?.unit ?? 'CENTIMETER',
      compliance: complianceFrom(t),
    },
  };
}

/** The request body (`names` gives attribute labels when the category's attributes are known). */
export function bodyOf(form: TemplateForm, names?: components['schemas']['AttributeOut'][]): TemplateIn {
  const c = form.cat;
  return {
    name: form.name,
    category_id: c.category?.id ?? '',
    category_name: c.category?.name ?? null,
    attributes: attributesIn(c, names),
    brand_id: c.brandId,
    package_weight: c.weight.trim() || null,
    package_weight_unit: c.weightUnit,
    package_dimensions: dimensionsIn(c) as TemplateIn['package_dimensions'],
    selection_rules: form.rules.map((r) => ({field: r.field, op: r.op, value: r.value})),
    match_mode: form.matchMode,
    priority: form.priority.trim() === '' ? 0 : Number(form.priority),
    is_default: form.isDefault,
    ...complianceIn(c.compliance),
  };
}

