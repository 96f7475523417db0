import type { Kysely } from 'kysely';

// Frozen. IoT Central applications (ARM Microsoft.IoTCentral/iotApps) and what lives in one:
// API tokens, organizations, custom roles. Deleting an app (or its tenant) cascades to all of them.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('central_apps')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('resource_group', 'text', (c) => c.notNull())
    .addColumn('resource_group_key', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    // ARM names and subdomains (host labels) are global across tenants, case-insensitively.
    .addColumn('name_key', 'text', (c) => c.notNull().unique())
    .addColumn('subdomain', 'text', (c) => c.notNull())
    .addColumn('subdomain_key', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('sku', 'text', (c) => c.notNull())
    .addColumn('location', 'text', (c) => c.notNull())
    .addColumn('template', 'text', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('identity_type', 'text', (c) => c.notNull())
    .addColumn('key_enc', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('central_apps_tenant').on('central_apps').columns(['tenant_id', 'resource_group_key']).execute();

  await db.schema
    .createTable('central_api_tokens')
    .addColumn('app_id', 'text', (c) => c.notNull().references('central_apps.id').onDelete('cascade'))
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('roles', 'text', (c) => c.notNull())
    .addColumn('expiry', 'bigint', (c) => c.notNull())
    .addColumn('salt', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('central_api_tokens_pk', ['app_id', 'id'])
    .execute();

  await db.schema
    .createTable('central_orgs')
    .addColumn('app_id', 'text', (c) => c.notNull().references('central_apps.id').onDelete('cascade'))
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('parent', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('central_orgs_pk', ['app_id', 'id'])
    .execute();

  await db.schema
    .createTable('central_roles')
    .addColumn('app_id', 'text', (c) => c.notNull().references('central_apps.id').onDelete('cascade'))
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('permissions', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('central_roles_pk', ['app_id', 'id'])
    .execute();
}
