import { Type } from '@sinclair/typebox';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../../errors/app-error.js';
import type { ErrorCode } from '../../../errors/catalog.js';
import type { Lang } from '../../../errors/messages.js';
import { errorLanguageOf, errorMessage, toAppError } from '../../errors.js';
import { errorResponses } from '../../route.js';
import { IOT_KINDS, MAX_SKU_CAPACITY, MAX_TAG_NAME, MAX_TAG_VALUE, MAX_TAGS } from '../../../domain/iot.js';
import type { IotKind } from '../../../domain/types.js';
import { CENTRAL_IDENTITY_RULE, CENTRAL_SKUS, DISPLAY_NAME_MAX, TEMPLATE_MAX } from '../../../domain/central.js';
import type { Services } from '../../../services/index.js';

/** The ARM error envelope (spec/arm-iothub-dps-keys.md §7.3), used for every error of this face. */
export const ArmErrorSchema = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'ARM error code (the SDK surfaces it as RestError.code)' }),
      message: Type.String(),
    }),
  },
  { $id: 'ArmError', title: 'ArmError' },
);

/** Catalogue code → ARM code. Unlisted codes fall back to a status-based ARM code. */
const ARM_CODES: Partial<Record<ErrorCode, string>> = {
  AUTH_MISSING: 'AuthenticationFailed',
  AUTH_INVALID_TOKEN: 'InvalidAuthenticationToken',
  TENANT_HEADER_INVALID: 'InvalidSubscriptionId',
  TENANT_FORBIDDEN: 'AuthorizationFailed',
  PERMISSION_DENIED: 'AuthorizationFailed',
  PLATFORM_ADMIN_REQUIRED: 'AuthorizationFailed',
  VALIDATION_FAILED: 'InvalidRequestContent',
  BODY_INVALID_JSON: 'InvalidRequestContent',
  UNSUPPORTED_MEDIA_TYPE: 'UnsupportedMediaType',
  BODY_TOO_LARGE: 'RequestEntityTooLarge',
  TEXT_INVALID: 'InvalidRequestContent',
  BODY_TOO_DEEP: 'InvalidRequestContent',
  ROUTE_NOT_FOUND: 'NotFound',
  INTERNAL: 'InternalServerError',
  UNAVAILABLE: 'ServiceUnavailable',
  ARM_API_VERSION_MISSING: 'MissingApiVersionParameter',
  ARM_API_VERSION_INVALID: 'InvalidApiVersionParameter',
  IOT_RESOURCE_NOT_FOUND: 'ResourceNotFound',
  IOT_KEY_NAME_NOT_FOUND: 'KeyNameNotFound',
  IOT_NAME_UNAVAILABLE: 'NameUnavailable',
  IOT_PRECONDITION_FAILED: 'PreconditionFailed',
  IOT_CONCURRENT_UPDATE: 'Conflict',
  IOT_BODY_INVALID: 'InvalidRequestContent',
  IOT_NAME_INVALID: 'InvalidResourceName',
  IOT_RESOURCE_GROUP_INVALID: 'InvalidResourceGroupName',
  IOT_LOCATION_REQUIRED: 'LocationRequired',
  IOT_LOCATION_CHANGED: 'InvalidResourceLocation',
  IOT_SKU_INVALID: 'InvalidSku',
  IOT_RIGHTS_INVALID: 'InvalidAccessRights',
  IOT_KEY_NAME_INVALID: 'InvalidKeyName',
  IOT_KEY_NAME_DUPLICATE: 'DuplicateKeyName',
  IOT_TOO_MANY_POLICIES: 'TooManyAuthorizationPolicies',
  IOT_KEY_INVALID: 'InvalidKey',
  CENTRAL_SUBDOMAIN_INVALID: 'InvalidSubdomain',
  CENTRAL_SUBDOMAIN_UNAVAILABLE: 'SubdomainUnavailable',
  CENTRAL_TEMPLATE_CHANGED: 'InvalidTemplate',
};

const BY_STATUS: Record<number, string> = {
  400: 'BadRequest',
  401: 'AuthenticationFailed',
  403: 'AuthorizationFailed',
  404: 'NotFound',
  409: 'Conflict',
  412: 'PreconditionFailed',
  429: 'TooManyRequests',
};

interface BodyViolation {
  instancePath: string;
  keyword: string;
  params?: Record<string, unknown>;
}

/** ARM's own wording for the errors the SDKs show as they come (the rest come from the catalogue). */
const ARM_TEXT: Record<
  Lang,
  {
    internal: string;
    authMissing: string;
    tokenExpired: string;
    tokenInvalid: string;
    subscriptionInvalid: (id: string) => string;
    authorizationFailed: (client: string, objectId: string, action: string, scope: string) => string;
  }
