import type { Role, User } from '../api/types';

/**
 * Which roles may do what, mirroring the server's route table so the UI can hide what a user
 * cannot do. The server stays the authority: a hidden button is a courtesy, not a control.
 */
export const PERMISSIONS = {
  /** approve, send, acknowledge, close, retract */
  act: ['liaison', 'admin'],
  create: ['liaison', 'analyst', 'regulator', 'admin'],
  channel: ['admin', 'lead'],
  /** the Auditor page: the verifiable record */
  audit: ['auditor', 'admin', 'lead'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export const can = (user: User | undefined | null, permission: Permission): boolean =>
  !!user && user.roles.some((role) => (PERMISSIONS[permission] as readonly string[]).includes(role));
