import { z } from 'zod';
import { ROLES } from '../../platform/actor.ts';

export const USERNAME = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{1,62}$/, 'must be 2-63 lower-case letters, digits, dots, dashes or underscores');

export const PASSWORD = z.string().min(12, 'must be at least 12 characters').max(256);

export const NewUserSchema = z.object({
  username: USERNAME,
  displayName: z.string().min(1).max(200),
  password: PASSWORD,
  roles: z.array(z.enum(ROLES)).min(1, 'at least one role'),
});
export type NewUser = z.infer<typeof NewUserSchema>;

export const LoginSchema = z.object({ username: z.string().min(1).max(100), password: z.string().min(1).max(256) });

export const NewTokenSchema = z.object({ name: z.string().min(1).max(100) });

export interface User {
  id: string;
  username: string;
  displayName: string;
  roles: string[];
  disabled: boolean;
  createdAt: string;
}
