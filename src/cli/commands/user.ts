import type { Context } from '../../services/context.js';
import { isPermission, isRole, PERMISSIONS, ROLES, type Permission } from '../../access/permissions.js';
import { int, parse } from '../args.js';
import { printTable, UsageError } from '../output.js';
import { userHelp } from '../usage.js';

// The command line acts as the platform itself (whoever can run it can read the data folder);
// every change it makes is still written to the access register.
export async function userCommand(ctx: Context, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const users = ctx.access.users;
  const byLogin = async (login: string | undefined) => {
    if (!login) throw new UsageError('a login name is needed');
    const u = await ctx.repos.accounts.userByLogin(login.toLowerCase());
    if (!u) throw new UsageError(`no account "${login}"`);
    return u;
  };
  switch (sub) {
    case 'list': {
      const { values } = parse(rest, { json: { type: 'boolean' } }, false);
      const rows = await Promise.all(
        (await ctx.repos.accounts.listUsers([''])).map(async (u) => ({
          id: u.id,
          login: u.login,
          name: u.display_name,
          workId: u.work_id,
          org: u.organisation_id,
          status: u.status,
          totp: u.totp_secret ? 'yes' : 'no',
          password: u.must_change_password ? 'to change' : 'own',
          roles: (await ctx.repos.accounts.grantsOf(u.id)).map((g) => `${g.id}:${g.role}@${g.organisationId ?? 'platform'}`).join(' '),
        })),
      );
      if (values.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      else printTable(rows, ['id', 'login', 'name', 'workId', 'org', 'status', 'totp', 'password', 'roles']);
      return 0;
    }
    case 'add': {
      const { values } = parse(rest, { login: { type: 'string' }, name: { type: 'string' }, 'work-id': { type: 'string' }, org: { type: 'string' } }, false);
      if (!values.login || !values.name) throw new UsageError('--login and --name are required');
      const { user, password } = await users.create(null, { login: values.login, displayName: values.name, workId: values['work-id'] ?? null, organisationId: int(values.org, 'org') ?? null, mustChangePassword: true });
      process.stdout.write(`created user ${user.id} (${user.login})\npassword: ${password} (to be replaced at the first sign-in)\n`);
      return 0;
    }
    case 'passwd': {
      const u = await byLogin(rest[0]);
      const password = await users.resetPassword(null, u.id);
      process.stdout.write(`new password for ${u.login}: ${password} (to be replaced at the next sign-in)\n`);
      return 0;
    }
    case 'grant': {
      const { values, positionals } = parse(rest, { org: { type: 'string' } });
      const u = await byLogin(positionals[0]);
      const role = positionals[1];
      if (!role || !isRole(role)) throw new UsageError(`a role is one of ${ROLES.join(', ')}`);
      await users.grant(null, u.id, role, int(values.org, 'org') ?? null);
      process.stdout.write(`granted ${role} to ${u.login}\n`);
      return 0;
    }
    case 'revoke': {
      const id = int(rest[0], 'grant id');
      if (id === undefined) throw new UsageError('user revoke needs a grant id (see vigil user list)');
      await users.revokeGrant(null, id);
      process.stdout.write(`revoked grant ${id}\n`);
      return 0;
    }
    case 'token': {
      const { values, positionals } = parse(rest, { permissions: { type: 'string' }, org: { type: 'string' }, days: { type: 'string' }, name: { type: 'string' } });
      const u = await byLogin(positionals[0]);
      const permissions = (values.permissions ?? '').split(',').map((p) => p.trim()).filter(Boolean);
      const bad = permissions.filter((p) => !isPermission(p));
      if (!permissions.length || bad.length) throw new UsageError(`--permissions is a comma-separated list of ${PERMISSIONS.join(', ')}`);
      const t = await users.createToken(null, u.id, {
        name: values.name ?? 'command line',
        permissions: permissions as Permission[],
        organisationId: int(values.org, 'org') ?? null,
        expiresInDays: int(values.days, 'days') ?? 90,
      });
      process.stdout.write(`token ${t.id} for ${u.login}, expires ${new Date(t.expiresAt).toISOString()}:\n${t.token}\n`);
      return 0;
    }
    default:
      throw new UsageError(userHelp);
  }
}
