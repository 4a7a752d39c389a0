from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportConfig(AppConfig):
    name = "deliberation.report"
    label = "report"
    verbose_name = _("Policy-recommendation report")

    def ready(self) -> None:
        from deliberation.core.public_cache import invalidate_when_changed, slug_where
        from deliberation.report.models import ReportRender

        # A finished PDF appears on the public page at once; renders under way do not show.
        invalidate_when_changed(
            ReportRender,
            lambda render: slug_where(pk=render.deliberation_id),
            shown=lambda render: render.status == ReportRender.Status.DONE,
        )
