// Embedded or standalone? The server decides which shell it sends: the App Bridge script is only
// in the page for `embedded=1` loads from Shopify admin, so `window.shopify` exists only there.

export interface AppBridgeGlobal {
  idToken(): Promise<string>;
  toast: {show(message: string, options?: {isError?: boolean; duration?: number}): string};
  loading(on: boolean): void;
  saveBar: {leaveConfirmation(): Promise<void>};
  environment?: {embedded?: boolean; mobile?: boolean};
  config?: {shop?: string; host?: string};
}

/** App Bridge when the app runs inside Shopify admin, else undefined. */
export function appBridge(): AppBridgeGlobal | undefined {
  if (typeof window === 'undefined') return undefined;
  const bridge = (window as unknown as {shopify?: Partial<AppBridgeGlobal>}).shopify;
  return typeof bridge?.idToken === 'function' ? (bridge as AppBridgeGlobal) : undefined;
}

export const isEmbedded = (): boolean => appBridge() !== undefined;
