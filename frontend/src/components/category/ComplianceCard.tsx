// The "Compliance" card of the category forms (template editor, Manual sync): what the TikTok
// category's rules ask for beyond attributes — a size chart (one of the seller's TikTok size
// charts, or an uploaded image), each certification with its files, and the EU product-safety
// (GPSR) manufacturer and responsible person, picked from TikTok or created there.
import {Badge, BlockStack, Button, Card, DropZone, InlineError, InlineStack, Select, Text, TextField} from '@shopify/polaris';
import {useState} from 'react';

import {errorMessage} from '../states';
import {ManufacturerForm, ResponsiblePersonForm} from './PartyForms';
import {uploadCertificate, uploadSizeChart, useManufacturers, useResponsiblePersons, useSizeCharts} from './complianceQueries';
import type {CertificationIn, ComplianceValues, FieldErrors, PartyIn} from './model';
import {errorAt} from './model';
import type {components} from '../../api/schema';

type Rules = components['schemas']['CategoryRules'];
type CertRule = components['schemas']['Certification'];

interface Props {
  connectionId: number;
  rules: Rules | undefined;
  value: ComplianceValues;
  onChange: (value: ComplianceValues) => void;
  errors: FieldErrors;
  help?: string;
}

/** Whether the category asks for anything this card holds (or the form already has some). */
export function needsCompliance(rules: Rules | undefined, value: ComplianceValues): boolean {
  if (!rules) return false;
  return Boolean(
    rules.size_chart?.is_supported ||
      rules.product_certifications?.length ||
      rules.manufacturer?.is_required ||
      rules.responsible_person?.is_required ||
      value.manufacturer ||
      value.responsiblePerson,
  );
}

function Required({on}: {on: boolean}) {
  return on ? <Badge tone="attention">Required</Badge> : <Badge>Optional</Badge>;
}

export function ComplianceCard({connectionId, rules, value, onChange, errors, help}: Props) {
  const set = (patch: Partial<ComplianceValues>) => onChange({...value, ...patch});
  const gpsr = Boolean(rules?.manufacturer?.is_required || rules?.responsible_person?.is_required || value.manufacturer || value.responsiblePerson);
  return (
    <Card>
      <BlockStack gap="500">
        <BlockStack gap="100">
          <Text as="h2" variant="headingMd">
            Compliance
          </Text>
          <Text as="p" tone="subdued">
            What TikTok requires for this category beyond attributes. Files are uploaded to TikTok Shop.{help ? ` ${help}` : ''}
          </Text>
        </BlockStack>
        {rules?.size_chart?.is_supported || value.sizeChart ? (
          <SizeChartField connectionId={connectionId} required={Boolean(rules?.size_chart?.is_required)} value={value} set={set} error={errorAt(errors, 'size_chart')} />
        ) : null}
        {(rules?.product_certifications ?? []).map((cert) => (
          <CertificationField
            key={cert.id}
            connectionId={connectionId}
            rule={cert}
            value={value.certifications[cert.id]}
            onChange={(c) => set({certifications: {...value.certifications, [cert.id]: c}})}
            error={errorAt(errors, `certifications.${cert.id}`)}
          />
        ))}
        {gpsr ? <GpsrFields connectionId={connectionId} rules={rules} value={value} set={set} errors={errors} /> : null}
      </BlockStack>
    </Card>
  );
}

