// The banner above a settings form whose save failed: field problems are shown at their fields
// (this says so), anything else (TikTok unreachable…) is said here.
import {Banner, Card, Layout, SkeletonBodyText, SkeletonDisplayText} from '@shopify/polaris';

import type {ApiError} from '../../api/client';
import {ErrorBanner} from '../../components/states';

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
