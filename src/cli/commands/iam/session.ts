import type { CommandModule } from '../../command-table.js';
import { call, isoTime, listOf, positiveInt, seg } from './shared.js';

export const sessionCommands: CommandModule = {
  groups: [
    { name: 'iam session', summary: 'Active sessions (refresh-token families) opened in a tenant.' },
    { name: 'iam audit', summary: 'The audit trail of a tenant.' },
  ],
  commands: [
    {
      name: 'iam session list',
      summary: 'List active sessions.',
      tenantScoped: true,
      args: [],
      handler: (ctx) => listOf(ctx, '/iam/sessions'),
    },
    {
      name: 'iam session revoke',
      summary: 'Revoke a session: its tokens stop working at once.',
      tenantScoped: true,
      args: [{ dest: 'id', options: ['--id'], required: true, help: 'Session id.' }],
      handler: (ctx) => call(ctx, 'DELETE', `/iam/sessions/${seg(ctx.args.id as string)}`),
    },
    {
      name: 'iam audit list',
      summary: 'List audit events, newest first.',
      tenantScoped: true,
      args: [
        { dest: 'from', options: ['--from'], help: 'From this time (ISO 8601), inclusive.', validate: isoTime },
        { dest: 'to', options: ['--to'], help: 'Until this time (ISO 8601), exclusive.', validate: isoTime },
        { dest: 'actor', options: ['--actor'], help: 'Actor (principal) id.' },
        { dest: 'action', options: ['--action'], help: 'Event name, e.g. api_key.created.' },
        { dest: 'page', options: ['--page'], help: 'Page number. Default: 1.', validate: positiveInt() },
        { dest: 'size', options: ['--size'], help: 'Events per page (1-200). Default: 50.', validate: positiveInt(200) },
      ],
      async handler(ctx) {
        const a = ctx.args as Record<string, string | undefined>;
        const c = await ctx.client();
        const query = {
          from: a.from && new Date(a.from).toISOString(),
          to: a.to && new Date(a.to).toISOString(),
          actor: a.actor,
          action: a.action,
          page: a.page,
          size: a.size,
        };
        const r = await c.request<{ value: unknown[]; page: number; size: number; total: number }>('GET', '/iam/audit', {
          tenant: await ctx.tenant(),
          query,
        });
        const shown = (r.page - 1) * r.size + r.value.length;
        if (shown < r.total)
          ctx.warn(`Showing events ${(r.page - 1) * r.size + 1}-${shown} of ${r.total}; use --page ${r.page + 1} for more.`);
        return r.value;
      },
    },
  ],
};
