// Start connecting (or reconnecting) a TikTok Shop. The API gives the TikTok authorization URL
// for the signed-in shop; TikTok's page must open in the top window (never inside Shopify
// admin's iframe), and TikTok sends the merchant back to the app afterwards.
import {useCallback, useState} from 'react';

import {api, unwrap} from '../api/client';
import {errorMessage} from '../components/states';
import {appBridge} from './embedded';
import {useToast} from './feedback';

export async function connectTikTok(): Promise<void> {
  const {url} = await unwrap(api.POST('/api/tiktok/connect'));
  if (appBridge()) window.open(url, '_top');
  else window.location.assign(url);
}

/** For a Connect / Reauthorize button (Home checklist, Settings › Connections): `connecting`
 * stays true while the browser leaves for TikTok; a failure is a toast and re-enables it. */
export function useConnectTikTok(): {connect: () => Promise<void>; connecting: boolean} {
  const toast = useToast();
  const [connecting, setConnecting] = useState(false);
  const connect = useCallback(async () => {
    setConnecting(true);
    try {
      await connectTikTok();
    } catch (error) {
      setConnecting(false);
      toast(errorMessage(error), {error: true});
    }
  }, [toast]);
  return {connect, connecting};
}
