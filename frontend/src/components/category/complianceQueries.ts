// TikTok compliance data for the category forms: the seller's size charts, manufacturers and
// responsible persons (listed and created through TikTok's APIs by the app), and uploads of
// size-chart images and certificates.
import {useMutation, useQuery, useQueryClient} from '@tanstack/react-query';

import {api, unwrap} from '../../api/client';
import type {components} from '../../api/schema';

export type UploadOut = components['schemas']['UploadOut'];
export type PartyOut = components['schemas']['PartyOut'];
export type ManufacturerIn = components['schemas']['ManufacturerIn'];
export type ResponsiblePersonIn = components['schemas']['ResponsiblePersonIn'];

const MINUTE = 60_000;

export function useSizeCharts(connectionId: number, enabled: boolean) {
  return useQuery({
    queryKey: ['tiktok', connectionId, 'size-charts'],
    queryFn: () => unwrap(api.GET('/api/connections/{connection_id}/tiktok/size-charts', {params: {path: {connection_id: connectionId}}})),
    staleTime: MINUTE,
    enabled,
  });
}

export function useManufacturers(connectionId: number, enabled: boolean) {
  return useQuery({
    queryKey: ['tiktok', connectionId, 'manufacturers'],
    queryFn: () => unwrap(api.GET('/api/connections/{connection_id}/tiktok/manufacturers', {params: {path: {connection_id: connectionId}}})),
    staleTime: MINUTE,
    enabled,
  });
}

export function useResponsiblePersons(connectionId: number, enabled: boolean) {
  return useQuery({
    queryKey: ['tiktok', connectionId, 'responsible-persons'],
    queryFn: () =>
      unwrap(api.GET('/api/connections/{connection_id}/tiktok/responsible-persons', {params: {path: {connection_id: connectionId}}})),
    staleTime: MINUTE,
    enabled,
  });
}

/** Multipart body for the upload routes (openapi-fetch sends FormData as it is). */
function formOf(file: File) {
  return {
    body: {file: file as unknown as string},
    bodySerializer: () => {
      const data = new FormData();
      data.append('file', file);
      return data;
    },
  };
}

export function uploadSizeChart(connectionId: number, file: File): Promise<UploadOut> {
  return unwrap(api.POST('/api/connections/{connection_id}/tiktok/uploads/size-chart', {params: {path: {connection_id: connectionId}}, ...formOf(file)}));
}

export function uploadCertificate(connectionId: number, file: File): Promise<UploadOut> {
  return unwrap(api.POST('/api/connections/{connection_id}/tiktok/uploads/certificate', {params: {path: {connection_id: connectionId}}, ...formOf(file)}));
}

export function useCreateManufacturer(connectionId: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: ManufacturerIn) => unwrap(api.POST('/api/connections/{connection_id}/tiktok/manufacturers', {params: {path: {connection_id: connectionId}}, body})),
    onSuccess: () => void client.invalidateQueries({queryKey: ['tiktok', connectionId, 'manufacturers']}),
  });
}

export function useCreateResponsiblePerson(connectionId: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: ResponsiblePersonIn) =>
      unwrap(api.POST('/api/connections/{connection_id}/tiktok/responsible-persons', {params: {path: {connection_id: connectionId}}, body})),
    onSuccess: () => void client.invalidateQueries({queryKey: ['tiktok', connectionId, 'responsible-persons']}),
  });
}
