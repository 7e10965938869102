// Selection rules of a category template: rows of field / operator / value, matched all or any.
// The fields are the ones the backend's selection understands (product type, vendor, tag,
// title, collection); comparisons ignore case.
import {BlockStack, Button, ChoiceList, InlineGrid, Select, Text, TextField} from '@shopify/polaris';
import {DeleteIcon, PlusIcon} from '@shopify/polaris-icons';

import type {FieldErrors} from '../../components/category/model';
import {errorAt} from '../../components/category/model';

export type RuleField = 'product_type' | 'vendor' | 'tag' | 'title' | 'collection';
export type RuleOp = 'equals' | 'contains';

export interface RuleRow {
  key: number;
  field: RuleField;
  op: RuleOp;
  value: string;
}

const FIELDS: {label: string; value: RuleField}[] = [
  {label: 'Product type', value: 'product_type'},
  {label: 'Vendor', value: 'vendor'},
  {label: 'Tag', value: 'tag'},
  {label: 'Title', value: 'title'},
  {label: 'Collection', value: 'collection'},
];
const OPS: {label: string; value: RuleOp}[] = [
  {label: 'is', value: 'equals'},
  {label: 'contains', value: 'contains'},
];

let nextKey = 1;
export const newRule = (field: RuleField = 'product_type', op: RuleOp = 'equals', value = ''): RuleRow => ({
  key: nextKey++,
  field,
  op,
  value,
});

interface Props {
  rules: RuleRow[];
  matchMode: 'all' | 'any';
  onRules: (rules: RuleRow[]) => void;
  onMatchMode: (mode: 'all' | 'any') => void;
  errors: FieldErrors;
  isDefault: boolean;
}

export function RuleBuilder({rules, matchMode, onRules, onMatchMode, errors, isDefault}: Props) {
  const update = (key: number, patch: Partial<RuleRow>) => onRules(rules.map((r) => (r.key === key ? {...r, ...patch} : r)));
  return (
    <BlockStack gap="300">
      <ChoiceList
        title="Products must match"
        choices={[
          {label: 'all rules', value: 'all'},
          {label: 'any rule', value: 'any'},
        ]}
        selected={[matchMode]}
        onChange={([mode]) => onMatchMode(mode as 'all' | 'any')}
        error={errorAt(errors, 'match_mode')}
      />
      {rules.length === 0 ? (
        <Text as="p" tone="subdued">
          {isDefault
            ? 'No rules: as the default template it takes every product no other active template takes.'
            : 'No rules yet: this template takes no products until you add one (or make it the default).'}
        </Text>
      ) : null}
      {rules.map((rule, i) => (
        <InlineGrid key={rule.key} columns={{xs: 1, sm: '1fr 1fr 2fr auto'}} gap="200" alignItems="end">
          <Select
            label={`Rule ${i + 1} field`}
            options={FIELDS}
            value={rule.field}
            onChange={(field) => update(rule.key, {field: field as RuleField})}
            error={errorAt(errors, `selection_rules.${i}.field`)}
          />
          <Select
            label={`Rule ${i + 1} operator`}
            options={OPS}
            value={rule.op}
            onChange={(op) => update(rule.key, {op: op as RuleOp})}
            error={errorAt(errors, `selection_rules.${i}.op`)}
          />
          <TextField
            label={`Rule ${i + 1} value`}
            value={rule.value}
            onChange={(value) => update(rule.key, {value})}
            autoComplete="off"
            error={errorAt(errors, `selection_rules.${i}.value`)}
          />
          <Button
            icon={DeleteIcon}
            accessibilityLabel={`Remove rule ${i + 1}`}
            onClick={() => onRules(rules.filter((r) => r.key !== rule.key))}
          />
        </InlineGrid>
      ))}
      <div>
        <Button icon={PlusIcon} onClick={() => onRules([...rules, newRule()])}>
          Add rule
        </Button>
      </div>
    </BlockStack>
  );
}
