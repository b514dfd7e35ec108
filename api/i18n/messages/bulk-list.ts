/** Messages of the bulk-list page(s). Keys start with `bulkList.`. */
import { defineMessages } from './define';

export const bulkListMessages = defineMessages(
  {
    'bulkList.title': 'Bulks',
    'bulkList.heading': 'Bulk uploads',
    'bulkList.status': 'status',
    'bulkList.anyStatus': 'any',
    'bulkList.since': 'since',
    'bulkList.filter': 'Filter',
    'bulkList.count': '{shown} of {total} bulk(s)',
    'bulkList.empty': 'No bulks yet.',
    'bulkList.col.task': 'task',
    'bulkList.col.status': 'status',
    'bulkList.col.accounts': 'accounts',
    'bulkList.col.platform': 'platform',
    'bulkList.col.created': 'created',
    'bulkList.failed': '{n} failed',
    'bulkList.cancelled': '{n} cancelled',
  },
  {
    'bulkList.title': 'Рассылки',
    'bulkList.heading': 'Рассылки',
    'bulkList.status': 'статус',
    'bulkList.anyStatus': 'любой',
    'bulkList.since': 'начиная с',
    'bulkList.filter': 'Показать',
    'bulkList.count': 'показано {shown} из {total}',
    'bulkList.empty': 'Рассылок пока нет.',
    'bulkList.col.task': 'задача',
    'bulkList.col.status': 'статус',
    'bulkList.col.accounts': 'аккаунты',
    'bulkList.col.platform': 'платформа',
    'bulkList.col.created': 'создана',
    'bulkList.failed': 'с ошибкой: {n}',
    'bulkList.cancelled': 'отменено: {n}',
  },
);
