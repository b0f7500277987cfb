import type { ExportFormat, ExposureApi } from '../../api';

const mimeTypes: Record<ExportFormat, string> = {
  csv: 'text/csv',
  json: 'application/json',
};

/**
 * Fetches the pool table through the API client (it carries the user's token,
 * which a plain link would not) and hands it to the browser as a file.
 */
export async function downloadPoolTable(
  api: ExposureApi,
  format: ExportFormat,
): Promise<void> {
  const text = await api.exportPools(format);
  const url = URL.createObjectURL(
    new Blob([text], { type: mimeTypes[format] }),
  );
  try {
    const link = document.createElement('a');
    link.href = url;
    link.download = `portico-pools.${format}`;
    document.body.appendChild(link);
    link.click();
    link.remove();
  } finally {
    URL.revokeObjectURL(url);
  }
}
