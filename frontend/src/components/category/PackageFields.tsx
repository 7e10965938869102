// Brand and package fields of the category forms (Manual sync, template editor): the brand
// searched among the brands TikTok lets the seller use, weight and dimensions in the region's
// units.
import {Autocomplete, FormLayout, Select, TextField} from '@shopify/polaris';
import {useMemo, useState} from 'react';

import {useDebounced} from '../../hooks/useDebounced';
import {type CategoryValues, type DimensionUnit, type FieldErrors, UNIT_LABELS, type WeightUnit, errorAt} from './model';
import {useBrands, useRegion} from './queries';

interface PackageProps {
  connectionId: number;
  values: CategoryValues;
  onChange: (patch: Partial<CategoryValues>) => void;
  errors: FieldErrors;
  dimensionsRequired: boolean;
  weightHelp?: string;
}

export function PackageFields({connectionId, values, onChange, errors, dimensionsRequired, weightHelp}: PackageProps) {
  const region = useRegion(connectionId).data;
  const weightUnits = region?.weight_units ?? ['KILOGRAM'];
  const dimensionUnits = region?.dimension_units ?? ['CENTIMETER'];
  const dimsError = errorAt(errors, 'package_dimensions');
  return (
    <FormLayout>
      <FormLayout.Group>
        <TextField
          label="Package weight"
          type="number"
          min={0}
          step={0.01}
          value={values.weight}
          onChange={(weight) => onChange({weight})}
          autoComplete="off"
          helpText={weightHelp}
          error={errorAt(errors, 'package_weight')}
        />
        <Select
          label="Weight unit"
          options={weightUnits.map((u) => ({label: `${UNIT_LABELS[u] ?? u} (${u.toLowerCase()})`, value: u}))}
          value={values.weightUnit}
          onChange={(u) => onChange({weightUnit: u as WeightUnit})}
          error={errorAt(errors, 'package_weight_unit')}
        />
      </FormLayout.Group>
      <FormLayout.Group condensed>
        {(['length', 'width', 'height'] as const).map((k) => (
          <TextField
            key={k}
            label={k[0].toUpperCase() + k.slice(1)}
            type="number"
            min={0}
            step={0.1}
            value={values[k]}
            onChange={(v) => onChange({[k]: v})}
            autoComplete="off"
            requiredIndicator={dimensionsRequired}
            error={errorAt(errors, `package_dimensions.${k}`) ?? (k === 'length' ? dimsError : undefined)}
          />
        ))}
        <Select
          label="Dimension unit"
          options={dimensionUnits.map((u) => ({label: UNIT_LABELS[u] ?? u, value: u}))}
          value={values.dimensionUnit}
          onChange={(u) => onChange({dimensionUnit: u as DimensionUnit})}
        />
      </FormLayout.Group>
    </FormLayout>
  );
}

interface BrandProps {
  connectionId: number;
  categoryId: string | undefined;
  brandId: string | null;
  onChange: (brandId: string | null) => void;
  error?: string;
}

/** Brand search (TikTok's brand list for the seller); "No brand" clears it. */
export function BrandPicker({connectionId, categoryId, brandId, onChange, error}: BrandProps) {
  // null: the field shows the chosen brand; a string: what the merchant is typing.
  const [text, setText] = useState<string | null>(null);
  const [picked, setPicked] = useState<string | null>(null);
  const name = useDebounced((text ?? '').trim(), 300);
  const brands = useBrands(connectionId, categoryId, name);
  const list = brands.data?.brands ?? [];
  const known = list.find((b) => b.id === brandId)?.name;
  const shown = brandId ? picked ?? known ?? brandId : '';
  const options = useMemo(
    () => [
      {value: '', label: 'No brand'},
      ...list.map((b) => ({
        value: b.id,
        label: `${b.name ?? b.id}${b.authorized ? '' : ' (not authorized)'}`,
        disabled: !b.available,
      })),
    ],
    [list],
  );
  return (
    <Autocomplete
      options={options}
      selected={brandId ? [brandId] : []}
      loading={brands.isFetching && !list.length}
      onSelect={(ids) => {
        const id = ids[ids.length - 1] || null;
        setPicked(id ? list.find((b) => b.id === id)?.name ?? id : null);
        setText(null);
        onChange(id);
      }}
      textField={
        <Autocomplete.TextField
          label="Brand"
          value={text ?? shown}
          onChange={setText}
          placeholder="No brand"
          autoComplete="off"
          helpText="Only brands TikTok lets your shop use are listed. Leave empty for no brand."
          error={error}
        />
      }
    />
  );
}
