from django.tasks import task


@task
def run_due_clocks():
    """Take every transition whose legal clock has run out (services.run_due_clocks); run every few minutes."""
    from .services import run_due_clocks as run

    return run()
