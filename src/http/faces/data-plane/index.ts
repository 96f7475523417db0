import { randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../types.js';
import type { Services } from '../../../services/index.js';
import { access } from '../../route.js';
import { errorLanguageOf, errorMessage, toAppError } from '../../errors.js';
import type { Metrics } from '../../plugins/metrics.js';
import type { Lang } from '../../../errors/messages.js';
import type { Admission, ProbeNeed, SasGranted } from '../../../services/credentials/index.js';

const PROBE: ProbeNeed = { face: 'probe' };

const pad = (n: number) => String(n).padStart(2, '0');
/** IoT Hub's `MM/dd/yyyy HH:mm:ss` (UTC). */
const hubTime = (d: Date) =>
  `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;

/** IoT Hub's text for a refused SAS token, in each language errors are answered in. */
const UNAUTHORIZED: Record<Lang, string> = { en: 'Unauthorized', 'zh-TW': '未經授權' };

/**
 * The data-plane error of the addressed service, its status and content type set on `reply`:
 * the body, IoT Hub's `{Message, ExceptionMessage}` or DPS's `{errorCode, …}`.
 */
function dataPlaneError(s: Services, req: FastifyRequest, reply: FastifyReply, status: number, hubCode: string, text: string): object {
  const now = new Date(s.system.clock.now());
  const tracking = randomUUID().replace(/-/g, '');
  const kind = s.iotSas.resourceForHost(req.host)?.kind ?? 'hub';
  reply.code(status).header('content-type', 'application/json; charset=utf-8');
  if (kind === 'dps') {
    return {
      errorCode: status * 1000 + (status === 401 ? 2 : 1),
      trackingId: tracking,
      message: text,
      timestampUtc: now.toISOString(),
      info: null,
    };
  }
  return { Message: `ErrorCode:${hubCode};${text}`, ExceptionMessage: `Tracking ID:${tracking}-G:0-TimeStamp:${hubTime(now)}` };
}

const WhoAmI = Type.Object({
  hub: Type.Optional(Type.String()),
  provisioningService: Type.Optional(Type.String()),
  hostName: Type.String(),
  keyName: Type.String(),
  rights: Type.String({ description: 'The policy rights string as listkeys shows it' }),
  effectiveRights: Type.Array(Type.String(), {
    description: 'With implied rights (RegistryWrite ⇒ RegistryRead, EnrollmentWrite ⇒ EnrollmentRead)',
  }),
});

/**
 * The hub / DPS data plane, addressed by the Host header ({name}.{hub or DPS suffix}) and
 * authenticated by SAS tokens. For now only a Latch-specific probe: `GET /$latch/sas/whoami`
 * answers which policy a token authenticates as and what it may do, or the service's 401.
 */
export async function registerDataPlaneFace(app: App, s: Services, metrics: Metrics) {
  await app.register(async (face) => {
    face.setErrorHandler((err: FastifyError, req, reply) => {
      const e = toAppError(err);
      if (e.status >= 500) req.log.error({ err }, 'request failed');
      return reply.send(
        dataPlaneError(
          s,
          req,
          reply,
          e.status,
          e.status === 401 ? 'IotHubUnauthorizedAccess' : e.status === 404 ? 'IotHubNotFound' : 'ArgumentInvalid',
          errorMessage(e, errorLanguageOf(req, reply), 'InternalServerError'),
        ),
      );
    });
    const open = access({ auth: 'none' });
    const answer = (req: FastifyRequest, reply: FastifyReply, r: Admission<SasGranted>) => {
      if (!r.ok) {
        metrics.authFailures.inc({ reason: r.metric! });
        req.log.info({ reason: r.reason }, 'SAS rejected');
        return dataPlaneError(s, req, reply, 401, 'IotHubUnauthorizedAccess', UNAUTHORIZED[errorLanguageOf(req, reply)]);
      }
      reply.header('content-type', 'application/json; charset=utf-8');
      // the serializer writes the schema's key order: hub / provisioningService first
      const [hub, provisioningService] = r.kind === 'hub' ? [r.name, undefined] : [undefined, r.name];
      return {
        hub,
        provisioningService,
        hostName: r.hostName,
        keyName: r.keyName,
        rights: r.rights,
        effectiveRights: [...r.effective],
      };
    };
    face.get(
      '/$latch/sas/whoami',
      {
        config: open.config,
        schema: {
          tags: ['data plane'],
          operationId: 'sasWhoAmI',
          security: [{ sas: [] }],
          summary: 'Latch-specific: verify a policy SAS token (Authorization header) against the hub/DPS named by the Host header',
          querystring: Type.Object({ 'api-version': Type.Optional(Type.String()) }),
          response: {
            200: WhoAmI,
            401: Type.Unknown({ description: 'SAS rejected: IoT Hub {Message, ExceptionMessage} or DPS {errorCode, message, …}' }),
          },
        },
      },
      // Not async: a token verified from memory (the hot path) is answered without a promise.
      (req, reply) => {
        const auth = req.headers.authorization;
        const r = s.access.admit({ kind: 'sas_policy', header: typeof auth === 'string' ? auth : '', host: req.host }, PROBE, req.ctx);
        return r instanceof Promise ? r.then((x) => answer(req, reply, x)) : answer(req, reply, r);
      },
    );
  });
}
