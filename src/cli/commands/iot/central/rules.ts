/** The Central rules the CLI checks before calling, from the one definition in domain/. */
import { API_TOKEN_ID, CENTRAL_BUILT_IN_ROLES, CENTRAL_SKUS, DEFAULT_TEMPLATE } from '../../../../domain/central.js';

export { API_TOKEN_ID, CENTRAL_SKUS, DEFAULT_TEMPLATE };

const roleId = (displayName: string): string => CENTRAL_BUILT_IN_ROLES.find((r) => r.displayName === displayName)!.id;

/** az's `--role` enum (azext_iot/central/models/enum.py `Role`): exact, case-sensitive names → built-in role ids. */
export const CENTRAL_ROLE_ALIASES: Readonly<Record<string, string>> = {
  admin: roleId('Administrator'),
  builder: roleId('Builder'),
  operator: roleId('Operator'),
};
