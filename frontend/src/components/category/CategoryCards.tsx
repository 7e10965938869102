// The category part of a form as titled cards: category, required attributes, optional
// attributes, brand and package. The Manual sync form and the template editor render it and
// keep the values (`CategoryValues`); errors come from the API (422s, pre-flight, validation).
import {BlockStack, Card, Text} from '@shopify/polaris';
import type {ReactNode} from 'react';

import {ErrorBanner} from '../states';
import {AttributeFields} from './AttributeFields';
import {ComplianceCard, needsCompliance} from './ComplianceCard';
import {CategoryPicker} from './CategoryPicker';
import {type Candidate, type CategoryValues, type FieldErrors, EMPTY_CATEGORY_VALUES, errorAt} from './model';
import {BrandPicker, PackageFields} from './PackageFields';
import {useAttributes, useCategoryRules} from './queries';

interface Props {
  connectionId: number;
  values: CategoryValues;
  onChange: (patch: Partial<CategoryValues>) => void;
  errors: FieldErrors;
  recommended?: Candidate[];
  /** Shown under the category card's title (e.g. "Leave empty to keep each product's"). */
  categoryHelp?: ReactNode;
  weightHelp?: string;
  /** Shown in the Compliance card (e.g. "Leave empty to keep the template's"). */
  complianceHelp?: string;
}

function Section({title, children}: {title: string; children: ReactNode}) {
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {title}
        </Text>
        {children}
      </BlockStack>
    </Card>
  );
}

export function CategoryCards({connectionId, values, onChange, errors, recommended, categoryHelp, weightHelp, complianceHelp}: Props) {
  const categoryId = values.category?.id;
  const attributes = useAttributes(connectionId, categoryId);
  const rules = useCategoryRules(connectionId, categoryId);
  const defs = (attributes.data ?? []).filter((a) => a.type !== 'SALES_PROPERTY');
  const flagged = new Set(
    defs.filter((d) => d.required || errorAt(errors, `product_attributes.${d.name ?? d.id}`)).map((d) => d.id),
  );
  const required = defs.filter((d) => flagged.has(d.id));
  const optional = defs.filter((d) => !flagged.has(d.id));
  const setAttr = (id: string, vals: CategoryValues['attributes'][string]) =>
    onChange({attributes: {...values.attributes, [id]: vals}});
  return (
    <BlockStack gap="400">
      <Section title="TikTok category">
        {categoryHelp}
        <CategoryPicker
          connectionId={connectionId}
          value={values.category}
          recommended={recommended}
          error={errorAt(errors, 'category_id')}
          onChange={(category) =>
            onChange(
              category.id === categoryId
                ? {category}
                : {category, attributes: EMPTY_CATEGORY_VALUES.attributes, compliance: {...values.compliance, certifications: {}}},
            )
          }
        />
      </Section>
      {categoryId ? (
        <>
          {attributes.error ? <ErrorBanner error={attributes.error} onRetry={() => attributes.refetch()} /> : null}
          <Section title="Required attributes">
            {attributes.isLoading ? (
              <Text as="p" tone="subdued">
                Loading what this category needs…
              </Text>
            ) : (
              <AttributeFields defs={required} values={values.attributes} onChange={setAttr} errors={errors} required={flagged} />
            )}
          </Section>
          {optional.length ? (
            <Section title="Optional attributes">
              <AttributeFields defs={optional} values={values.attributes} onChange={setAttr} errors={errors} required={flagged} />
            </Section>
          ) : null}
          {needsCompliance(rules.data, values.compliance) ? (
            <ComplianceCard
              connectionId={connectionId}
              rules={rules.data}
              value={values.compliance}
              onChange={(compliance) => onChange({compliance})}
              errors={errors}
              help={complianceHelp}
            />
          ) : null}
        </>
      ) : null}
      <Section title="Brand and package">
        <BrandPicker
          connectionId={connectionId}
          categoryId={categoryId}
          brandId={values.brandId}
          onChange={(brandId) => onChange({brandId})}
          error={errorAt(errors, 'brand_id')}
        />
        <PackageFields
          connectionId={connectionId}
          values={values}
          onChange={onChange}
          errors={errors}
          dimensionsRequired={Boolean(rules.data?.package_dimension?.is_required)}
          weightHelp={weightHelp}
        />
      </Section>
    </BlockStack>
  );
}
