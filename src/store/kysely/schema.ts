/** Row shapes as stored (see migrations). */
export interface DB {
  meta: { key: string; value: string };
  login_failures: { key: string; failures: number; last_failure_at: number; forget_at: number };
  tenants: { id: string; name: string; name_key: string; parent_id: string | null; created_at: number };
  users: {
    id: string;
    tenant_id: string;
    username: string;
    username_key: string;
    email: string | null;
    first_name: string | null;
    last_name: string | null;
    password_hash: string;
    platform_admin: number;
    disabled: number;
    created_at: number;
    last_used_at: number | null;
  };
  roles: {
    id: string;
    tenant_id: string;
    name: string;
    name_key: string;
    description: string | null;
    permissions: string;
    created_at: number;
  };
  role_assignments: { id: string; tenant_id: string; principal_type: string; principal_id: string; role_id: string; created_at: number };
  api_keys: {
    id: string;
    tenant_id: string;
    name: string;
    name_key: string;
    secret_hash: string;
    start: string;
    expires_at: number;
    created_at: number;
    created_by: string | null;
    last_used_at: number | null;
  };
  sessions: {
    id: string;
    tenant_id: string;
    principal_type: string;
    principal_id: string;
    created_at: number;
    expires_at: number;
    revoked_at: number | null;
    client_address: string | null;
  };
  refresh_tokens: { id: string; hash: string; session_id: string; created_at: number; expires_at: number; used_at: number | null };
  signing_keys: {
    kid: string;
    alg: string;
    public_jwk: string;
    private_enc: string;
    created_at: number;
    retired_at: number | null;
    verify_until: number | null;
  };
  audit_events: {
    id: string;
    tenant_id: string;
    at: number;
    actor_type: string | null;
    actor_id: string | null;
    action: string;
    target_type: string | null;
    target_id: string | null;
    request_id: string | null;
    client_address: string | null;
    detail: string | null;
  };
  agents: {
    id: string;
    tenant_id: string;
    name: string;
    name_key: string;
    label: string | null;
    hardware_model: string | null;
    hardware_serial: string | null;
    broker_version: string | null;
    software_version: string | null;
    connection_state: string;
    data_pipelines_status: string;
    creation_time: number;
    last_seen_time: number | null;
  };
  asset_types: {
    id: string;
    tenant_id: string;
    name: string;
    name_key: string;
    description: string | null;
    connection_type: string;
    data_model: string;
    config: string;
    created_time: number;
    updated_time: number;
  };
}
