from django.http import HttpRequest

from deliberation.core.access import roles_of
from deliberation.core.models import Deliberation


def site(request: HttpRequest) -> dict:
    """What every page needs: the viewer's roles and whether demo data is loaded."""
    return {
        "user_roles": roles_of(getattr(request, "user", None)),
        "demo_mode": Deliberation.objects.filter(is_demo=True).exists(),
    }