function SizeChartField({connectionId, required, value, set, error}: {
  connectionId: number;
  required: boolean;
  value: ComplianceValues;
  set: (patch: Partial<ComplianceValues>) => void;
  error?: string;
}) {
  const charts = useSizeCharts(connectionId, true);
  const [uploading, setUploading] = useState(false);
  const [uploadError, setUploadError] = useState<string | null>(null);
  const chart = value.sizeChart;
  const onDrop = async (files: File[]) => {
    if (!files.length) return;
    setUploading(true);
    setUploadError(null);
    try {
      const out = await uploadSizeChart(connectionId, files[0]);
      set({sizeChart: {image_uri: out.uri, image_url: out.url, template_name: out.name}});
    } catch (e) {
      setUploadError(errorMessage(e));
    } finally {
      setUploading(false);
    }
  };
  return (
    <BlockStack gap="200">
      <InlineStack gap="200" blockAlign="center">
        <Text as="h3" variant="headingSm">
          Size chart
        </Text>
        <Required on={required} />
      </InlineStack>
      <Select
        label="TikTok size chart"
        options={[
          {label: 'None — upload an image instead', value: ''},
          ...(charts.data ?? []).map((c) => ({label: c.template_name ?? c.template_id, value: c.template_id})),
        ]}
        value={chart?.template_id ?? ''}
        onChange={(id) => {
          const found = charts.data?.find((c) => c.template_id === id);
          set({sizeChart: id ? {template_id: id, template_name: found?.template_name ?? null} : null});
        }}
        helpText="Size charts you made in TikTok Seller Center."
      />
      {chart?.image_uri ? (
        <InlineStack gap="200" blockAlign="center">
          <Text as="p">Size chart image: {chart.template_name ?? 'uploaded'}</Text>
          <Button variant="plain" onClick={() => set({sizeChart: null})}>
            Remove image
          </Button>
        </InlineStack>
      ) : null}
      {!chart?.template_id ? (
        <DropZone label="Size chart image" accept="image/jpeg,image/png,image/webp" type="image" allowMultiple={false} onDrop={(files) => void onDrop(files)}>
          <DropZone.FileUpload actionTitle={uploading ? 'Uploading…' : 'Add image'} actionHint="JPG, PNG or WEBP, up to 2 MB" />
        </DropZone>
      ) : null}
      {uploadError ? <InlineError message={uploadError} fieldID="size-chart-upload" /> : null}
      {error ? <InlineError message={error} fieldID="size_chart" /> : null}
    </BlockStack>
  );
}

function CertificationField({connectionId, rule, value, onChange, error}: {
  connectionId: number;
  rule: CertRule;
  value: CertificationIn | undefined;
  onChange: (value: CertificationIn) => void;
  error?: string;
}) {
  const [uploading, setUploading] = useState(false);
  const [uploadError, setUploadError] = useState<string | null>(null);
  const name = rule.name ?? rule.id;
  const current: CertificationIn = value ?? {id: rule.id, name, images: [], files: []};
  const onDrop = async (files: File[]) => {
    setUploading(true);
    setUploadError(null);
    let next = {...current, images: [...(current.images ?? [])], files: [...(current.files ?? [])]};
    try {
      for (const file of files) {
        const out = await uploadCertificate(connectionId, file);
        if (out.kind === 'file' && out.id) next = {...next, files: [...(next.files ?? []), {id: out.id, name: out.name ?? file.name, format: (out.format ?? 'PDF') as 'PDF'}]};
        else if (out.uri) next = {...next, images: [...(next.images ?? []), {uri: out.uri, url: out.url ?? null}]};
      }
    } catch (e) {
      setUploadError(errorMessage(e));
    } finally {
      onChange(next);
      setUploading(false);
    }
  };
  const attached = [
    ...(current.files ?? []).map((f, i) => ({key: `f${i}`, label: f.name, drop: () => onChange({...current, files: (current.files ?? []).filter((_, j) => j !== i)})})),
    ...(current.images ?? []).map((_im, i) => ({key: `i${i}`, label: `Image ${i + 1}`, drop: () => onChange({...current, images: (current.images ?? []).filter((_, j) => j !== i)})})),
  ];
  return (
    <BlockStack gap="200">
      <InlineStack gap="200" blockAlign="center">
        <Text as="h3" variant="headingSm">
          {name}
        </Text>
        <Required on={Boolean(rule.is_required)} />
      </InlineStack>
      {rule.document_details ? (
        <Text as="p" tone="subdued">
          {rule.document_details}
        </Text>
      ) : null}
      {attached.map((a) => (
        <InlineStack key={a.key} gap="200" blockAlign="center">
          <Text as="p">{a.label}</Text>
          <Button variant="plain" onClick={a.drop} accessibilityLabel={`Remove ${a.label}`}>
            Remove
          </Button>
        </InlineStack>
      ))}
      {rule.expiration_date?.is_required || current.expiration_date ? (
        <TextField
          label={`${name} expiry date`}
          type="date"
          value={current.expiration_date ?? ''}
          onChange={(d) => onChange({...current, expiration_date: d || null})}
          autoComplete="off"
          requiredIndicator={Boolean(rule.expiration_date?.is_required)}
          helpText="TikTok needs the date this certificate expires."
        />
      ) : null}
      <DropZone label={`${name} files`} accept="application/pdf,image/jpeg,image/png,image/webp" allowMultiple onDrop={(files) => void onDrop(files)}>
        <DropZone.FileUpload actionTitle={uploading ? 'Uploading…' : 'Add files'} actionHint="PDF, JPG or PNG, up to 2 MB each" />
      </DropZone>
      {uploadError ? <InlineError message={uploadError} fieldID={`cert-upload-${rule.id}`} /> : null}
      {error ? <InlineError message={error} fieldID={`certifications.${rule.id}`} /> : null}
    </BlockStack>
  );
}

