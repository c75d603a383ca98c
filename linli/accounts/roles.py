"""The roles of SPEC 2 and what each may do. A role is granted on a place and covers its
subtree; this table is the only place that says which role may do what."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DISTRICT_ADMIN = "district_admin", _("district administrator")
    STREET_ADMIN = "street_admin", _("street administrator")
    COMMUNITY_WORKER = "community_worker", _("community worker")
    BRANCH_SECRETARY = "branch_secretary", _("branch secretary")
    PROPERTY_STAFF = "property_staff", _("property staff")
    VOLUNTEER = "volunteer", _("volunteer")
    CLINIC_STAFF = "clinic_staff", _("clinic staff")
    ELDER_CARE_STAFF = "elder_care_staff", _("elder-care station staff")
    PATROL_OFFICER = "patrol_officer", _("patrol officer")
    INSPECTOR = "inspector", _("inspector")
    RESIDENT = "resident", _("resident")


ALL_KINDS = frozenset(
    {"district", "street", "community", "compound", "building", "unit", "household"}
)
NO_HOUSEHOLDS = ALL_KINDS - {"household"}

# Which kinds of place a role sees inside the subtree it is granted on. Households are
# addresses of people, so only roles that serve residents directly see them. A resident is
# special: they see exactly the household they are granted on (see Scope).
VISIBLE_KINDS: dict[str, frozenset[str]] = {
    Role.DISTRICT_ADMIN: ALL_KINDS,
    Role.STREET_ADMIN: ALL_KINDS,
    Role.COMMUNITY_WORKER: ALL_KINDS,
    Role.BRANCH_SECRETARY: ALL_KINDS,
    Role.PROPERTY_STAFF: ALL_KINDS,
    Role.VOLUNTEER: NO_HOUSEHOLDS,
    Role.CLINIC_STAFF: NO_HOUSEHOLDS,
    Role.ELDER_CARE_STAFF: NO_HOUSEHOLDS,
    Role.PATROL_OFFICER: NO_HOUSEHOLDS,
    Role.INSPECTOR: NO_HOUSEHOLDS,
    Role.RESIDENT: frozenset({"household"}),
}

# The kinds of place a grant of each role may be made on.
GRANT_PLACE_KINDS: dict[str, frozenset[str]] = {
    Role.DISTRICT_ADMIN: frozenset({"district"}),
    Role.STREET_ADMIN: frozenset({"street"}),
    Role.COMMUNITY_WORKER: frozenset({"community", "compound"}),
    Role.BRANCH_SECRETARY: frozenset({"community", "compound"}),
    Role.PROPERTY_STAFF: frozenset({"compound", "building"}),
    Role.VOLUNTEER: frozenset({"district", "street", "community", "compound"}),
    Role.CLINIC_STAFF: frozenset({"district", "street", "community", "compound"}),
    Role.ELDER_CARE_STAFF: frozenset({"street", "community"}),
    Role.PATROL_OFFICER: frozenset({"district", "street", "community"}),
    Role.INSPECTOR: frozenset({"district", "street"}),
    Role.RESIDENT: frozenset({"household"}),
}

# Capabilities: each names the roles that have it within the subtree of their grant.
MANAGE_PLACES = frozenset({Role.DISTRICT_ADMIN, Role.STREET_ADMIN, Role.COMMUNITY_WORKER})
READ_AUDIT = frozenset({Role.DISTRICT_ADMIN, Role.STREET_ADMIN})
MANAGE_GRANTS = frozenset({Role.DISTRICT_ADMIN, Role.STREET_ADMIN})

# The residents register.
VIEW_RESIDENTS = frozenset(
    {
        Role.DISTRICT_ADMIN,
        Role.STREET_ADMIN,
        Role.COMMUNITY_WORKER,
        Role.BRANCH_SECRETARY,
        Role.RESIDENT,  # their own household: a resident's grant is on it
    }
)
MANAGE_RESIDENTS = frozenset({Role.COMMUNITY_WORKER, Role.BRANCH_SECRETARY})
EXPORT_RESIDENTS = frozenset(
    {Role.DISTRICT_ADMIN, Role.STREET_ADMIN, Role.COMMUNITY_WORKER, Role.BRANCH_SECRETARY}
)
# Full ID and phone numbers: only the community worker at the desk needs them (and a
# resident may see their own).
REVEAL_PERSONAL = frozenset({Role.COMMUNITY_WORKER})

# Work orders.
MANAGE_ORDERS = frozenset({Role.COMMUNITY_WORKER, Role.BRANCH_SECRETARY})
VIEW_ORDERS = frozenset(
    {Role.DISTRICT_ADMIN, Role.STREET_ADMIN, Role.COMMUNITY_WORKER, Role.BRANCH_SECRETARY}
)
FILE_ORDERS = frozenset(
    {
        Role.COMMUNITY_WORKER,
        Role.BRANCH_SECRETARY,
        Role.PATROL_OFFICER,
        Role.INSPECTOR,
        Role.VOLUNTEER,
    }
)

# The deliberation meeting.
MANAGE_MEETINGS = frozenset({Role.COMMUNITY_WORKER, Role.BRANCH_SECRETARY})
VIEW_MEETINGS = frozenset(
    {Role.DISTRICT_ADMIN, Role.STREET_ADMIN, Role.COMMUNITY_WORKER, Role.BRANCH_SECRETARY}
)

# Rooms and bookings. The duty volunteer approves, checks in and marks no-shows alongside
# the community worker and the branch secretary; only those two configure rooms.
MANAGE_ROOMS = frozenset({Role.COMMUNITY_WORKER, Role.BRANCH_SECRETARY})
MANAGE_BOOKINGS = frozenset({Role.COMMUNITY_WORKER, Role.BRANCH_SECRETARY, Role.VOLUNTEER})
# Staff who may book a room themselves (also a "staff only" room).
BOOK_ROOMS = MANAGE_BOOKINGS
VIEW_BOOKINGS = MANAGE_BOOKINGS | {Role.DISTRICT_ADMIN, Role.STREET_ADMIN}
# The self-management group's shelf of donated items: the duty volunteer lends and takes
# back, the community worker and the branch secretary too.
MANAGE_LENDING = frozenset({Role.COMMUNITY_WORKER, Role.BRANCH_SECRETARY, Role.VOLUNTEER})
VIEW_LENDING = MANAGE_LENDING | {Role.DISTRICT_ADMIN, Role.STREET_ADMIN}

# The service desk's catalogue of matters (SPEC 3.6) is kept by the district and the streets
# whose catalogues they are.
MANAGE_CATALOGUE = frozenset({Role.DISTRICT_ADMIN, Role.STREET_ADMIN})
# Its cases are served at the compound's desk (全岗通): the community worker and the branch
# secretary over the case's compound. Administrators and property staff never read them.
SERVE_DESK = frozenset({Role.COMMUNITY_WORKER, Role.BRANCH_SECRETARY})
# Its figures are counts, no person in them: the desk and the leaders above it read them.
VIEW_DESK_FIGURES = SERVE_DESK | {Role.DISTRICT_ADMIN, Role.STREET_ADMIN}

# Health help (SPEC 3.7, 5.2). Clinic staff hold the health records of the residents of
# their area; a community worker makes cards and sees the health content only of the cards
# they are responsible for (predicates); the elder-care station sees only what a resident
# consented to share with it. Administrators count, never read.
HEALTH_STAFF = frozenset({Role.CLINIC_STAFF})
MAKE_HEALTH_CARDS = frozenset({Role.CLINIC_STAFF, Role.COMMUNITY_WORKER})
RUN_CLINICS = frozenset({Role.CLINIC_STAFF})
VIEW_HEALTH_STATS = frozenset(
    {Role.DISTRICT_ADMIN, Role.STREET_ADMIN, Role.COMMUNITY_WORKER, Role.CLINIC_STAFF}
)

# Dispute mediation (人民调解, SPEC 3.6): the desk's staff of the compound mediate; the
# district and the street count mediations, never read them.
MEDIATE = frozenset({Role.COMMUNITY_WORKER, Role.BRANCH_SECRETARY})
COUNT_MEDIATIONS = MEDIATE | {Role.DISTRICT_ADMIN, Role.STREET_ADMIN}

# Volunteers and their shifts (SPEC 3.5): the community worker and the branch secretary over
# a group's place coordinate it (approve members, set up and fill shifts) — as do the
# volunteers the group marks as its coordinators (duty managers, in volunteers.predicates).
COORDINATE_VOLUNTEERS = frozenset({Role.COMMUNITY_WORKER, Role.BRANCH_SECRETARY})
