// A list filter that is a Polaris ChoiceList (Products, Activity, Orders, Templates): the
// IndexFilters entry and its applied-filter pill ("Status: Failed, Synced") from one spec, so
// the menu and the pill always agree on the choices' labels and on how a filter is removed.
import {ChoiceList} from '@shopify/polaris';
import type {AppliedFilterInterface, FilterInterface} from '@shopify/polaris';

export interface Choice {
  label: string;
  value: string;
}

export interface ChoiceFilterSpec {
  key: string;
  /** The menu's name (also the pill's unless `pill` is given). */
  label: string;
  choices: Choice[];
  selected: string[];
  /** Gets the new selection; `[]` when the pill is removed. */
  onChange: (selected: string[]) => void;
  allowMultiple?: boolean;
  pinned?: boolean;
  shortcut?: boolean;
  pill?: string;
  /** Shown, disabled, when there is nothing to choose. */
  emptyChoice?: string;
}

/** The IndexFilters `filters` entry of `spec`. */
export function choiceFilter(spec: ChoiceFilterSpec): FilterInterface {
  const choices = spec.choices.length || !spec.emptyChoice ? spec.choices : [{label: spec.emptyChoice, value: '', disabled: true}];
  return {
    key: spec.key,
    label: spec.label,
    pinned: spec.pinned,
    shortcut: spec.shortcut,
    filter: (
      <ChoiceList
        title={spec.label}
        titleHidden
        allowMultiple={spec.allowMultiple}
        choices={choices}
        selected={spec.selected}
        onChange={spec.onChange}
      />
    ),
  };
}

/** The applied-filter pill of `spec` (none when nothing is selected). */
export function choicePill(spec: ChoiceFilterSpec): AppliedFilterInterface[] {
  if (!spec.selected.length) return [];
  const names = spec.selected.map((v) => spec.choices.find((c) => c.value === v)?.label ?? v);
  return [{key: spec.key, label: `${spec.pill ?? spec.label}: ${names.join(', ')}`, onRemove: () => spec.onChange([])}];
}