function GpsrFields({connectionId, rules, value, set, errors}: {
  connectionId: number;
  rules: Rules | undefined;
  value: ComplianceValues;
  set: (patch: Partial<ComplianceValues>) => void;
  errors: FieldErrors;
}) {
  const manufacturers = useManufacturers(connectionId, true);
  const persons = useResponsiblePersons(connectionId, true);
  const [creating, setCreating] = useState<'manufacturer' | 'person' | null>(null);
  const pick = (list: {id: string; name?: string | null}[] | undefined, id: string): PartyIn | null => {
    const hit = list?.find((x) => x.id === id);
    return id ? {id, name: hit?.name ?? null} : null;
  };
  const options = (list: {id: string; name?: string | null; detail?: string | null}[] | undefined, chosen: PartyIn | null, none: string) => {
    const items = (list ?? []).map((x) => ({label: [x.name ?? x.id, x.detail].filter(Boolean).join(' — '), value: x.id}));
    if (chosen && !items.some((i) => i.value === chosen.id)) items.push({label: chosen.name ?? chosen.id, value: chosen.id});
    return [{label: none, value: ''}, ...items];
  };
  return (
    <BlockStack gap="300">
      <BlockStack gap="100">
        <Text as="h3" variant="headingSm">
          EU product safety (GPSR)
        </Text>
        <Text as="p" tone="subdued">
          TikTok shows buyers who made the product and who is responsible for it in the EU. They are kept in your TikTok Shop account.
        </Text>
      </BlockStack>
      <InlineStack gap="200" blockAlign="end" wrap={false}>
        <div style={{flexGrow: 1}}>
          <Select
            label="Manufacturer"
            requiredIndicator={Boolean(rules?.manufacturer?.is_required)}
            options={options(manufacturers.data, value.manufacturer, 'Choose a manufacturer')}
            value={value.manufacturer?.id ?? ''}
            onChange={(id) => set({manufacturer: pick(manufacturers.data, id)})}
            error={errorAt(errors, 'manufacturer_ids')}
          />
        </div>
        <Button onClick={() => setCreating(creating === 'manufacturer' ? null : 'manufacturer')}>Create manufacturer</Button>
      </InlineStack>
      {creating === 'manufacturer' ? (
        <ManufacturerForm
          connectionId={connectionId}
          onCreated={(p) => {
            set({manufacturer: p});
            setCreating(null);
          }}
          onCancel={() => setCreating(null)}
        />
      ) : null}
      <InlineStack gap="200" blockAlign="end" wrap={false}>
        <div style={{flexGrow: 1}}>
          <Select
            label="Responsible person"
            requiredIndicator={Boolean(rules?.responsible_person?.is_required)}
            options={options(persons.data, value.responsiblePerson, 'Choose a responsible person')}
            value={value.responsiblePerson?.id ?? ''}
            onChange={(id) => set({responsiblePerson: pick(persons.data, id)})}
            error={errorAt(errors, 'responsible_person_ids')}
          />
        </div>
        <Button onClick={() => setCreating(creating === 'person' ? null : 'person')}>Create responsible person</Button>
      </InlineStack>
      {creating === 'person' ? (
        <ResponsiblePersonForm
          connectionId={connectionId}
          onCreated={(p) => {
            set({responsiblePerson: p});
            setCreating(null);
          }}
          onCancel={() => setCreating(null)}
        />
      ) : null}
    </BlockStack>
  );
}
