"""The roles of a deliberation, held as Django groups (README.md, "Roles")."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ORGANIZER = "organizer", _("Organizer")
    FACILITATOR = "facilitator", _("Facilitator")
    EXPERT = "expert", _("Expert")
    PANELIST = "panelist", _("Panelist")
    ANALYST = "analyst", _("Analyst")
    # A city department's officer, who answers the recommendations assigned to their
    # department (the department's name is on their membership of the team).
    DEPARTMENT = "department", _("Department officer")


ALL_ROLES: tuple[str, ...] = tuple(Role.values)

# The roles held on a deliberation's team (deliberation.core.models.Membership). A
# panelist's place is their seat in the panel, kept by the panels stage.
TEAM_ROLES: tuple[str, ...] = (
    Role.ORGANIZER,
    Role.ANALYST,
    Role.FACILITATOR,
    Role.EXPERT,
    Role.DEPARTMENT,
)
