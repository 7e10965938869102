// The attributes a TikTok category defines, as form fields: a Select where TikTok gives a
// closed list, an Autocomplete (several values where allowed) where it also takes custom text,
// a TextField where any value goes. Used by the Manual sync form and the template editor.
import {Autocomplete, BlockStack, FormLayout, InlineStack, Select, Tag, Text, TextField} from '@shopify/polaris';
import {useMemo, useState} from 'react';

import {type AttrValue, type AttributeDef, type FieldErrors, attributeError} from './model';

interface Props {
  defs: AttributeDef[];
  values: Record<string, AttrValue[]>;
  onChange: (attributeId: string, values: AttrValue[]) => void;
  errors: FieldErrors;
  /** Attribute ids that must be filled (required, or required by another chosen value). */
  required: Set<string>;
}

export function AttributeFields({defs, values, onChange, errors, required}: Props) {
  if (!defs.length) {
    return (
      <Text as="p" tone="subdued">
        None for this category.
      </Text>
    );
  }
  return (
    <FormLayout>
      {defs.map((def) => (
        <AttributeField
          key={def.id}
          def={def}
          value={values[def.id] ?? []}
          onChange={(v) => onChange(def.id, v)}
          error={attributeError(errors, def)}
          required={required.has(def.id)}
        />
      ))}
    </FormLayout>
  );
}

interface FieldProps {
  def: AttributeDef;
  value: AttrValue[];
  onChange: (values: AttrValue[]) => void;
  error?: string;
  required: boolean;
}

function AttributeField({def, value, onChange, error, required}: FieldProps) {
  const label = def.name ?? def.id;
  if (!def.values.length) {
    const numeric = def.value_format === 'POSITIVE_INT_OR_DECIMAL';
    return (
      <TextField
        label={label}
        value={value[0]?.name ?? ''}
        onChange={(text) => onChange(text ? [{id: null, name: text}] : [])}
        autoComplete="off"
        inputMode={numeric ? 'decimal' : undefined}
        helpText={numeric ? 'A number greater than 0.' : undefined}
        error={error}
        requiredIndicator={required}
      />
    );
  }
  if (!def.customizable && !def.multiple) {
    return (
      <Select
        label={label}
        placeholder="Choose a value"
        options={def.values.map((v) => ({label: v.name ?? v.id, value: v.id}))}
        value={value[0]?.id ?? ''}
        onChange={(id) => onChange([{id, name: def.values.find((v) => v.id === id)?.name ?? id}])}
        error={error}
        requiredIndicator={required}
      />
    );
  }
  return <ValueAutocomplete def={def} value={value} onChange={onChange} error={error} required={required} label={label} />;
}

/** Values from TikTok's list (several when the attribute allows it), or custom text when the
 * attribute takes it. */
function ValueAutocomplete({def, value, onChange, error, required, label}: FieldProps & {label: string}) {
  const single = !def.multiple;
  const shown = single ? value[0]?.name ?? '' : '';
  const [text, setText] = useState(shown);
  const filter = single && text === shown ? '' : text.trim().toLowerCase();
  const options = useMemo(
    () =>
      def.values
        .filter((v) => (v.name ?? v.id).toLowerCase().includes(filter))
        .slice(0, 50)
        .map((v) => ({value: v.id, label: v.name ?? v.id})),
    [def.values, filter],
  );
  const byId = new Map(def.values.map((v) => [v.id, v.name ?? v.id]));
  const exact = def.values.find((v) => (v.name ?? '').toLowerCase() === text.trim().toLowerCase());

  const select = (ids: string[]) => {
    if (single) {
      const id = ids[ids.length - 1];
      const name = byId.get(id) ?? id;
      onChange(id ? [{id, name}] : []);
      setText(name ?? '');
      return;
    }
    const custom = value.filter((v) => !v.id);
    onChange([...ids.map((id) => ({id, name: byId.get(id) ?? id})), ...custom]);
  };
  const typed = (next: string) => {
    setText(next);
    if (!single || !def.customizable) return;
    const match = def.values.find((v) => (v.name ?? '').toLowerCase() === next.trim().toLowerCase());
    onChange(next.trim() ? [match ? {id: match.id, name: match.name ?? match.id} : {id: null, name: next}] : []);
  };
  const addCustom =
    !single && def.customizable && text.trim() && !exact
      ? {
          content: `Add “${text.trim()}”`,
          onAction: () => {
            onChange([...value, {id: null, name: text.trim()}]);
            setText('');
          },
        }
      : undefined;

  return (
    <BlockStack gap="200">
      <Autocomplete
        allowMultiple={!single}
        options={options}
        selected={value.filter((v) => v.id).map((v) => v.id as string)}
        onSelect={select}
        actionBefore={addCustom}
        textField={
          <Autocomplete.TextField
            label={label}
            value={text}
            onChange={typed}
            autoComplete="off"
            placeholder={def.customizable ? 'Choose or type a value' : 'Choose a value'}
            helpText={!single ? 'You can choose several values.' : undefined}
            error={error}
            requiredIndicator={required}
          />
        }
      />
      {!single && value.length ? (
        <InlineStack gap="100" wrap>
          {value.map((v) => (
            <Tag key={`${v.id}:${v.name}`} onRemove={() => onChange(value.filter((x) => x !== v))}>
              {v.name}
            </Tag>
          ))}
        </InlineStack>
      ) : null}
    </BlockStack>
  );
}
