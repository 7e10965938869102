// Start connecting (or reconnecting) a TikTok Shop. The API gives the TikTok authorization URL
// for the signed-in shop; TikTok's page must open in the top window (never inside Shopify
// admin's iframe), and TikTok sends the merchant back to the app afterwards.
import {api, unwrap} from '../api/client';
import {appBridge} from './embedded';

export async function connectTikTok(): Promise<void> {
  const {url} = await unwrap(api.POST('/api/tiktok/connect'));
  if (appBridge()) window.open(url, '_top');
  else window.location.assign(url);
}
