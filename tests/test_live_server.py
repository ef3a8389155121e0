import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from conftest import OneAtATimeOnSharedMemoryDatabase, in_memory_databases


def test_the_live_server_on_a_shared_in_memory_database_answers_one_request_at_a_time():
    """Its threads share the test's one connection, which two threads must not use at once."""
    inside, most_inside = [], []

    def application(environ, start_response):
        inside.append(environ["n"])
        most_inside.append(len(inside))
        start_response("200 OK", [])
        time.sleep(0.01)
        yield b"rows read "  # a streamed answer reads as it is written, still holding the connection
        time.sleep(0.01)
        yield str(environ["n"]).encode()
        inside.remove(environ["n"])

    serialised = OneAtATimeOnSharedMemoryDatabase.one_request_at_a_time(application)
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda n: serialised({"n": n}, lambda *_: None), range(24)))

    assert max(most_inside) == 1
    assert answers == [[f"rows read {n}".encode()] for n in range(24)]


def test_the_tests_own_statements_wait_for_the_request_in_flight(live_server, transactional_db):
    if not in_memory_databases():
        pytest.skip("on a database server, each thread's connection waits for the others' locks")
    assert live_server.thread.httpd.get_app().__name__ == "serialised"
    assert OneAtATimeOnSharedMemoryDatabase.one_statement_at_a_time in connection.execute_wrappers
    request_done = threading.Event()

    def request():
        with OneAtATimeOnSharedMemoryDatabase.lock:
            time.sleep(0.2)
            request_done.set()

    holder = threading.Thread(target=request)
    holder.start()
    time.sleep(0.05)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    assert request_done.is_set()
    holder.join()
