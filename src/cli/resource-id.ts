import { sameName } from '../domain/names.js';

/** ARM resource ids as az's `--ids` takes them: `/subscriptions/{sub}/resourceGroups/{rg}/providers/{namespace}/{type}/{name}`. */
export interface ResourceId {
  subscription: string;
  resourceGroup: string;
  /** `Microsoft.Devices/IotHubs`, as the id spells it. */
  type: string;
  name: string;
}

const ID = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/([^/]+\/[^/]+)\/([^/]+)\/?$/i;

/** The parts of `id` when it names a resource of `type` (compared case-insensitively, as ARM does), else undefined. */
export function parseResourceId(id: string, type: string): ResourceId | undefined {
  const m = ID.exec(id.trim());
  if (!m || !sameName(m[3]!, type)) return undefined;
  const [subscription, resourceGroup, name] = [m[1], m[2], m[4]].map((s) => decodeURIComponent(s!));
  return { subscription: subscription!, resourceGroup: resourceGroup!, type: m[3]!, name: name! };
}

export const resourceIdShape = (type: string) => `/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/${type}/{name}`;
