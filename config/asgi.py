"""ASGI entry point: HTTP through Django, websockets through Channels.

Run several of these processes behind one proxy with REDIS_URL set; they share groups
through channels-redis (see README, "Production").
"""

import gc
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup(set_prefix=False)

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

# The URLconf and every view are imported here, before the worker takes connections:
# otherwise the first request waits about a second for them (the report views load SciPy).
import config.urls  # noqa: E402, F401
from config import daphne_limits  # noqa: E402
from config.body_limits import BodyLimit  # noqa: E402
from config.handlers import SyncChainASGIHandler  # noqa: E402
from config.routing import websocket_urlpatterns  # noqa: E402
from config.websocket_auth import WebsocketAuthMiddleware  # noqa: E402
from deliberation.forum.origin import SameOriginValidator  # noqa: E402

daphne_limits.install()
application = ProtocolTypeRouter(
    {
        "http": BodyLimit(SyncChainASGIHandler()),
        "websocket": SameOriginValidator(WebsocketAuthMiddleware(URLRouter(websocket_urlpatterns))),
    }
)

# What start-up loaded lives as long as the process. Taking it out of the garbage
# collector's sight keeps a full collection from scanning it, which otherwise stalls the
# event loop for tens of milliseconds in the middle of a room's broadcast.
gc.freeze()

# The event loop holds the interpreter while it delivers; a thread back from the database
# waits for it at every step of a query, up to the switch interval each time (5 ms by
# default). A shorter interval keeps a connect's queries from crawling behind the loop.
sys.setswitchinterval(0.001)
