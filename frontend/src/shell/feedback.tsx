// Toasts and the save bar, one API for both shells: App Bridge's in Shopify admin, Polaris' own
// (inside the Frame) standalone. Pages call `useToast()` and render `<FormSaveBar/>`.
import {SaveBar} from '@shopify/app-bridge-react';
import {ContextualSaveBar, Toast} from '@shopify/polaris';
import {createContext, type ReactNode, useCallback, useContext, useEffect, useState} from 'react';
import {useBlocker} from 'react-router-dom';

import {appBridge} from './embedded';

type ShowToast = (message: string, options?: {error?: boolean}) => void;

const ToastContext = createContext<ShowToast>(() => undefined);

interface ToastState {
  id: number;
  message: string;
  error: boolean;
}

/** Provides `useToast()`; standalone it renders Polaris Toasts (must sit inside Frame). */
export function ToastProvider({children}: {children: ReactNode}) {
  const [toast, setToast] = useState<ToastState | null>(null);
  const show = useCallback<ShowToast>((message, options) => {
    const bridge = appBridge();
    if (bridge) bridge.toast.show(message, {isError: options?.error});
    else setToast({id: Date.now(), message, error: Boolean(options?.error)});
  }, []);
  return (
    <ToastContext.Provider value={show}>
      {children}
      {toast ? (
        <Toast key={toast.id} content={toast.message} error={toast.error} onDismiss={() => setToast(null)} />
      ) : null}
    </ToastContext.Provider>
  );
}

export const useToast = (): ShowToast => useContext(ToastContext);

interface FormSaveBarProps {
  id: string;
  dirty: boolean;
  saving: boolean;
  onSave: () => void;
  onDiscard: () => void;
}

/** The contextual save bar of a form: App Bridge's `ui-save-bar` embedded (the admin then keeps
 * the merchant from leaving), Polaris' ContextualSaveBar standalone plus a leave confirmation. */
export function FormSaveBar({id, dirty, saving, onSave, onDiscard}: FormSaveBarProps) {
  const embedded = appBridge() !== undefined;
  const blocker = useBlocker(({currentLocation, nextLocation}) =>
    !embedded && dirty && currentLocation.pathname !== nextLocation.pathname);
  useEffect(() => {
    if (blocker.state !== 'blocked') return;
    // eslint-disable-next-line no-alert
    if (window.confirm('Leave this page? Your unsaved changes will be lost.')) blocker.proceed();
    else blocker.reset();
  }, [blocker]);
  useEffect(() => {
    if (embedded || !dirty) return undefined;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [embedded, dirty]);
  if (embedded) {
    return (
      <SaveBar id={id} open={dirty}>
        <button variant="primary" onClick={onSave} loading={saving} />
        <button onClick={onDiscard} disabled={saving} />
      </SaveBar>
    );
  }
  if (!dirty) return null;
  return (
    <ContextualSaveBar
      message="Unsaved changes"
      saveAction={{content: 'Save', onAction: onSave, loading: saving}}
      discardAction={{content: 'Discard', onAction: onDiscard, disabled: saving}}
    />
  );
}

/** Drive the admin's loading bar while `busy` (embedded only; standalone pages show skeletons). */
export function useAdminLoading(busy: boolean): void {
  useEffect(() => {
    const bridge = appBridge();
    if (!bridge) return undefined;
    bridge.loading(busy);
    return () => bridge.loading(false);
  }, [busy]);
}
