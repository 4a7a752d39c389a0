"""ASGI entry point: HTTP through Django, websockets through Channels.

Run several of these processes behind one proxy with REDIS_URL set; they share groups
through channels-redis (see README, "Production").
"""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from config.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)

# What start-up loaded lives as long as the process. Taking it out of the garbage
# collector's sight keeps a full collection from scanning it, which otherwise stalls the
# event loop for tens of milliseconds in the middle of a room's broadcast.
gc.freeze()
