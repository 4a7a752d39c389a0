from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PanelsConfig(AppConfig):
    name = "panels"
    verbose_name = _("Panels")

    def ready(self) -> None:
        from deliberation.core.access import register_url_argument
        from deliberation.core.names import register_name_peers
        from deliberation.core.public_cache import invalidate_when_changed, slug_where
        from panels.models import SelectionAudit
        from panels.selectors import panel_peers

        register_url_argument("panelist_id", "panelists__pk")
        register_name_peers(panel_peers)
        invalidate_when_changed(SelectionAudit, lambda audit: slug_where(pk=audit.deliberation_id))
