"""System checks of a deployment (`manage.py check --deploy`)."""

from django.conf import settings
from django.core import checks
from django_ratelimit.checks import KNOWN_BROKEN_CACHE_BACKENDS


@checks.register(checks.Tags.caches, deploy=True)
def rate_limit_cache_is_shared(app_configs: object, **kwargs: object) -> list[checks.CheckMessage]:
    """The rate limits of public pages and of the API count in the cache: a cache each process keeps alone lets
    every address through once per process (4 gunicorn workers: 4 times the limit).

    django_ratelimit's own check (django_ratelimit.E003) says so too, but development silences it to run on the
    local-memory cache; a deployment check must still refuse that cache.
    """
    cache_name = getattr(settings, "RATELIMIT_USE_CACHE", "default")
    backend = settings.CACHES.get(cache_name, {}).get("BACKEND", "")
    reason = KNOWN_BROKEN_CACHE_BACKENDS.get(backend)
    if reason is None:
        return []
    return [
        checks.Error(
            f"The rate limits are counted in the cache {cache_name!r}, whose backend {backend} {reason}: each "
            "process would count alone.",
            hint="Set REDIS_URL (e.g. redis://cache.internal:6379/0) to a Redis server all processes share.",
            id="raqmana.E001",
        )
    ]
