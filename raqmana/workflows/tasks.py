from datetime import timedelta

from django.tasks import task

from raqmana.kernel import periodic


@task
def run_due_clocks():
    """Take every transition whose legal clock has run out (services.run_due_clocks); run every five minutes."""
    from .services import run_due_clocks as run

    return run()


periodic.every(timedelta(minutes=5), run_due_clocks)
