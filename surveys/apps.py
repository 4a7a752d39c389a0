from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        from deliberation.core.access import register_url_argument
        from panels.signals import region_renamed, region_uses
        from surveys import regions

        region_uses.connect(regions.respondents_in_region, dispatch_uid="surveys-respondents")
        region_uses.connect(regions.fieldwork_quotas_in_region, dispatch_uid="surveys-quotas")
        region_renamed.connect(regions.rename_fieldwork_quotas, dispatch_uid="surveys-rename")

        register_url_argument("wave_id", "waves__pk")
        register_url_argument("import_id", "waves__imports__pk")
        register_url_argument("quota_id", "waves__quotas__pk")
        register_url_argument("questionnaire_id", "questionnaires__pk")
        register_url_argument("question_id", "questionnaires__questions__pk")
