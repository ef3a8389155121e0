"""The messages the proposals channel sends (notifications.kinds); templates in templates/proposals/notifications/."""

from raqmana.notifications.kinds import declare

declare("proposals.moved", "To a proposer: the DGCT moved the proposal (under study, adopted, rejected, implemented).")
