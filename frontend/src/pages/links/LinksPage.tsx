// Placeholder until this page is built.
import {Page} from '@shopify/polaris';

export default function Placeholder() {
  return <Page title="Link products" />;
}
