"""The messages complaints sends (notifications.kinds); templates in templates/complaints/notifications/."""

from raqmana.notifications.kinds import declare

declare("complaints.filed", "To a complainant: the request is received; its number and the delays.")
declare("complaints.forwarded", "To a complainant: the request was forwarded to the competent service.")
declare("complaints.answered", "To a complainant: the signed answer is ready; rate it or re-open it.")
declare("complaints.not_admissible", "To a complainant: the request is closed as not admissible, with the reasons.")
declare("complaints.escalated", "To a supervisor: a request was left beyond its delay.")
