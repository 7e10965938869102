// Standalone (self-hosted) sign-in: with no session, the merchant names their shop and goes
// through Shopify's grant screen (GET /auth/shopify/install). Embedded loads never see this:
// App Bridge's session token signs every request.
import {Banner, Button, Card, Form, FormLayout, Page, Text, TextField} from '@shopify/polaris';
import {useState} from 'react';

/** What makes a shop domain Shopify accepts: `name.myshopify.com` (a bare name is completed). */
export function normalizeShop(input: string): string | null {
  const value = input.trim().toLowerCase().replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  const full = value.includes('.') ? value : `${value}.myshopify.com`;
  return /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(full) ? full : null;
}

export function SignIn({reason}: {reason?: string}) {
  const [shop, setShop] = useState('');
  const [touched, setTouched] = useState(false);
  const domain = normalizeShop(shop);
  const error = touched && !domain ? 'Enter your store address, like my-store.myshopify.com' : undefined;
  const submit = () => {
    setTouched(true);
    if (domain) window.location.assign(`/auth/shopify/install?shop=${encodeURIComponent(domain)}`);
  };
  return (
    <Page narrowWidth title="Sign in">
      <Card>
        <Form onSubmit={submit}>
          <FormLayout>
            <Text as="p" variant="bodyMd">
              Open EcomSend Feed from your Shopify admin, or enter your store address to install it
              and sign in.
            </Text>
            {reason ? <Banner tone="info">{reason}</Banner> : null}
            <TextField
              label="Store address"
              value={shop}
              onChange={setShop}
              onBlur={() => setTouched(true)}
              autoComplete="off"
              placeholder="my-store.myshopify.com"
              error={error}
            />
            <Button submit variant="primary">
              Sign in with Shopify
            </Button>
          </FormLayout>
        </Form>
      </Card>
    </Page>
  );
}