> = {
  en: {
    internal: 'An internal error occurred.',
    authMissing: "Authentication failed. The 'Authorization' header is missing.",
    tokenExpired: 'The access token has expired. Get a new one from the token endpoint and retry.',
    tokenInvalid: 'The access token is invalid.',
    subscriptionInvalid: (id) => `The provided subscription identifier '${id}' is malformed or invalid.`,
    authorizationFailed: (client, objectId, action, scope) =>
      `The client '${client}' with object id '${objectId}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid.`,
  },
  'zh-TW': {
    internal: '發生內部錯誤。',
    authMissing: "驗證失敗。缺少 'Authorization' 標頭。",
    tokenExpired: '存取權杖已過期。請從權杖端點取得新的權杖後重試。',
    tokenInvalid: '存取權杖無效。',
    subscriptionInvalid: (id) => `提供的訂用帳戶識別碼 '${id}' 格式不正確或無效。`,
    authorizationFailed: (client, objectId, action, scope) =>
      `物件識別碼為 '${objectId}' 的用戶端 '${client}' 沒有在範圍 '${scope}' 執行動作 '${action}' 的授權，或範圍無效。`,
  },
};

/** Which body rules an ARM route's schema errors are read against: an IoT hub / DPS, or an IoT Central app. */
/** Error responses of an ARM route: what every ARM route can answer (401, 403, bad api-version), plus `codes`. */
export const armErrorResponses = (...codes: ErrorCode[]) =>
  errorResponses(ArmErrorSchema, 'AUTH_MISSING', 'PERMISSION_DENIED', 'ARM_API_VERSION_INVALID', ...codes);

export type ArmBodyKind = IotKind | 'central';

const skusOf = (kind: ArmBodyKind) => (kind === 'central' ? CENTRAL_SKUS : IOT_KINDS[kind].skus);

/**
 * A body the schema (schemas/arm.ts, schemas/central.ts) rejected, as the catalogued error the
 * service answers for the same field, so a wrong shape and a wrong value of one field read alike.
 */
function bodyError(v: BodyViolation, body: unknown, kind: ArmBodyKind): AppError {
  const bad = (detail: string) => new AppError('IOT_BODY_INVALID', { detail });
  const path = v.instancePath.split('/').slice(1);
  if (v.keyword === 'required' && typeof v.params?.missingProperty === 'string') path.push(v.params.missingProperty);
  const [top, sub, index, field] = path;
  const b = (body ?? {}) as {
    sku?: { name?: unknown };
    properties?: { subdomain?: unknown; authorizationPolicies?: Record<string, unknown>[] };
  };
  // An over-long string is never echoed back: several codes below quote the value they refuse.
  // (tags and the Central display name / template have messages of their own that quote nothing.)
  const ownMessage = top === 'tags' || (kind === 'central' && top === 'properties' && (sub === 'displayName' || sub === 'template'));
  if (v.keyword === 'maxLength' && !ownMessage) return bad(`${path.join('.')} must be at most ${String(v.params?.limit ?? '')} characters`);
  switch (top) {
    case undefined:
      if (v.keyword === 'additionalProperties')
        return bad(`The request body has an unknown property '${String(v.params?.additionalProperty ?? '')}'`);
      return bad('The request body must be a JSON object');
    case 'location':
      return new AppError('IOT_LOCATION_REQUIRED');
    case 'sku':
      if (sub === 'capacity') return bad(`sku.capacity must be an integer between 1 and ${MAX_SKU_CAPACITY}`);
      return new AppError('IOT_SKU_INVALID', { allowed: skusOf(kind).join(', '), sku: String(b.sku?.name ?? '') });
    case 'tags':
      if (sub === undefined && v.keyword === 'type') return bad('tags must be an object of strings');
      return bad(
        `tags: at most ${MAX_TAGS}, names up to ${MAX_TAG_NAME} and values up to ${MAX_TAG_VALUE} characters, values must be strings`,
      );
    case 'identity':
      if (kind === 'central') return bad(CENTRAL_IDENTITY_RULE);
      break;
    case 'properties': {
      if (sub === undefined) return bad('properties must be an object');
      if (kind === 'central') {
        if (sub === 'subdomain') return new AppError('CENTRAL_SUBDOMAIN_INVALID', { subdomain: String(b.properties?.subdomain ?? '') });
        if (sub === 'displayName')
          return bad(`properties.displayName must be a non-empty string of at most ${DISPLAY_NAME_MAX} characters`);
        if (sub === 'template') return bad(`properties.template must be a non-empty string of at most ${TEMPLATE_MAX} characters`);
        break;
      }
      if (sub !== 'authorizationPolicies') break;
      if (index === undefined) return bad('properties.authorizationPolicies must be an array');
      if (field === undefined) return bad('each authorization policy must be an object');
      const item = b.properties?.authorizationPolicies?.[Number(index)] ?? {};
      const keyName = String(item.keyName ?? '');
      if (field === 'keyName') return new AppError('IOT_KEY_NAME_INVALID', { keyName });
      if (field === 'rights')
        return new AppError('IOT_RIGHTS_INVALID', {
          keyName,
          rights: String(item.rights ?? ''),
          allowed: IOT_KINDS[kind].atoms.join(', '),
        });
      if (field === 'primaryKey' || field === 'secondaryKey') return new AppError('IOT_KEY_INVALID', { keyName, which: field });
      break;
    }
  }
  return bad(`${path.join('.')} is ${v.keyword === 'required' ? 'required' : 'invalid'}`);
}

