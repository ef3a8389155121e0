from django.core.management.base import BaseCommand, CommandError

from raqmana.accounts.backends import find_user_by_identifier
from raqmana.accounts.services.two_factor import issue_enrolment_code


class Command(BaseCommand):
    help = (
        "Print a one-time code with which a person enrols a new authenticator app (first administrator, lost "
        "phone). Their current authenticators stop working."
    )

    def add_arguments(self, parser):
        parser.add_argument("identifier", help="email or phone number of the account")

    def handle(self, *args, identifier, **options):
        user = find_user_by_identifier(identifier)
        if user is None:
            raise CommandError(f"No account has the identifier {identifier}.")
        self.stdout.write(f"Enrolment code for {user.get_username()}, valid 7 days: {issue_enrolment_code(user)}")
