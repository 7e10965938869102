// Category template editor (`/templates/new`, `/templates/:templateId`): name, category,
// attributes, brand, package, selection rules with a live preview of the products they take,
// a live check against the TikTok category, save through the contextual save bar, activate.
import {Banner, BlockStack, Card, Checkbox, FormLayout, Layout, List, Page, Text, TextField} from '@shopify/polaris';
import {useMutation, useQuery, useQueryClient} from '@tanstack/react-query';
import {type Dispatch, type SetStateAction, useEffect, useMemo, useState} from 'react';
import {useNavigate, useParams} from 'react-router-dom';

import {ApiError, api, unwrap} from '../../api/client';
import type {components} from '../../api/schema';
import {CategoryCards} from '../../components/category/CategoryCards';
import {type FieldErrors, errorAt, errorsOf, fieldErrors} from '../../components/category/model';
import {useAttributes} from '../../components/category/queries';
import {ErrorBanner, PageSkeleton, WithConnection, errorMessage} from '../../components/states';
import {FormSaveBar, useToast} from '../../shell/feedback';
import {RuleBuilder} from './RuleBuilder';
import {type TemplateForm, bodyOf, formOf} from './templateForm';
import {TemplateBadges, TemplateCheck, TemplatePreview, useDraftPreview, useRecommended, useTemplateCheck} from './TemplateSidebar';

type Template = components['schemas']['TemplateOut'];
type TemplateIn = components['schemas']['TemplateIn'];

export default function TemplateEditorPage() {
  const {templateId} = useParams();
  const id = templateId ? Number(templateId) : null;
  return (
    <WithConnection title={id ? 'Category template' : 'New category template'}>
      {(c) => <Loader key={`${c.id}:${id ?? 'new'}`} connectionId={c.id} templateId={id} />}
    </WithConnection>
  );
}

function Loader({connectionId, templateId}: {connectionId: number; templateId: number | null}) {
  const query = useQuery({
    queryKey: ['templates', connectionId, 'one', templateId],
    queryFn: () =>
      unwrap(api.GET('/api/connections/{connection_id}/templates/{template_id}', {
        params: {path: {connection_id: connectionId, template_id: templateId ?? 0}},
      })),
    enabled: templateId !== null && templateId > 0,
  });
  if (templateId !== null && !(templateId > 0)) {
    return (
      <Page title="Category template" backAction={{content: 'Category templates', url: '/templates'}}>
        <Banner tone="critical" title="No such template">
          <p>This address does not name a template.</p>
        </Banner>
      </Page>
    );
  }
  if (templateId !== null && query.isLoading) return <PageSkeleton title="Category template" />;
  if (query.error) {
    return (
      <Page title="Category template" backAction={{content: 'Category templates', url: '/templates'}}>
        <ErrorBanner error={query.error} onRetry={() => query.refetch()} />
      </Page>
    );
  }
  return <Editor connectionId={connectionId} template={query.data} />;
}

