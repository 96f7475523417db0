// Placeholder until the domain module of the Central face lands: then these come from src/domain.
export const CENTRAL_TOKEN_ID = /^[0-9a-zA-Z-]{1,40}$/;
export const CENTRAL_ROLE_ALIASES = {
  admin: 'ca310b8d-2f4a-44e0-a36e-957c202cd8d4',
  builder: '344138e9-8de4-4497-8c54-5237e96d6aaf',
  operator: 'ae2c9854-393b-4f97-8c42-479d70ce626e',
} as const;
