"""The kinds of message Raqmana sends, each declared by the app that sends it in its `notifications.py`
(read by NotificationsConfig.ready()), with its two templates:
`<app>/templates/<app>/notifications/<name>.subject.txt` and `<name>.body.txt` for the kind "<app>.<name>".

Templates are plain text (nothing escaped) and say their words through `{% blocktranslate %}`, so each message is
written once and read in the recipient's language from the translation catalogues: Arabic, French, English. A
kind that carries a one-time code is `one_time`: it is sent through `services.send_code` and never stored."""

from dataclasses import dataclass
from functools import cache

from django.template import Context, Engine
from django.utils import translation

# Plain text: a name holding "&" or "'" reads as typed, not as an HTML entity.
TEXT_TEMPLATES_OPTIONS = {"app_dirs": True, "autoescape": False, "builtins": ["django.templatetags.i18n"]}


@dataclass(frozen=True)
class MessageKind:
    key: str  # "<app label>.<name>"
    about: str  # what the message tells, and to whom
    one_time: bool = False  # it carries a one-time code: sent, never kept

    @property
    def template_names(self) -> tuple[str, str]:
        app, name = self.key.split(".", 1)
        return f"{app}/notifications/{name}.subject.txt", f"{app}/notifications/{name}.body.txt"


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    body: str


KINDS: dict[str, MessageKind] = {}


def declare(key: str, about: str, *, one_time: bool = False) -> MessageKind:
    """Declare a kind of message; its key is "<app label>.<name>", its templates named after it."""
    if key in KINDS:
        raise ValueError(f"The message kind {key} is declared twice.")
    KINDS[key] = MessageKind(key, about, one_time)
    return KINDS[key]


def message_kind(key: str) -> MessageKind:
    try:
        return KINDS[key]
    except KeyError:
        raise LookupError(f"No app declares the message kind {key} in its notifications.py.") from None


@cache
def _engine() -> Engine:
    return Engine(**TEXT_TEMPLATES_OPTIONS)


def render_message(kind: MessageKind, context: dict, language: str) -> RenderedMessage:
    """The subject (one line) and the body of a message of `kind`, in `language`."""
    subject_template, body_template = (_engine().get_template(name) for name in kind.template_names)
    with translation.override(language):
        subject = subject_template.render(Context(context, autoescape=False))
        body = body_template.render(Context(context, autoescape=False))
    return RenderedMessage(" ".join(subject.split()), body.strip())
