// A product's problems as the API reports them (`FieldErrorOut`: field, message, fix), in words a
// merchant reads: the Product detail page (pre-flight problems, TikTok's review reasons, sync
// history) and the Manual sync form's pre-flight card.
import {List, Text} from '@shopify/polaris';

import type {components} from '../api/schema';

type Problem = components['schemas']['FieldErrorOut'];

/** API field names that read better renamed. */
const FIELD_LABELS: Record<string, string> = {
  category_id: 'Category', brand_id: 'Brand', package_weight: 'Package weight',
  package_weight_unit: 'Weight unit', package_dimensions: 'Package dimensions', title: 'Title',
  description: 'Description', main_images: 'Images', size_chart: 'Size chart',
};

/** A field name as a merchant reads it ("skus[0].price" → "Variant 1 price",
 * "product_attributes.Material" → "Material", "category_id" → "Category"). */
export function fieldLabel(field: string): string {
  if (field in FIELD_LABELS) return FIELD_LABELS[field];
  const sku = /^skus\[(\d+)\]\.?(.*)$/.exec(field);
  if (sku) return `Variant ${Number(sku[1]) + 1}${sku[2] ? ` ${sku[2].replace(/[._]/g, ' ')}` : ''}`;
  const image = /^main_images\[(\d+)\]$/.exec(field);
  if (image) return `Image ${Number(image[1]) + 1}`;
  if (field.startsWith('product_attributes.')) return field.slice('product_attributes.'.length);
  if (field.startsWith('certifications.')) return `Certification: ${field.slice('certifications.'.length)}`;
  const base = field.split(/[.[]/)[0];
  if (base in FIELD_LABELS) return FIELD_LABELS[base];
  const words = field.replace(/\[\d+\]/g, '').replace(/[._]/g, ' ').trim();
  return words ? words[0].toUpperCase() + words.slice(1) : 'Product';
}

/** A bullet list of problems: "Field: message How to fix: …". */
export function ProblemList({problems}: {problems: Problem[]}) {
  return (
    <List type="bullet">
      {problems.map((p, i) => (
        <List.Item key={`${p.field}-${i}`}>
          <Text as="span" fontWeight="semibold">
            {fieldLabel(p.field)}:
          </Text>{' '}
          {p.message}
          {p.fix ? (
            <Text as="span" tone="subdued">
              {' '}
              How to fix: {p.fix}
            </Text>
          ) : null}
        </List.Item>
      ))}
    </List>
  );
}
