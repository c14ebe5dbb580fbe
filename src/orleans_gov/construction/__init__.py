"""The processed tables (``data/processed/*.parquet``): build, contracts, load (docs/TABLES.md).

``construire(dossier=None, verbeux=False)`` rebuilds them, ``construire_si_necessaire`` only when an input changed, ``charger(nom, dossier=None)`` loads one, ``TABLES`` names
them, ``CONTRATS`` describes them, ``contient_exemple(*tables)`` says whether the sample banner must be shown.

``charger`` comes from the light :mod:`.lecture` (pandas + pyarrow only); the other names are resolved from
:mod:`.tables` on first use, so that loading a table does not import the builders (sample generator, workbook
readers, openpyxl).
"""
from __future__ import annotations

import importlib
from typing import Any

from orleans_gov.construction.lecture import charger

__all__ = ["CONTRATS", "TABLES", "charger", "construire", "construire_si_necessaire", "contient_exemple",
           "ecrire_table"]
_DIFFERES = {"CONTRATS", "TABLES", "construire", "construire_si_necessaire", "contient_exemple", "ecrire_table"}


def __getattr__(nom: str) -> Any:
    if nom in _DIFFERES:
        valeur = getattr(importlib.import_module("orleans_gov.construction.tables"), nom)
        globals()[nom] = valeur
        return valeur
    raise AttributeError(f"module 'orleans_gov.construction' has no attribute {nom!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
