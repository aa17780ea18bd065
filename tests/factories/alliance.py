import factory

from alliance.models import OutgoingEmail


class OutgoingEmailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutgoingEmail

    to = factory.Sequence(lambda n: f"destinatario{n}@example.org")
    language = "it"
    template = "test"
    subject = factory.Sequence(lambda n: f"Messaggio di prova {n}")
    body_text = "Testo del messaggio."
    body_html = "<p>Testo del messaggio.</p>"
