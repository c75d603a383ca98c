"""Named permissions of the service desk."""

import rules

from .predicates import can_manage_catalogue, is_listed

# The catalogue is public ("what do I need to bring?", without an account); a matter taken
# out of it is seen only by those who keep the catalogue.
rules.add_perm("servicedesk.view_matter", is_listed | can_manage_catalogue)
rules.add_perm("servicedesk.manage_catalogue", can_manage_catalogue)
