"""The site's URLs plus one view that fails, to see the 500 page."""

from django.urls import path

from config.urls import handler500  # noqa: F401
from config.urls import urlpatterns as site_urlpatterns


def boom(request):
    raise RuntimeError("a failing view")


urlpatterns = [path("boom/", boom), *site_urlpatterns]