function toArmError(err: FastifyError, req: FastifyRequest): AppError {
  const fe = err as FastifyError & { validation?: BodyViolation[]; validationContext?: string };
  const kind = req.routeOptions.config.armKind;
  if (fe.validation?.[0] && fe.validationContext === 'body' && kind) return bodyError(fe.validation[0], req.body, kind);
  return toAppError(err);
}

/** The ARM error handler and not-found handler of the face. */
export function armErrors(s: Services) {
  /** A bearer token whose `exp` has passed: ARM says ExpiredAuthenticationToken for it. */
  function expiredBearer(req: FastifyRequest): boolean {
    const h = req.headers.authorization;
    return typeof h === 'string' && /^bearer /i.test(h) && s.access.isExpiredBearer(h.slice(7).trim());
  }

  function armCode(e: AppError, req: FastifyRequest): string {
    if (e.code === 'AUTH_INVALID_TOKEN' && expiredBearer(req)) return 'ExpiredAuthenticationToken';
    return ARM_CODES[e.code] ?? BY_STATUS[e.status] ?? (e.status >= 500 ? 'InternalServerError' : 'BadRequest');
  }

  function armMessage(e: AppError, req: FastifyRequest, lang: Lang): string {
    const text = ARM_TEXT[lang];
    if (!e.expose) return text.internal;
    const principal = req.principal;
    switch (e.code) {
      case 'AUTH_MISSING':
        return text.authMissing;
      case 'AUTH_INVALID_TOKEN':
        return expiredBearer(req) ? text.tokenExpired : text.tokenInvalid;
      case 'TENANT_HEADER_INVALID':
        return text.subscriptionInvalid(String((req.params as { subscriptionId?: string } | undefined)?.subscriptionId ?? ''));
      case 'TENANT_FORBIDDEN':
      case 'PERMISSION_DENIED':
      case 'PLATFORM_ADMIN_REQUIRED': {
        // Same text whether or not the subscription or resource exists: nothing is revealed.
        const scope = req.url.split('?')[0]!.replace(/\/(listkeys|IotHubKeys\/[^/]+\/listkeys|keys\/[^/]+\/listkeys)$/i, '');
        const action = req.routeOptions.config.armAction ?? `${req.method} ${req.routeOptions.url ?? ''}`;
        return text.authorizationFailed(principal?.name ?? '', principal?.id ?? '', action, scope);
      }
      default:
        return errorMessage(e, lang);
    }
  }

  const body = (e: AppError, req: FastifyRequest, reply: FastifyReply) => {
    const lang = errorLanguageOf(req, reply);
    return { error: { code: armCode(e, req), message: armMessage(e, req, lang) } };
  };

  return {
    handler(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
      const e = toArmError(err, req);
      if (e.status >= 500) req.log.error({ err }, 'request failed');
      // Never a `claims=` challenge on 401: the SDK would start the CAE re-authentication flow.
      const headers = { ...e.headers };
      if (e.status === 401)
        headers['WWW-Authenticate'] = 'Bearer realm="latch"' + (e.code === 'AUTH_INVALID_TOKEN' ? ', error="invalid_token"' : '');
      return reply
        .code(e.status)
        .headers(headers)
        .send(body(e, req, reply));
    },
    notFound(req: FastifyRequest, reply: FastifyReply) {
      const e = new AppError('ROUTE_NOT_FOUND', { method: req.method, url: req.url.split('?')[0] });
      return reply.code(404).send(body(e, req, reply));
    },
  };
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** ARM action name for AuthorizationFailed messages, e.g. Microsoft.Devices/IotHubs/listkeys/action. */
    armAction?: string;
    /** api-versions this ARM route accepts. */
    armApiVersions?: readonly string[];
    /** The resource kind of this ARM route: its body's schema errors are answered as the service's codes for the same fields (bodyError). */
    armKind?: ArmBodyKind;
  }
}
