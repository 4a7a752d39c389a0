from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        from deliberation.core.access import register_url_argument

        register_url_argument("wave_id", "waves__pk")
        register_url_argument("import_id", "waves__imports__pk")
        register_url_argument("questionnaire_id", "questionnaires__pk")
        register_url_argument("question_id", "questionnaires__questions__pk")
