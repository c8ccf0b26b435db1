export const ROLES = ['admin', 'liaison', 'analyst', 'regulator', 'lead', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

/** Who is doing something: a signed-in user, a peer node (by signature) or the node itself. */
export type Actor =
  | { kind: 'user'; id: string; username: string; displayName: string; roles: Role[] }
  | { kind: 'peer'; party: string }
  | { kind: 'system' };

export const actorLabel = (actor: Actor): string => {
  switch (actor.kind) {
    case 'user':
      return actor.username;
    case 'peer':
      return `peer:${actor.party}`;
    case 'system':
      return 'system';
  }
};

export const SYSTEM: Actor = { kind: 'system' };
