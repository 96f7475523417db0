import type { Kysely } from 'kysely';

// Frozen. IoT hubs and provisioning services (ARM face) and their shared access policies.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('iot_resources')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('resource_group', 'text', (c) => c.notNull())
    .addColumn('resource_group_key', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull())
    .addColumn('location', 'text', (c) => c.notNull())
    .addColumn('sku_name', 'text', (c) => c.notNull())
    .addColumn('sku_capacity', 'integer', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('properties', 'text', (c) => c.notNull())
    .addColumn('etag', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_by_type', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .addColumn('updated_by_type', 'text')
    // Host names ({name}.{suffix}) are global: one name per kind across all tenants.
    .addUniqueConstraint('iot_resources_kind_name', ['kind', 'name_key'])
    .execute();
  await db.schema.createIndex('iot_resources_tenant').on('iot_resources').columns(['tenant_id', 'kind', 'resource_group_key']).execute();

  await db.schema
    .createTable('iot_policies')
    .addColumn('resource_id', 'text', (c) => c.notNull().references('iot_resources.id').onDelete('cascade'))
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('key_name', 'text', (c) => c.notNull())
    .addColumn('key_name_key', 'text', (c) => c.notNull())
    .addColumn('rights', 'text', (c) => c.notNull())
    .addColumn('primary_enc', 'text', (c) => c.notNull())
    .addColumn('secondary_enc', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('iot_policies_pk', ['resource_id', 'key_name_key'])
    .execute();
}
