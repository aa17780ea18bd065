from django.db import migrations

TITLE = "I principi dell'Alleanza per la Generatività Sociale"
BODY = """Aderiamo all'Alleanza perché crediamo che una società capace di ospitare più vita nasca quando le energie generative dei territori vengono liberate e messe in relazione.

1. Generare, non solo rispondere: ci impegniamo a far crescere insieme prosperità e democrazia, rimettendo in circolo le risorse delle comunità.
2. Connettere: condividiamo esperienze, competenze e relazioni con gli altri alleati, senza logiche di concorrenza.
3. Co-progettare: costruiamo iniziative insieme a persone, organizzazioni e istituzioni dei territori.
4. Rendere conto: diamo nome e misura al valore che generiamo e lo comunichiamo con trasparenza.
5. Imparare: partecipiamo ad attività di formazione e confronto e mettiamo a disposizione ciò che sappiamo.

Gli amministratori del portale possono pubblicare una nuova versione di questo testo; ogni adesione conserva la versione accettata e la data."""


def seed(apps, schema_editor):
    Principles = apps.get_model("members", "Principles")
    Principles.objects.get_or_create(version=1, defaults={"title": TITLE, "body": BODY})


def unseed(apps, schema_editor):
    apps.get_model("members", "Principles").objects.filter(version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("members", "0002_allies")]

    operations = [migrations.RunPython(seed, unseed)]
