// TikTok category picker: search the region's tree (recommended categories first when the
// search is empty), or browse it level by level. Used by the Manual sync form and the template
// editor. Only leaf categories can be chosen (TikTok lists products in leaves only).
import {
  BlockStack,
  Button,
  Collapsible,
  Combobox,
  Icon,
  InlineStack,
  Listbox,
  Spinner,
  Text,
} from '@shopify/polaris';
import {ChevronRightIcon, SearchIcon} from '@shopify/polaris-icons';
import {Fragment, useCallback, useId, useMemo, useState} from 'react';

import {useDebounced} from '../../hooks/useDebounced';
import type {Candidate, ChosenCategory} from './model';
import {useCategoryLevel, useCategorySearch} from './queries';

interface Props {
  connectionId: number;
  value: ChosenCategory | null;
  onChange: (category: ChosenCategory) => void;
  recommended?: Candidate[];
  error?: string;
}

interface Crumb {
  id: string;
  name: string;
}

export function CategoryPicker({connectionId, value, onChange, recommended = [], error}: Props) {
  const [query, setQuery] = useState('');
  const keyword = useDebounced(query.trim(), 250);
  const search = useCategorySearch(connectionId, keyword);
  const results = keyword ? search.data?.categories ?? [] : [];
  const [browsing, setBrowsing] = useState(false);
  const browseId = useId();
  // A saved category comes with its name only: find its full path in the tree.
  const lookup = useCategorySearch(connectionId, value && value.path.length <= 1 ? value.name : '');
  const found = lookup.data?.categories.find((c) => c.id === value?.id);
  const path = found?.path ?? value?.path ?? [];

  const choices = useMemo(() => {
    const byId = new Map<string, ChosenCategory>();
    for (const r of recommended) byId.set(r.category_id, {id: r.category_id, name: r.name, path: r.path});
    for (const c of results) byId.set(c.id, {id: c.id, name: c.name, path: c.path});
    return byId;
  }, [recommended, results]);

  const pick = useCallback(
    (id: string) => {
      const chosen = choices.get(id);
      if (chosen) {
        onChange(chosen);
        setQuery('');
      }
    },
    [choices, onChange],
  );

  const showRecommended = !keyword && recommended.length > 0;
  const listbox =
    showRecommended || results.length > 0 ? (
      <Listbox onSelect={pick} accessibilityLabel="TikTok categories">
        {showRecommended ? (
          <Listbox.Section divider={false} title={<Listbox.Header>Recommended for this product</Listbox.Header>}>
            {recommended.map((r) => (
              <Listbox.Option key={r.category_id} value={r.category_id} selected={value?.id === r.category_id}>
                <Listbox.TextOption selected={value?.id === r.category_id}>{r.path.join(' › ')}</Listbox.TextOption>
              </Listbox.Option>
            ))}
          </Listbox.Section>
        ) : (
          results.map((c) => (
            <Listbox.Option key={c.id} value={c.id} selected={value?.id === c.id}>
              <Listbox.TextOption selected={value?.id === c.id}>{c.path.join(' › ')}</Listbox.TextOption>
            </Listbox.Option>
          ))
        )}
      </Listbox>
    ) : null;

  const noMatch = keyword && !search.isFetching && search.data && results.length === 0;
  return (
    <BlockStack gap="300">
      <Combobox
        activator={
          <Combobox.TextField
            label="TikTok category"
            value={query}
            onChange={setQuery}
            prefix={<Icon source={SearchIcon} />}
            placeholder={recommended.length ? 'Search, or pick a recommended category' : 'Search categories, e.g. backpacks'}
            autoComplete="off"
            error={error}
            helpText={noMatch ? `No leaf category matches “${keyword}”. Try another word, or browse.` : undefined}
            requiredIndicator
          />
        }
      >
        {listbox}
      </Combobox>
      <Text as="p" variant="bodyMd" tone={value ? undefined : 'subdued'}>
        {value ? (
          <>
            Selected: <Text as="span" fontWeight="semibold">{(path.length ? path : [value.name]).join(' › ')}</Text>
          </>
        ) : (
          'No category chosen yet.'
        )}
      </Text>
      <InlineStack>
        <Button variant="plain" disclosure={browsing ? 'up' : 'down'} onClick={() => setBrowsing((b) => !b)} ariaControls={browseId} ariaExpanded={browsing}>
          Browse all categories
        </Button>
      </InlineStack>
      <Collapsible id={browseId} open={browsing}>
        {browsing ? <CategoryBrowser connectionId={connectionId} value={value} onChange={onChange} /> : null}
      </Collapsible>
    </BlockStack>
  );
}

/** The tree, one level at a time: a trail of parents and the children of the last one. */
function CategoryBrowser({connectionId, value, onChange}: Omit<Props, 'recommended' | 'error'>) {
  const [trail, setTrail] = useState<Crumb[]>([]);
  const parentId = trail.length ? trail[trail.length - 1].id : '0';
  const level = useCategoryLevel(connectionId, parentId);
  const children = level.data?.categories ?? [];
  const open = (id: string) => {
    const node = children.find((c) => c.id === id);
    if (!node) return;
    if (node.is_leaf) onChange({id: node.id, name: node.name, path: node.path});
    else setTrail([...trail, {id: node.id, name: node.name}]);
  };
  return (
    <BlockStack gap="200">
      <InlineStack gap="100" blockAlign="center" wrap>
        <Button variant="plain" onClick={() => setTrail([])} disabled={!trail.length}>
          All categories
        </Button>
        {trail.map((crumb, i) => (
          <Fragment key={crumb.id}>
            <Text as="span" tone="subdued">›</Text>
            <Button variant="plain" onClick={() => setTrail(trail.slice(0, i + 1))} disabled={i === trail.length - 1}>
              {crumb.name}
            </Button>
          </Fragment>
        ))}
      </InlineStack>
      {level.isLoading ? (
        <Spinner size="small" accessibilityLabel="Loading categories" />
      ) : (
        <Listbox onSelect={open} enableKeyboardControl accessibilityLabel={trail.length ? `Categories in ${trail[trail.length - 1].name}` : 'Top-level categories'}>
          {children.map((c) => (
            <Listbox.Option key={c.id} value={c.id} selected={value?.id === c.id}>
              <Listbox.TextOption selected={value?.id === c.id}>
                <InlineStack align="space-between" blockAlign="center" wrap={false}>
                  <span>{c.name}</span>
                  {c.is_leaf ? null : <Icon source={ChevronRightIcon} tone="subdued" accessibilityLabel="Has subcategories" />}
                </InlineStack>
              </Listbox.TextOption>
            </Listbox.Option>
          ))}
        </Listbox>
      )}
    </BlockStack>
  );
}
