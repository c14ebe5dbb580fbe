"""The processed tables (``data/processed/*.parquet``): build, contracts, load (docs/TABLES.md).

``construire(dossier=None, verbeux=False)`` rebuilds them, ``charger(nom, dossier=None)`` loads one, ``TABLES`` names
them, ``CONTRATS`` describes them, ``contient_exemple(*tables)`` says whether the sample banner must be shown.
"""
from orleans_gov.construction.tables import CONTRATS, TABLES, charger, construire, contient_exemple, ecrire_table

__all__ = ["CONTRATS", "TABLES", "charger", "construire", "contient_exemple", "ecrire_table"]
