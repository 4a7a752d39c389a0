from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def ensure_role_groups(sender, using: str = "default", **kwargs) -> None:
    """Keep one group per role after every migrate or flush (the migration made them first)."""
    from django.contrib.auth.models import Group

    from deliberation.core.roles import Role

    for role in Role.values:
        Group.objects.using(using).get_or_create(name=role)


class DeliberationConfig(AppConfig):
    name = "deliberation.core"
    # The label the core's tables and migrations have always had.
    label = "deliberation"
    verbose_name = _("Deliberation")

    def ready(self) -> None:
        post_migrate.connect(ensure_role_groups, sender=self)
        from deliberation.core.models import Deliberation, Stage
        from deliberation.core.public_cache import invalidate_when_changed, slug_where

        invalidate_when_changed(Deliberation, lambda deliberation: deliberation.slug)
        invalidate_when_changed(Stage, lambda stage: slug_where(pk=stage.deliberation_id))
