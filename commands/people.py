"""`floorview user` and `floorview token`: the people who sign in, and the scripts that post data."""

from __future__ import annotations

import argparse
import os
import sys

from commands.common import csv_list, db_option, db_path, password, settings_of
from roles import ROLES


def register(sub: argparse._SubParsersAction, db: argparse.ArgumentParser) -> None:
    tok = sub.add_parser("token", help="bearer tokens for scripts and vendor integrations (POST /api/v1/files)")
    tok_actions = tok.add_subparsers(dest="action", required=True)
    for action, text in (("create", "make a token (printed once, on the last line)"), ("revoke", "revoke a token")):
        tok_actions.add_parser(action, parents=[db], help=text).add_argument("name")
    tok_actions.add_parser("list", parents=[db], help="list tokens")
    tok.set_defaults(func=cmd_token)

    user = sub.add_parser("user", parents=[db], help="manage the people who sign in")
    actions = user.add_subparsers(dest="action", required=True)
    db_after = db_option(argparse.SUPPRESS)  # `user --db X add …` and `user add … --db X` alike
    add = actions.add_parser("add", parents=[db_after], help="add a user (password asked, or read from stdin)")
    add.add_argument("username")
    add.add_argument("--name", help="display name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--agent", help="agent id (role agent)")
    add.add_argument("--teams", help="team ids, comma-separated (role supervisor)")
    add.add_argument("--sites", help="site ids, comma-separated (role manager)")
    add.add_argument("--password-stdin", action="store_true")
    actions.add_parser("list", parents=[db_after], help="list users")
    passwd = actions.add_parser("passwd", parents=[db_after], help="set a user's password")
    passwd.add_argument("username")
    passwd.add_argument("--password-stdin", action="store_true")
    disable = actions.add_parser("disable", parents=[db_after], help="stop a user signing in (or --enable again)")
    disable.add_argument("username")
    disable.add_argument("--enable", action="store_true")
    role = actions.add_parser("role", parents=[db_after], help="change a user's role and scope")
    role.add_argument("username")
    role.add_argument("role", choices=ROLES)
    role.add_argument("--agent")
    role.add_argument("--teams")
    role.add_argument("--sites")
    user.set_defaults(func=cmd_user)


def cmd_user(args: argparse.Namespace) -> int:
    import accounts
    import store

    settings = settings_of(args)
    con = store.connect(db_path(args, settings))
    scope = {"agent_id": getattr(args, "agent", None), "team_ids": tuple(csv_list(getattr(args, "teams", None))),
             "site_ids": tuple(csv_list(getattr(args, "sites", None)))}
    try:
        if args.action == "add":
            accounts.add_user(con, args.username, args.name or args.username, args.role, password(args), **scope)
            print(f"added {args.username} ({args.role})")
        elif args.action == "list":
            for u in accounts.list_users(con):
                where = u["agent_id"] or ",".join(u["team_ids"] or u["site_ids"] or []) or "all sites"
                print(f"{u['username']:<20} {u['role']:<13} {where:<24} {u['display_name']}"
                      + ("  (disabled)" if u["disabled"] else ""))
        elif args.action == "passwd":
            accounts.set_password(con, args.username, password(args))
            print(f"password changed for {args.username}")
        elif args.action == "disable":
            accounts.set_disabled(con, args.username, not args.enable)
            print(f"{args.username} {'enabled' if args.enable else 'disabled'}")
        elif args.action == "role":
            accounts.set_role(con, args.username, args.role, **scope)
            print(f"{args.username} is now {args.role}")
    except accounts.AccountError as err:
        print(f"floorview user: {err}", file=sys.stderr)
        return 2
    finally:
        con.close()
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    import store
    from live import tokens

    settings = settings_of(args)
    con = store.connect(db_path(args, settings))
    who = f"{os.environ.get('USER', 'cli')} (floorview token)"
    try:
        with store.transaction(con):
            if args.action == "create":
                token = tokens.create(con, args.name, who)
                print(f"token {args.name} created; it is shown only now — keep it like a password:")
                print(token)
            elif args.action == "revoke":
                tokens.revoke(con, args.name, who)
                print(f"token {args.name} revoked")
            else:
                for name, created, by, revoked in tokens.listing(con):
                    print(f"{name:<24} created {created} by {by}" + (f"  REVOKED {revoked}" if revoked else ""))
    except tokens.TokenError as err:
        print(f"floorview token: {err}", file=sys.stderr)
        return 2
    finally:
        con.close()
    return 0
