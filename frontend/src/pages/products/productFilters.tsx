// The Products list's filter menus (IndexFilters `filters` + applied-filter pills), fed by
// `GET …/products/filters` (vendors, types, collections, templates, counts per status).
import type {AppliedFilterInterface, FilterInterface} from '@shopify/polaris';

import type {components} from '../../api/schema';
import {type Choice, type ChoiceFilterSpec, choiceFilter, choicePill} from '../../components/choiceFilter';
import {type ListState, STATUS_LABELS, type StatusFilter, type TextKey} from './productListState';

type FiltersOut = components['schemas']['FiltersOut'];

interface Menu {
  key: TextKey | 'status' | 'excluded';
  label: string;
  choices: Choice[];
}

function menus(data: FiltersOut | undefined): Menu[] {
  const strings = (values: string[] | undefined) => (values ?? []).map((v) => ({label: v, value: v}));
  const statuses = (Object.keys(STATUS_LABELS) as StatusFilter[]).map((s) => ({
    label: data ? `${STATUS_LABELS[s]} (${data.statuses[s] ?? 0})` : STATUS_LABELS[s],
    value: s,
  }));
  return [
    {key: 'status', label: 'Status', choices: statuses},
    {
      key: 'template',
      label: 'Template',
      choices: [...(data?.templates ?? []), {label: 'No template', value: 'none'}],
    },
    {key: 'vendor', label: 'Vendor', choices: strings(data?.vendors)},
    {key: 'product_type', label: 'Product type', choices: strings(data?.product_types)},
    {key: 'collection', label: 'Collection', choices: data?.collections ?? []},
    {
      key: 'excluded',
      label: 'Automatic sync',
      choices: [
        {label: 'Excluded', value: 'true'},
        {label: 'Included', value: 'false'},
      ],
    },
  ];
}

function current(state: ListState, key: Menu['key']): string | undefined {
  const value = state.params[key];
  return value === undefined || value === null ? undefined : String(value);
}

/** The filters and the pills of the ones applied. */
export function productFilters(
  data: FiltersOut | undefined,
  state: ListState,
): {filters: FilterInterface[]; applied: AppliedFilterInterface[]} {
  const specs = menus(data).map<ChoiceFilterSpec>((menu) => {
    const value = current(state, menu.key);
    const pinned = menu.key === 'status' || menu.key === 'template';
    return {
      ...menu,
      selected: value === undefined ? [] : [value],
      onChange: (selected) => state.set({[menu.key]: selected[0]}),
      pinned,
      shortcut: pinned,
      emptyChoice: 'None in this shop',
    };
  });
  return {filters: specs.map(choiceFilter), applied: specs.flatMap(choicePill)};
}
