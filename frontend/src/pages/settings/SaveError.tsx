// The frame of a settings tab's form (Products, Orders, Fulfillment): its contextual save bar,
// the banner when a save failed (field problems are shown at their fields and this says so,
// anything else, TikTok unreachable…, is said here), and the skeleton while it loads.
import {Banner, Card, Layout, SkeletonBodyText, SkeletonDisplayText} from '@shopify/polaris';
import type {ReactNode} from 'react';

import type {ApiError} from '../../api/client';
import {ErrorBanner} from '../../components/states';
import {FormSaveBar} from '../../shell/feedback';
import type {SettingsForm} from './useSettingsForm';

type FormState = Pick<SettingsForm<unknown, unknown>, 'dirty' | 'saving' | 'save' | 'discard' | 'error'>;

/** A loaded settings form: the save bar `id`, the save error, then the form's sections. */
export function SettingsLayout({id, form, children}: {id: string; form: FormState; children: ReactNode}) {
  return (
    <Layout>
      <FormSaveBar id={id} dirty={form.dirty} saving={form.saving} onSave={form.save} onDiscard={form.discard} />
      <SaveError error={form.error} />
      {children}
    </Layout>
  );
}

export function SaveError({error}: {error: ApiError | null}) {
  if (!error) return null;
  return (
    <Layout.Section>
      {error.fields.length > 0 ? (
        <Banner tone="critical" title="Some settings need attention">
          <p>Fix the fields marked in red, then save again. Nothing you typed was lost.</p>
        </Banner>
      ) : (
        <ErrorBanner error={error} title="The settings could not be saved" />
      )}
    </Layout.Section>
  );
}

/** A tab's content while its settings load. */
export function TabSkeleton() {
  return (
    <Layout>
      <Layout.AnnotatedSection title={<SkeletonDisplayText size="small" />}>
        <Card>
          <SkeletonBodyText lines={5} />
        </Card>
      </Layout.AnnotatedSection>
    </Layout>
  );
}
