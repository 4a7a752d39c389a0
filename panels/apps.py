from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PanelsConfig(AppConfig):
    name = "panels"
    verbose_name = _("Panels")

    def ready(self) -> None:
        from deliberation.core.access import register_url_argument

        register_url_argument("panelist_id", "panelists__pk")
