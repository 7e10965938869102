// IndexTable pagination for lists the server pages (Products, Templates, Orders, Link products'
// tabs): Previous / Next and a "51–100 of 240" label.
import type {IndexTableProps} from '@shopify/polaris';

type Pagination = NonNullable<IndexTableProps['pagination']>;

/** Pagination of the `pageSize` rows from row `offset` (0-based) of `total`; `onOffset` moves
 * to another page's first row; `emptyLabel` stands when there is no row. */
export function rangePagination(
  offset: number,
  pageSize: number,
  total: number,
  onOffset: (offset: number) => void,
  emptyLabel?: string,
): Pagination {
  return {
    hasPrevious: offset > 0,
    hasNext: offset + pageSize < total,
    onPrevious: () => onOffset(Math.max(0, offset - pageSize)),
    onNext: () => onOffset(offset + pageSize),
    label: total ? `${offset + 1}–${Math.min(offset + pageSize, total)} of ${total}` : emptyLabel,
  };
}

/** The same for a list paged by page number (`page` from 1; `onPage` gets the new one). */
export function pagePagination(
  page: number,
  pageSize: number,
  total: number,
  onPage: (page: number) => void,
  emptyLabel?: string,
): Pagination {
  return rangePagination((page - 1) * pageSize, pageSize, total, (offset) => onPage(offset / pageSize + 1), emptyLabel);
}
