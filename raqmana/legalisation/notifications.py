"""The messages legalisation sends (notifications.kinds); templates in templates/legalisation/notifications/."""

from raqmana.notifications.kinds import declare

declare("legalisation.completed", "To a requester: the signature is legalised or the copy certified; the PDF is ready.")
declare("legalisation.refused", "To a requester: the officer refused the legalisation, with the reasons.")
