// What the Link products tabs share: the link mutation (confirm proposals, accept a suggestion,
// manual link), rejecting suggestions, and refreshing every list of the page afterwards.
import {useMutation, useQueryClient} from '@tanstack/react-query';

import {api, unwrap} from '../../api/client';
import type {components} from '../../api/schema';
import {errorMessage} from '../../components/states';
import {useToast} from '../../shell/feedback';

export type Pair = components['schemas']['PairIn'];
export type Proposal = components['schemas']['ProposalOut'];
export const LINKS_KEY = 'links';

/** The pair a proposal links, or null when it must be linked by hand (several variants). */
export function pairOf(p: Proposal): Pair | null {
  if (!p.shopify_variant_id || !p.tiktok_sku_id) return null;
  return {shopify_variant_id: p.shopify_variant_id, tiktok_product_id: p.tiktok_product_id, tiktok_sku_id: p.tiktok_sku_id};
}

export function useInvalidateLinks() {
  const client = useQueryClient();
  return () => client.invalidateQueries({queryKey: [LINKS_KEY]});
}

/** POST …/links: toasts what was linked; conflicts (already linked) are reported, not lost. */
export function useLink(connectionId: number, onDone?: () => void) {
  const toast = useToast();
  const invalidate = useInvalidateLinks();
  return useMutation({
    mutationFn: (pairs: Pair[]) =>
      unwrap(api.POST('/api/connections/{connection_id}/links', {params: {path: {connection_id: connectionId}}, body: {pairs}})),
    onSuccess: (result) => {
      const n = result.linked.length;
      const conflicts = result.conflicts.length;
      toast(
        conflicts
          ? `${n} linked, ${conflicts} already linked`
          : `${n} ${n === 1 ? 'product' : 'products'} linked`,
      );
      onDone?.();
      void invalidate();
    },
  });
}

/** POST …/links/dismissals: the suggestions are not proposed again. */
export function useDismiss(connectionId: number, onDone?: () => void) {
  const toast = useToast();
  const invalidate = useInvalidateLinks();
  return useMutation({
    mutationFn: (items: {shopify_id: string; tiktok_id: string}[]) =>
      unwrap(api.POST('/api/connections/{connection_id}/links/dismissals', {params: {path: {connection_id: connectionId}}, body: {items}})),
    onSuccess: () => {
      toast('Suggestion dismissed');
      onDone?.();
      void invalidate();
    },
    onError: (error) => toast(errorMessage(error), {error: true}),
  });
}

/** The ids a proposal is dismissed by: the pair, or the two products of a title suggestion. */
export function dismissKey(p: Proposal): {shopify_id: string; tiktok_id: string} {
  return p.shopify_variant_id && p.tiktok_sku_id
    ? {shopify_id: p.shopify_variant_id, tiktok_id: p.tiktok_sku_id}
    : {shopify_id: p.shopify_product_id, tiktok_id: p.tiktok_product_id};
}

export const PAGE_SIZE = 25;
