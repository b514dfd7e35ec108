/**
 * Compile-time checks, run by `npm run check` (tsc) and never executed: a workflow that
 * passes an activity a misspelt, missing or wrongly typed field does not compile, and
 * neither does a client that starts a bulk with a misspelt field. Each `@ts-expect-error`
 * fails the type check if its line ever compiles.
 */
import type { Client } from '@temporalio/client';
import { appendLog, registerTask, uniquifyVideo, uploadViaBrowser } from '../../workflows/activity-proxies';
import { BulkUpload } from '../../workflows/bulk-upload';

export async function workflowsCannotMisspellActivityFields(): Promise<void> {
  // Every required field is there: the one error is the misspelt extra field.
  // @ts-expect-error `videoID` is not a field of uniquifyVideo's input (it is `videoId`)
  await uniquifyVideo({ taskId: 't', accountId: 'a', videoId: 'v', videoID: 'v', sourcePath: 'a.mp4', preset: 'fast' });

  // @ts-expect-error a required field left out: which video?
  await uniquifyVideo({ taskId: 't', accountId: 'a', sourcePath: 'a.mp4', preset: 'fast' });

  // @ts-expect-error `filepath` is not a field (it is `filePath`): a typo never slips through as an ignored extra
  await uploadViaBrowser({ taskId: 't', accountId: 'a', videoId: 'v', platform: 'demo', filePath: '/v.mp4', filepath: '/v.mp4', caption: '' });

  // @ts-expect-error `light` is not a uniquify preset
  await uniquifyVideo({ taskId: 't', accountId: 'a', videoId: 'v', sourcePath: 'a.mp4', preset: 'light' });

  // @ts-expect-error a log level that does not exist
  await appendLog({ taskId: 't', level: 'verbose', message: 'm' });

  // @ts-expect-error registerTask needs the input's fingerprint
  await registerTask({ taskId: 't', platform: 'demo', videos: [{ id: 'v', path: 'a.mp4', caption: '' }], accountIds: ['a'], options: {}, workflowId: 'w' });

  const variant = await uniquifyVideo({ taskId: 't', accountId: 'a', videoId: 'v', sourcePath: 'a.mp4', preset: 'fast' });
  // @ts-expect-error the result names the variant `filePath`, not `path`
  void variant.path;
}

export async function clientsCannotMisspellBulkFields(client: Client): Promise<void> {
  // @ts-expect-error `accountIDs` is misspelt (it is `accountIds`)
  await client.workflow.start(BulkUpload, { taskQueue: 'q', workflowId: 'w', args: [{ taskId: 't', videos: [{ path: 'a.mp4' }], accountIds: ['a'], accountIDs: ['a'] }] });
}
