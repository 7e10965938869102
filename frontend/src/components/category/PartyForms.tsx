// Inline forms that create an EU manufacturer or responsible person on TikTok Shop (through the
// app's API, which calls TikTok's Create Manufacturer / Create Responsible Person). TikTok's
// refusals come back on the field they concern.
import {BlockStack, Box, Button, FormLayout, InlineStack, Select, Text, TextField} from '@shopify/polaris';
import {useState} from 'react';

import {ErrorBanner} from '../states';
import {type ManufacturerIn, type ResponsiblePersonIn, useCreateManufacturer, useCreateResponsiblePerson} from './complianceQueries';
import {type PartyIn, errorAt, errorsOf} from './model';

/** EU member states (a responsible person must be in one; Create Responsible Person doc). */
const EU_COUNTRIES: [string, string][] = [
  ['AT', 'Austria'], ['BE', 'Belgium'], ['BG', 'Bulgaria'], ['HR', 'Croatia'], ['CY', 'Cyprus'], ['CZ', 'Czechia'],
  ['DK', 'Denmark'], ['EE', 'Estonia'], ['FI', 'Finland'], ['FR', 'France'], ['DE', 'Germany'], ['GR', 'Greece'],
  ['HU', 'Hungary'], ['IE', 'Ireland'], ['IT', 'Italy'], ['LV', 'Latvia'], ['LT', 'Lithuania'], ['LU', 'Luxembourg'],
  ['MT', 'Malta'], ['NL', 'Netherlands'], ['PL', 'Poland'], ['PT', 'Portugal'], ['RO', 'Romania'], ['SK', 'Slovakia'],
  ['SI', 'Slovenia'], ['ES', 'Spain'], ['SE', 'Sweden'],
];

interface Props {
  connectionId: number;
  onCreated: (party: PartyIn) => void;
  onCancel: () => void;
}

function Frame({title, children}: {title: string; children: React.ReactNode}) {
  return (
    <Box padding="400" background="bg-surface-secondary" borderRadius="200">
      <BlockStack gap="300">
        <Text as="h4" variant="headingSm">
          {title}
        </Text>
        {children}
      </BlockStack>
    </Box>
  );
}

export function ManufacturerForm({connectionId, onCreated, onCancel}: Props) {
  const create = useCreateManufacturer(connectionId);
  const [v, setV] = useState<ManufacturerIn>({name: '', registered_trade_name: '', email: '', phone_country_code: '+49', phone_number: '', address: ''});
  const errors = errorsOf(create.error);
  const field = (key: keyof ManufacturerIn, label: string, extra: Record<string, unknown> = {}) => (
    <TextField
      label={label}
      value={String(v[key] ?? '')}
      onChange={(x) => setV({...v, [key]: x})}
      autoComplete="off"
      error={errorAt(errors, key)}
      {...extra}
    />
  );
  const submit = () =>
    create.mutate({...v, registered_trade_name: v.registered_trade_name || null}, {onSuccess: (out) => onCreated({id: out.id, name: out.name})});
  return (
    <Frame title="New manufacturer on TikTok Shop">
      {create.error && !Object.keys(errors).length ? <ErrorBanner error={create.error} title="The manufacturer was not created" /> : null}
      <FormLayout>
        <FormLayout.Group>
          {field('name', 'Manufacturer name', {requiredIndicator: true})}
          {field('registered_trade_name', 'Registered trade name')}
        </FormLayout.Group>
        <FormLayout.Group>
          {field('email', 'Manufacturer email', {type: 'email', requiredIndicator: true})}
          {field('phone_country_code', 'Phone country code', {requiredIndicator: true, helpText: 'For example +49'})}
          {field('phone_number', 'Phone number', {type: 'tel', requiredIndicator: true})}
        </FormLayout.Group>
        {field('address', 'Manufacturer address', {requiredIndicator: true, multiline: 2})}
      </FormLayout>
      <InlineStack gap="200">
        <Button variant="primary" onClick={submit} loading={create.isPending}>
          Create manufacturer on TikTok
        </Button>
        <Button onClick={onCancel}>Cancel</Button>
      </InlineStack>
    </Frame>
  );
}

export function ResponsiblePersonForm({connectionId, onCreated, onCancel}: Props) {
  const create = useCreateResponsiblePerson(connectionId);
  const [v, setV] = useState<ResponsiblePersonIn>({name: '', email: '', phone_country_code: '+353', phone_number: '', street: '', postal_code: '', city: '', country: 'IE'});
  const errors = errorsOf(create.error);
  const field = (key: keyof ResponsiblePersonIn, label: string, extra: Record<string, unknown> = {}) => (
    <TextField
      label={label}
      value={String(v[key] ?? '')}
      onChange={(x) => setV({...v, [key]: x})}
      autoComplete="off"
      error={errorAt(errors, key)}
      {...extra}
    />
  );
  const submit = () => create.mutate({...v, city: v.city || null}, {onSuccess: (out) => onCreated({id: out.id, name: out.name})});
  return (
    <Frame title="New EU responsible person on TikTok Shop">
      {create.error && !Object.keys(errors).length ? <ErrorBanner error={create.error} title="The responsible person was not created" /> : null}
      <FormLayout>
        <FormLayout.Group>
          {field('name', 'Responsible person name', {requiredIndicator: true})}
          {field('email', 'Responsible person email', {type: 'email', requiredIndicator: true})}
        </FormLayout.Group>
        <FormLayout.Group>
          {field('phone_country_code', 'EU phone country code', {requiredIndicator: true, helpText: 'For example +353'})}
          {field('phone_number', 'Responsible person phone', {type: 'tel', requiredIndicator: true})}
        </FormLayout.Group>
        {field('street', 'Street address', {requiredIndicator: true})}
        <FormLayout.Group>
          {field('postal_code', 'Postal code', {requiredIndicator: true})}
          {field('city', 'City')}
          <Select
            label="Country"
            options={EU_COUNTRIES.map(([code, name]) => ({label: name, value: code}))}
            value={v.country}
            onChange={(country) => setV({...v, country})}
            error={errorAt(errors, 'country')}
          />
        </FormLayout.Group>
      </FormLayout>
      <InlineStack gap="200">
        <Button variant="primary" onClick={submit} loading={create.isPending}>
          Create responsible person on TikTok
        </Button>
        <Button onClick={onCancel}>Cancel</Button>
      </InlineStack>
    </Frame>
  );
}
