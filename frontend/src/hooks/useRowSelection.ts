// The selected rows of an IndexTable with bulk actions (Products, Activity, Orders, Templates,
// Link proposals): Polaris' useIndexResourceState keyed by each row's string id, the
// `selectedItemsCount` IndexTable takes, and a reset whenever the list's filter changes.
import {useIndexResourceState} from '@shopify/polaris';
import {useCallback, useEffect, useLayoutEffect, useMemo, useRef} from 'react';

type SelectionHandler = ReturnType<typeof useIndexResourceState>['handleSelectionChange'];

/** Selection of `rows` by `idOf(row)`; cleared when `resetOn` changes (the list's query). */
export function useRowSelection<T>(rows: readonly T[], idOf: (row: T) => string, resetOn?: unknown) {
  const resources = useMemo(() => rows.map((row) => ({id: idOf(row)})), [rows, idOf]);
  const selection = useIndexResourceState(resources);
  const {clearSelection} = selection;
  useEffect(() => clearSelection(), [resetOn, clearSelection]);
  // Polaris' handler changes with every selection; IndexTable hands it to every row through a
  // context, so each click re-rendered all rows. One stable handler calls the latest instead.
  const latest = useRef<SelectionHandler>(selection.handleSelectionChange);
  useLayoutEffect(() => {
    latest.current = selection.handleSelectionChange;
  });
  const handleSelectionChange = useCallback<SelectionHandler>((...args) => latest.current(...args), []);
  const selectedItemsCount: number | 'All' = selection.allResourcesSelected ? 'All' : selection.selectedResources.length;
  return {...selection, handleSelectionChange, selectedItemsCount};
}
