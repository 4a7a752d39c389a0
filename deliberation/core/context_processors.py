from django.http import HttpRequest

from deliberation.core.access import roles_of


def site(request: HttpRequest) -> dict:
    """What every page needs: the viewer's roles."""
    return {
        "user_roles": roles_of(getattr(request, "user", None)),
    }
