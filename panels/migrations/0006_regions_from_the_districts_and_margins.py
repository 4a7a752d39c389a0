"""Each existing deliberation keeps the regions it works with today.

Until now a deliberation's regions were the region margins and the district table of the
surveys app (seeded with Seoul's five 권역 and 25 자치구); they become its Region and
District rows, in the same order, and Seoul's regions get their English names.
"""

from django.db import migrations

SEOUL_ENGLISH_NAMES = {
    "도심권": "Central",
    "동북권": "Northeast",
    "서북권": "Northwest",
    "서남권": "Southwest",
    "동남권": "Southeast",
}


def copy_regions(apps, schema_editor):
    Deliberation = apps.get_model("deliberation", "Deliberation")
    RegionDistrict = apps.get_model("surveys", "RegionDistrict")
    PopulationMargin = apps.get_model("panels", "PopulationMargin")
    Region = apps.get_model("panels", "Region")
    District = apps.get_model("panels", "District")
    for deliberation in Deliberation.objects.order_by("pk"):
        rows = list(
            RegionDistrict.objects.filter(deliberation=deliberation).order_by(
                "order", "district", "pk"
            )
        )
        names = list(dict.fromkeys(row.region for row in rows))
        margins = PopulationMargin.objects.filter(deliberation=deliberation, feature="region")
        for value in margins.order_by("value").values_list("value", flat=True):
            if value not in names:
                names.append(value)
        regions = {
            name: Region.objects.create(
                deliberation=deliberation,
                name=name,
                name_en=SEOUL_ENGLISH_NAMES.get(name, ""),
                order=order,
            )
            for order, name in enumerate(names)
        }
        District.objects.bulk_create(
            District(
                deliberation=deliberation,
                region=regions[row.region],
                name=row.district,
                order=order,
            )
            for order, row in enumerate(rows)
        )


def copy_back(apps, schema_editor):
    RegionDistrict = apps.get_model("surveys", "RegionDistrict")
    District = apps.get_model("panels", "District")
    RegionDistrict.objects.bulk_create(
        RegionDistrict(
            deliberation_id=d.deliberation_id, region=d.region.name, district=d.name, order=i
        )
        for i, d in enumerate(
            District.objects.select_related("region").order_by(
                "deliberation", "region__order", "order"
            )
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("panels", "0005_regions_and_districts"),
        ("surveys", "0006_contact_erasure"),
    ]

    operations = [migrations.RunPython(copy_regions, copy_back)]
