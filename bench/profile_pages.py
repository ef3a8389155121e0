"""Where a page's time goes, in one process as a gunicorn worker runs it (DEBUG off, the deployed middleware and
cache): each page of bench/pages.py called N times through the WSGI handler, its mean time, its queries and cache
calls a request, and optionally a cProfile of the calls (PROFILE=page label) printed by cumulative time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/raqmana_bench SESSION=<key> PROVINCE=<code> \
        .venv/bin/python bench/profile_pages.py [N]

The database is one bench/pages.py prepared (its citizen's session key and a province code given). With
`HELLO=1` the stock hello-world (bench/hello.py) is timed the same way instead."""

import contextlib
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 300


def environ(path: str, cookie: str) -> dict:
    path, _, query = path.partition("?")
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8750",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_COOKIE": cookie,
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }


def call(application, path: str, cookie: str) -> str:
    statuses = []
    body = application(environ(path, cookie), lambda status, headers, exc_info=None: statuses.append(status))
    b"".join(body)
    body.close()
    return statuses[0]


def timed(application, path: str, cookie: str, *, afresh: bool = False) -> float:
    """The mean time of a call in ms; `afresh`: with the signed-in person's kept pages dropped before each."""
    from django.core.cache import caches

    for _ in range(20):
        call(application, path, cookie)
    spent = 0.0
    for _ in range(ROUNDS):
        if afresh:
            caches["pages"].clear()
        start = time.perf_counter()
        call(application, path, cookie)
        spent += time.perf_counter() - start
    return spent / ROUNDS * 1000


@contextlib.contextmanager
def counting(cache, calls: list[str]):
    """Each call to the cache's client (one round trip to Redis) noted in `calls` while the block runs."""
    client = cache._cache if hasattr(cache, "_cache") else None
    if client is None:
        yield
        return
    originals = {}
    for name in ("get", "set", "add", "delete", "get_many", "set_many", "incr", "touch", "has_key"):
        if hasattr(client, name):
            originals[name] = getattr(client, name)

            def wrapper(*args, _name=name, **kwargs):
                calls.append(_name)
                return originals[_name](*args, **kwargs)

            setattr(client, name, wrapper)
    try:
        yield
    finally:
        for name in originals:
            delattr(client, name)


def main() -> None:
    if os.environ.get("HELLO"):
        os.environ["DJANGO_SETTINGS_MODULE"] = "bench.hello"
        from django.core.wsgi import get_wsgi_application

        print(f"{'hello-world':32} {timed(get_wsgi_application(), '/', ''):7.3f} ms")
        return
    from pages import APP_ENV, PAGES, cookies

    os.environ.update({key: value for key, value in APP_ENV.items() if key != "DATABASE_URL"})
    from django.core.cache import cache
    from django.core.wsgi import get_wsgi_application
    from django.db import connection

    application = get_wsgi_application()
    session, province = os.environ["SESSION"], os.environ["PROVINCE"]
    profiled = os.environ.get("PROFILE", "")
    for label, (path, signed_in) in PAGES.items():
        path = path.format(province=province)
        cookie = cookies(session if signed_in else None)
        status = call(application, path, cookie)
        queries: list[str] = []
        cache_calls: list[str] = []

        def noted(execute, sql, *args, queries=queries):
            queries.append(sql)
            return execute(sql, *args)

        with connection.execute_wrapper(noted), counting(cache, cache_calls):
            call(application, path, cookie)
        print(
            f"{label:32} {timed(application, path, cookie):7.3f} ms  {len(queries):2} queries"
            f"  {len(cache_calls):2} cache calls ({' '.join(cache_calls)})  {status}"
        )
        if signed_in:  # the person's first visit since a change of theirs: the page rendered, not served kept
            print(f"{label + ', rendered afresh':32} {timed(application, path, cookie, afresh=True):7.3f} ms")
        if os.environ.get("QUERIES"):
            print("\n".join(queries))
        if label == profiled:
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(ROUNDS):
                call(application, path, cookie)
            profile.disable()
            pstats.Stats(profile).sort_stats(os.environ.get("SORT", "cumulative")).print_stats(60)


if __name__ == "__main__":
    main()
