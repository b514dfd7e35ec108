import type { Config } from '../config';
import { bulkUploadWorkflowId } from '../contracts/names';

/** Temporal Web UI page of one workflow. */
export function webUiWorkflowUrl(temporal: Config['temporal'], workflowId: string): string {
  return `${temporal.uiUrl}/namespaces/${encodeURIComponent(temporal.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

/** Where to look at a bulk: the dashboard page, API status, logs, and the Temporal Web UI. */
export function bulkLinks(config: Pick<Config, 'temporal' | 'api'>, taskId: string) {
  const base = config.api.publicUrl;
  return {
    dashboard: `${base}/dashboard/bulks/${encodeURIComponent(taskId)}`,
    status: `${base}/bulk-uploads/${encodeURIComponent(taskId)}`,
    logs: `${base}/bulk-upload/${encodeURIComponent(taskId)}/logs/`,
    webUi: webUiWorkflowUrl(config.temporal, bulkUploadWorkflowId(taskId)),
  };
}
