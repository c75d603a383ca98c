"""Who acts when no person does: the SYSTEM actor of scheduled jobs, the demo loader and the
command line. It is not a user row and holds no role grant; it may do exactly what the apps
grant it by name (``system_may``), and every service checks its permissions like anyone's.
Timeline events and the audit log record it with no user (shown as "system")."""

from django.utils.translation import gettext_lazy as _

_SYSTEM_PERMISSIONS: set[str] = set()


def system_may(*perms: str) -> None:
    """Grant SYSTEM these named permissions (called from an app's ``rules.py``)."""
    _SYSTEM_PERMISSIONS.update(perms)


def system_permissions() -> frozenset[str]:
    return frozenset(_SYSTEM_PERMISSIONS)


class SystemActor:
    """Duck-types the parts of a user that services and predicates read."""

    pk = None
    id = None
    is_system = True
    is_authenticated = True
    is_active = True
    is_staff = False
    is_superuser = False
    is_anonymous = False
    username = "system"
    display_name = _("system")

    def get_username(self) -> str:
        return ""

    def has_perm(self, perm: str, obj=None) -> bool:
        return perm in _SYSTEM_PERMISSIONS

    def has_perms(self, perms, obj=None) -> bool:
        return all(self.has_perm(perm, obj) for perm in perms)

    def __str__(self):
        return str(self.display_name)

    def __repr__(self):
        return "SYSTEM"

    def __bool__(self):
        return True


SYSTEM = SystemActor()


def is_system(actor) -> bool:
    return getattr(actor, "is_system", False)


def user_or_none(actor):
    """The user row to store for ``actor``: None for SYSTEM (and anonymous visitors)."""
    if actor is None or is_system(actor) or not getattr(actor, "is_authenticated", False):
        return None
    return actor
