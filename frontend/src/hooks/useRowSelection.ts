// The selected rows of an IndexTable with bulk actions (Products, Activity, Orders, Templates,
// Link proposals): Polaris' useIndexResourceState keyed by each row's string id, the
// `selectedItemsCount` IndexTable takes, and a reset whenever the list's filter changes.
import {useIndexResourceState} from '@shopify/polaris';
import {useEffect} from 'react';

/** Selection of `rows` by `idOf(row)`; cleared when `resetOn` changes (the list's query). */
export function useRowSelection<T>(rows: readonly T[], idOf: (row: T) => string, resetOn?: unknown) {
  const selection = useIndexResourceState(rows.map((row) => ({id: idOf(row)})));
  const {clearSelection} = selection;
  useEffect(() => clearSelection(), [resetOn, clearSelection]);
  const selectedItemsCount: number | 'All' = selection.allResourcesSelected ? 'All' : selection.selectedResources.length;
  return {...selection, selectedItemsCount};
}
