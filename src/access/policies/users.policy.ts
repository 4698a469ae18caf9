// Accounts and roles: unit administrators manage people of their own subtree.
import { allow } from '../policy.js';

allow('list', 'User', (actor, user) => actor.can('users:manage', user.path));
allow('see', 'User', (actor, user) => actor.userId === user.id || actor.can('users:manage', user.path));
allow('manage', 'User', (actor, user) => actor.can('users:manage', user.path) && actor.userId !== user.id);
allow('create-in', 'Organisation', (actor, org) => actor.can('users:manage', org.path));
// Granting a role over an organisation needs users:manage there too, so nobody hands out reach they lack.
allow('grant-over', 'Organisation', (actor, org) => actor.can('users:manage', org.path));
