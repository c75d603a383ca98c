"""``linli token create USER [--name N]`` prints a new API token (shown once);
``linli token list USER``; ``linli token revoke TOKEN_ID``."""

from django.core.management.base import BaseCommand, CommandError

from linli.accounts.models import ApiToken, User
from linli.accounts.services import token_create, token_revoke
from linli.core.actors import SYSTEM
from linli.core.errors import LinliError


class Command(BaseCommand):
    help = "Create, list and revoke API tokens."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token and print it once.")
        create.add_argument("username")
        create.add_argument("--name", default="")
        listing = sub.add_parser("list", help="List a user's tokens.")
        listing.add_argument("username")
        revoke = sub.add_parser("revoke", help="Revoke a token by its id.")
        revoke.add_argument("token_id", type=int)

    def _user(self, username):
        try:
            return User.objects.get(username=username)
        except User.DoesNotExist as exc:
            raise CommandError(f"No user named {username!r}.") from exc

    def handle(self, *args, action, **options):
        try:
            if action == "create":
                user = self._user(options["username"])
                token, secret = token_create(actor=SYSTEM, user=user, name=options["name"])
                self.stdout.write(secret)
                self.stderr.write(
                    f"Token {token.pk} for {user.username}. Keep it safe: it is not shown again."
                )
            elif action == "list":
                user = self._user(options["username"])
                for token in user.api_tokens.order_by("created_at"):
                    state = "revoked" if token.revoked_at else "active"
                    self.stdout.write(f"{token.pk}\t{token.hint}…\t{state}\t{token.name}")
            elif action == "revoke":
                token = ApiToken.objects.filter(pk=options["token_id"]).first()
                if token is None:
                    raise CommandError(f"No token with id {options['token_id']}.")
                token_revoke(actor=SYSTEM, token=token)
                self.stdout.write(f"Token {token.pk} revoked.")
        except LinliError as exc:
            raise CommandError(exc.message) from exc
