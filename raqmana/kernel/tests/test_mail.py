from django.core.mail import EmailMessage

from raqmana.kernel.mail import ReadableFileBackend


def test_development_mail_is_written_readable_to_a_file(tmp_path, capsys):
    backend = ReadableFileBackend(directory=str(tmp_path / "mail"))
    message = EmailMessage("رقمنة: دورك", "مرحبًا سلمى،\nأصبحت تتولى دور «عون الحالة المدنية».", to=["agent@demo.ma"])
    assert backend.send_messages([message]) == 1
    [written] = (tmp_path / "mail").iterdir()
    text = written.read_text(encoding="utf-8")
    assert "Subject: رقمنة: دورك" in text and "أصبحت تتولى دور «عون الحالة المدنية»." in text
    assert capsys.readouterr().out == f"Email to agent@demo.ma: {written}\n"
