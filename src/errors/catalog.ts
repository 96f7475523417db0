/**
 * The error catalogue: every code Latch answers with, its HTTP status and its message template.
 * Codes are stable and append-only: clients and tests match on them. `{name}` placeholders are
 * filled from the params given to AppError. Faces render these in their platform's envelope.
 */
import { API_KEY_NAME_PATTERN } from '../domain/api-keys.js';

export const ERRORS = {
  // generic request errors
  VALIDATION_FAILED: { status: 400, message: '{detail}' },
  BODY_INVALID_JSON: { status: 400, message: 'Request body is not valid JSON' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Unsupported content type {type}' },
  BODY_TOO_LARGE: { status: 413, message: 'Request body is too large' },
  // input rules (domain/text.ts), enforced at the HTTP edge for every path parameter, query string and body
  TEXT_INVALID: { status: 400, message: 'The {where} contains a NUL character or an unpaired UTF-16 surrogate at {at}' },
  BODY_TOO_DEEP: { status: 400, message: 'The JSON body nests deeper than {max} levels' },
  // connection errors, answered before any route is matched (http/plugins/client-errors.ts)
  REQUEST_MALFORMED: { status: 400, message: 'The request is not valid HTTP/1.1' },
  REQUEST_TIMEOUT: { status: 408, message: 'The request did not arrive in time' },
  HEADERS_TOO_LARGE: { status: 431, message: 'The request headers are too large' },
  ROUTE_NOT_FOUND: { status: 404, message: 'Route {method} {url} not found' },
  INTERNAL: { status: 500, message: 'Internal server error' },
  UNAVAILABLE: { status: 503, message: 'Service unavailable' },

  // authentication (401) and authorisation (403)
  AUTH_MISSING: { status: 401, message: 'Missing access token' },
  AUTH_INVALID_TOKEN: { status: 401, message: 'Invalid or expired access token' },
  TENANT_HEADER_INVALID: { status: 400, message: 'Missing or invalid x-tenant-id header' },
  TENANT_FORBIDDEN: { status: 403, message: 'User is not authorized for tenant {tenantId}' },
  PERMISSION_DENIED: { status: 403, message: 'Missing required permission: {permission}' },
  PLATFORM_ADMIN_REQUIRED: { status: 403, message: 'Only the platform administrator may do this' },
  PERMISSION_ESCALATION: {
    status: 403,
    message: 'Cannot grant {grant}: the caller does not hold {permissions} in this tenant, and no one grants what they do not hold',
  },

  // token endpoint (OAuth 2.0 error codes are rendered by the token route itself)
  OAUTH_INVALID_REQUEST: { status: 400, message: '{detail}' },
  OAUTH_UNSUPPORTED_GRANT_TYPE: { status: 400, message: 'Unsupported grant_type' },
  OAUTH_INVALID_CLIENT: { status: 401, message: 'Invalid client or Invalid client credentials' },
  OAUTH_CLIENT_SECRET_MISSING: { status: 401, message: 'Client secret not provided in request' },
  OAUTH_INVALID_USER_CREDENTIALS: { status: 401, message: 'Invalid user credentials' },
  OAUTH_INVALID_REFRESH_TOKEN: { status: 400, message: 'Invalid refresh token' },
  OAUTH_REFRESH_TOKEN_EXPIRED: { status: 400, message: 'Token is not active' },
  OAUTH_REFRESH_TOKEN_REUSED: { status: 400, message: 'Stale token' },
  OAUTH_SESSION_NOT_ACTIVE: { status: 400, message: 'Session not active' },
  OAUTH_THROTTLED: { status: 429, message: 'Too many failed login attempts; retry after {retryAfter} seconds' },

  // tenants and organisations
  TENANT_NOT_FOUND: { status: 404, message: 'Tenant {id} not found' },
  TENANT_NAME_TAKEN: { status: 409, message: 'A tenant named {name} already exists' },
  ORG_HAS_CHILDREN: { status: 409, message: 'Organization {id} still has sub-organizations' },

  // users
  USER_NOT_FOUND: { status: 404, message: 'User {id} not found' },
  USERNAME_TAKEN: { status: 409, message: 'A user named {username} already exists' },
  USER_SELF_DELETE: { status: 400, message: 'You cannot delete your own user' },
  PASSWORD_TOO_WEAK: { status: 400, message: 'Password must be at least {min} characters long' },

  // roles and assignments
  ROLE_NOT_FOUND: { status: 404, message: 'Role {id} not found' },
  ROLE_NAME_TAKEN: { status: 409, message: 'A role named {name} already exists' },
  ROLE_BUILT_IN: { status: 400, message: 'Built-in role {name} cannot be changed' },
  ROLE_IN_USE: { status: 409, message: 'Role {name} is still assigned' },
  PERMISSION_UNKNOWN: { status: 400, message: 'Unknown permission {permission}' },
  ROLE_ASSIGNMENT_NOT_FOUND: { status: 404, message: 'Role assignment not found' },

  // API keys
  API_KEY_NOT_FOUND: { status: 404, message: 'API key {id} not found' },
  API_KEY_NAME_TAKEN: { status: 409, message: 'An API key named {name} already exists' },
  API_KEY_NAME_INVALID: { status: 400, message: `API key name must match ${API_KEY_NAME_PATTERN}` },
  API_KEY_EXPIRY_INVALID: { status: 400, message: '{detail}' },
  API_KEY_ROLES_REQUIRED: { status: 400, message: 'An API key needs at least one role' },

  // sessions
  SESSION_NOT_FOUND: { status: 404, message: 'Session {id} not found' },

  // audit
  AUDIT_QUERY_INVALID: { status: 400, message: '{detail}' },

  // EI northbound API
  AGENT_NOT_FOUND: { status: 404, message: 'Agent {id} not found' },
  AGENT_NAME_TAKEN: { status: 409, message: 'An agent named {name} already exists' },
  ASSET_TYPE_NOT_FOUND: { status: 404, message: 'Asset type {id} not found' },
  ASSET_TYPE_NAME_TAKEN: { status: 409, message: 'An asset type named {name} already exists' },
  // ARM face: IoT hubs and provisioning services (rendered as ARM codes by faces/arm/errors.ts)
  ARM_API_VERSION_MISSING: { status: 400, message: 'The api-version query parameter (?api-version=) is required for all requests.' },
  ARM_API_VERSION_INVALID: { status: 400, message: "The api-version '{version}' is invalid. The supported versions are '{supported}'." },
  IOT_RESOURCE_NOT_FOUND: { status: 404, message: "The Resource '{type}/{name}' under resource group '{resourceGroup}' was not found." },
  IOT_KEY_NAME_NOT_FOUND: { status: 404, message: "The key name '{keyName}' was not found on '{name}'." },
  IOT_NAME_UNAVAILABLE: { status: 409, message: "The name '{name}' is not available: {type} names are global (they are host names)." },
  IOT_PRECONDITION_FAILED: {
    status: 412,
    message: "The specified precondition 'If-Match = {ifMatch}' failed: the current etag of '{name}' differs.",
  },
  IOT_CONCURRENT_UPDATE: { status: 409, message: "'{name}' was changed by another request; retry." },
  IOT_BODY_INVALID: { status: 400, message: '{detail}' },
  IOT_NAME_INVALID: { status: 400, message: "The resource name '{name}' is invalid: {rule}" },
  IOT_RESOURCE_GROUP_INVALID: {
    status: 400,
    message: "The resource group name '{resourceGroup}' is invalid: 1-90 letters, digits, '-', '_', '.', '(' or ')', not ending in '.'.",
  },
  IOT_LOCATION_REQUIRED: { status: 400, message: 'The location property is required for this definition.' },
  IOT_LOCATION_CHANGED: { status: 400, message: "The location of '{name}' is '{location}' and cannot be changed." },
  IOT_SKU_INVALID: { status: 400, message: "sku.name must be one of {allowed}; got '{sku}'." },
  IOT_RIGHTS_INVALID: { status: 400, message: "Policy '{keyName}': rights '{rights}' are invalid; allowed atoms are {allowed}." },
  IOT_KEY_NAME_INVALID: { status: 400, message: "Policy key name '{keyName}' is invalid: 1-64 letters, digits, '-', '_' or '.'." },
  IOT_KEY_NAME_DUPLICATE: { status: 400, message: "Policy key name '{keyName}' appears more than once (names are case-insensitive)." },
  IOT_TOO_MANY_POLICIES: { status: 400, message: 'At most {max} shared access policies are allowed; got {count}.' },
  IOT_KEY_INVALID: { status: 400, message: "Policy '{keyName}': {which} must be standard base64 of 16 to 64 bytes." },
  // IoT Central: ARM apps (ARM envelope) and the data plane (Central envelope, faces/central/errors.ts)
  CENTRAL_SUBDOMAIN_INVALID: {
    status: 400,
    message: "The subdomain '{subdomain}' is invalid: a DNS label of letters, digits and hyphens (up to 63), not shaped like a GUID.",
  },
  CENTRAL_SUBDOMAIN_UNAVAILABLE: { status: 409, message: "The subdomain '{subdomain}' is not available." },
  CENTRAL_TEMPLATE_CHANGED: { status: 400, message: "The template of '{name}' is '{template}' and cannot be changed." },
  CENTRAL_APP_NOT_FOUND: { status: 404, message: "The application '{app}' was not found." },
  CENTRAL_API_VERSION_INVALID: { status: 400, message: "The api-version '{version}' is not supported. Supported versions: {supported}." },
  CENTRAL_UNAUTHENTICATED: { status: 401, message: 'The provided authentication token is invalid.' },
  CENTRAL_FORBIDDEN: { status: 403, message: 'The caller is not authorized to perform this action (needs {permission}).' },
  CENTRAL_TOKEN_ID_INVALID: { status: 400, message: "The API token id '{id}' is invalid: 1-40 characters of [0-9a-zA-Z-]." },
  CENTRAL_TOKEN_NOT_FOUND: { status: 404, message: "API token '{id}' was not found." },
  CENTRAL_TOKEN_EXISTS: { status: 409, message: "API token '{id}' already exists." },
  CENTRAL_EXPIRY_INVALID: { status: 400, message: "The expiry '{expiry}' is invalid: an ISO 8601 date-time in the future is required." },
  CENTRAL_ROLE_UNKNOWN: { status: 400, message: "The role '{role}' does not exist in this application." },
  CENTRAL_ROLE_NEEDS_ORG: { status: 400, message: "The role '{role}' is an organization role: an organization is required." },
  CENTRAL_ROLE_APP_SCOPED: { status: 400, message: "The role '{role}' applies to the whole application: an organization cannot be given." },
  CENTRAL_ORG_UNKNOWN: { status: 400, message: "The organization '{organization}' does not exist in this application." },
  CENTRAL_ROLE_ESCALATION: { status: 403, message: "The caller cannot grant role '{role}': it holds permissions the caller does not." },
  CENTRAL_ROLE_NOT_FOUND: { status: 404, message: "Role '{id}' was not found." },
  CENTRAL_ROLE_EXISTS: { status: 409, message: "Role '{id}' already exists." },
  CENTRAL_ROLE_ID_INVALID: { status: 400, message: "The role id '{id}' is invalid: a GUID that is not a built-in role." },
  CENTRAL_ROLE_PERMISSION_INVALID: {
    status: 400,
    message: "The permission '{permission}' is unknown or not allowed in a role of scope '{scope}'.",
  },
  CENTRAL_ORG_ID_INVALID: { status: 400, message: "The organization id '{id}' is invalid: 1-48 lower-case letters, digits or hyphens." },
  CENTRAL_ORG_NOT_FOUND: { status: 404, message: "Organization '{id}' was not found." },
  CENTRAL_ORG_EXISTS: { status: 409, message: "Organization '{id}' already exists." },
  CENTRAL_ORG_PARENT_UNKNOWN: { status: 400, message: "The parent organization '{parent}' does not exist in this application." },
  CENTRAL_ORG_HAS_CHILDREN: { status: 409, message: "Organization '{id}' still has child organizations." },
  CENTRAL_ORG_IN_USE: { status: 409, message: "Organization '{id}' is still used by {count} API token(s)." },
  CENTRAL_BODY_INVALID: { status: 400, message: '{detail}' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;
