"""Names stored before normalisation applied NFKC and removed invisible characters are tidied, and
every person's name key is computed again (participants.names). Where the new key would make two
records one person, the later record keeps its old key: both show on the duplicates page, where a
coordinator merges them."""

from django.db import migrations

BATCH = 5_000


def renormalise(apps, schema_editor):
    from participants.names import clean_name_part, normalise_name

    Participant = apps.get_model("participants", "Participant")
    taken = set(Participant.objects.values_list("name_key", "birth_date"))
    changed = []
    rows = Participant.objects.order_by("pk").values_list("pk", "last_name", "first_name", "patronymic", "name_key", "birth_date")
    for pk, last, first, patronymic, key, birth_date in rows.iterator(chunk_size=BATCH):
        parts = [clean_name_part(last), clean_name_part(first), clean_name_part(patronymic)]
        new_key = normalise_name(*parts)
        if new_key != key and (new_key, birth_date) in taken:
            new_key = key  # would collide with another record: left for the duplicates page
        if parts != [last, first, patronymic] or new_key != key:
            # The old key stays taken: no record takes a key another one frees in the same run.
            taken.add((new_key, birth_date))
            changed.append(Participant(pk=pk, last_name=parts[0], first_name=parts[1], patronymic=parts[2], name_key=new_key))
        if len(changed) >= BATCH:
            Participant.objects.bulk_update(changed, ["last_name", "first_name", "patronymic", "name_key"])
            changed = []
    if changed:
        Participant.objects.bulk_update(changed, ["last_name", "first_name", "patronymic", "name_key"])


class Migration(migrations.Migration):
    dependencies = [("participants", "0008_reference_data_read_only")]

    operations = [migrations.RunPython(renormalise, migrations.RunPython.noop)]
