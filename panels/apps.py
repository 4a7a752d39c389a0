from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PanelsConfig(AppConfig):
    name = "panels"
    verbose_name = _("Panels")

    def ready(self) -> None:
        from deliberation.core.access import register_url_argument
        from deliberation.core.names import register_name_peers
        from panels.selectors import panel_peers

        register_url_argument("panelist_id", "panelists__pk")
        register_name_peers(panel_peers)