function Editor({connectionId, template}: {connectionId: number; template: Template | undefined}) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const toast = useToast();
  const [saved, setSaved] = useState<TemplateForm>(() => formOf(template));
  const [form, setForm] = useState<TemplateForm>(saved);
  const [createdId, setCreatedId] = useState<number | null>(null);
  const defs = useAttributes(connectionId, form.cat.category?.id).data;
  const dirty = useMemo(() => JSON.stringify(bodyOf(form)) !== JSON.stringify(bodyOf(saved)), [form, saved]);
  const templateId = template?.id ?? null;

  const save = useMutation({
    mutationFn: (body: TemplateIn) =>
      templateId
        ? unwrap(api.PUT('/api/connections/{connection_id}/templates/{template_id}', {params: {path: {connection_id: connectionId, template_id: templateId}}, body}))
        : unwrap(api.POST('/api/connections/{connection_id}/templates', {params: {path: {connection_id: connectionId}}, body})),
    onSuccess: (out) => {
      setSaved(form);
      void queryClient.invalidateQueries({queryKey: ['templates', connectionId]});
      toast('Template saved');
      if (!templateId) setCreatedId(out.id);
    },
  });
  useEffect(() => {
    if (createdId && !dirty) navigate(`/templates/${createdId}`, {replace: true});
  }, [createdId, dirty, navigate]);

  const activation = useMutation({
    mutationFn: (on: boolean) => {
      const params = {params: {path: {connection_id: connectionId, template_id: templateId ?? 0}}};
      return on
        ? unwrap(api.POST('/api/connections/{connection_id}/templates/{template_id}/activate', params)).then((a) => a.queued)
        : unwrap(api.POST('/api/connections/{connection_id}/templates/{template_id}/deactivate', params)).then(() => -1);
    },
    onSuccess: (queued) => {
      void queryClient.invalidateQueries({queryKey: ['templates', connectionId]});
      toast(queued < 0 ? 'Template deactivated' : `Template activated: ${queued} products queued`);
    },
  });

  const change = (patch: Partial<TemplateForm>) => setForm((f) => ({...f, ...patch}));
  const errors: FieldErrors = {...errorsOf(activation.error), ...errorsOf(save.error)};
  const title = template ? template.name : 'New category template';
  const active = template?.active ?? false;
  const actionError = save.error ?? activation.error;
  return (
    <Page
      title={title}
      titleMetadata={template ? <TemplateBadges active={active} isDefault={template.is_default} /> : undefined}
      backAction={{content: 'Category templates', url: '/templates'}}
      secondaryActions={
        templateId
          ? [
              {
                content: active ? 'Deactivate' : 'Activate',
                onAction: () => activation.mutate(!active),
                loading: activation.isPending,
                disabled: dirty,
                helpText: dirty ? 'Save your changes first.' : undefined,
              },
            ]
          : undefined
      }
    >
      <FormSaveBar
        id="template-save-bar"
        dirty={dirty}
        saving={save.isPending}
        onSave={() => save.mutate(bodyOf(form, defs))}
        onDiscard={() => {
          setForm(saved);
          save.reset();
        }}
      />
      <Layout>
        {actionError ? (
          <Layout.Section>
            <Banner tone="critical" title={activation.error ? 'The template cannot be activated yet' : 'The template was not saved'}>
              <p>{actionError instanceof ApiError && actionError.fields.length ? 'Fix the fields marked in red below.' : errorMessage(actionError)}</p>
              {actionError instanceof ApiError && actionError.fields.length ? (
                <List>
                  {actionError.fields.map((f) => (
                    <List.Item key={f.field + f.message}>{[f.message, f.fix].filter(Boolean).join(' ')}</List.Item>
                  ))}
                </List>
              ) : null}
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  Template
                </Text>
                <FormLayout>
                  <TextField label="Name" value={form.name} onChange={(name) => change({name})} autoComplete="off" error={errorAt(errors, 'name')} requiredIndicator />
                  <FormLayout.Group>
                    <TextField
                      label="Priority"
                      type="number"
                      min={0}
                      value={form.priority}
                      onChange={(priority) => change({priority})}
                      autoComplete="off"
                      helpText="Lower numbers are tried first. You can also reorder templates from the list."
                      error={errorAt(errors, 'priority')}
                    />
                    <Checkbox
                      label="Default template for this region"
                      helpText="Takes every product no other active template takes."
                      checked={form.isDefault}
                      onChange={(isDefault) => change({isDefault})}
                      error={errorAt(errors, 'is_default')}
                    />
                  </FormLayout.Group>
                </FormLayout>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  Which products
                </Text>
                <RuleBuilder
                  rules={form.rules}
                  matchMode={form.matchMode}
                  onRules={(rules) => change({rules})}
                  onMatchMode={(matchMode) => change({matchMode})}
                  errors={errors}
                  isDefault={form.isDefault}
                />
              </BlockStack>
            </Card>
            <EditorCategory connectionId={connectionId} templateId={templateId} form={form} setForm={setForm} errors={errors} />
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            <TemplatePreview connectionId={connectionId} templateId={templateId} form={form} />
            <TemplateCheck connectionId={connectionId} form={form} names={defs} />
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

/** The category cards, with the live check's field errors beside the fields. */
function EditorCategory({connectionId, templateId, form, setForm, errors}: {
  connectionId: number;
  templateId: number | null;
  form: TemplateForm;
  setForm: Dispatch<SetStateAction<TemplateForm>>;
  errors: FieldErrors;
}) {
  const check = useTemplateCheck(connectionId, form);
  const checkErrors = fieldErrors(check.data?.errors);
  const preview = useDraftPreview(connectionId, templateId, form);
  const recommended = useRecommended(connectionId, preview.data?.products[0]?.id);
  return (
    <CategoryCards
      connectionId={connectionId}
      values={form.cat}
      recommended={recommended.data}
      onChange={(patch) => setForm((f) => ({...f, cat: {...f.cat, ...patch}}))}
      errors={{...checkErrors, ...errors}}
    />
  );
}
